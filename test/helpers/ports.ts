// A TCP port free on 127.0.0.1 right now, for the servers tests start
// (slapd, PostgreSQL, MariaDB). UDP ports: freeUdpPort in radius.ts.

import { createServer } from 'node:net';

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
