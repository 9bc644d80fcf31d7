// A TCP forwarder for resolver tests: it counts the connections a resolver
// opens, and can take the server away and bring it back on the same port
// without touching the server itself.

import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Forwarder {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Closes the listener and every forwarded connection: the server is "gone". */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function forwarder(targetPort: number): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let accepted = 0;
  const up = async (): Promise<void> => {
    const s = createServer((client) => {
      accepted++;
      const upstream = connect(targetPort, '127.0.0.1');
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('error', () => undefined);
        sock.on('close', () => {
          sockets.delete(sock);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    const addr = s.address();
    if (typeof addr === 'object' && addr) port = addr.port;
    server = s;
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await up();
  return {
    get port() {
      return port;
    },
    get accepted() {
      return accepted;
    },
    up,
    down,
    close: down,
  };
}
