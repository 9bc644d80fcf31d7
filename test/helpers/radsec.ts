// RadSec test peers: certificates made with the openssl CLI (a CA, a server
// certificate for 127.0.0.1, client certificates from that CA or another),
// a small TLS RADIUS client that writes packets and reads answers with the
// same framing the server uses, a RadSec listener in-process, and Debian's
// radsecproxy as a child process.

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { parseConfig } from '../../src/config/load.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import type { Decision } from '../../src/model/decision.ts';
import { verifyResponse } from '../../src/radius/authenticator.ts';
import type { BuiltRequest, ClientResponse } from '../../src/radius/client.ts';
import type { EapHook } from '../../src/radius/eap-hook.ts';
import { parsePacket, type RawPacket } from '../../src/radius/packet.ts';
import { RadsecClientTable } from '../../src/radius/radsec-clients.ts';
import { RadsecServer } from '../../src/radius/radsec-server.ts';
import { PacketStream } from '../../src/radius/tcp-framing.ts';
import { requirePeer } from './peers.ts';
import { captureLogs, type LogCapture } from './radius.ts';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface RadsecPki {
  dir: string;
  /** The CA whose clients the server accepts. */
  ca: string;
  /** The server's certificate: CN and SAN radius.test.example, SAN IP 127.0.0.1. */
  server: KeyPair;
  /** A client certificate signed by `ca` (or, with `otherCa`, by a CA the server does not know). */
  client(name: string, options?: { san?: string; otherCa?: boolean; purpose?: 'clientAuth' | 'serverAuth' | 'clientAuth,serverAuth' }): KeyPair;
  /** A CRL file of `ca` listing these certificates (none: an empty CRL); `expired`: its next update was in 2020. */
  crl(revoked: KeyPair[], options?: { expired?: boolean }): string;
}

function openssl(args: string[], cwd: string): void {
  requirePeer('openssl', 'openssl');
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

function leaf(dir: string, ca: string, file: string, subject: string, ext: string): KeyPair {
  openssl(['req', ...EC, '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', subject], dir);
  writeFileSync(join(dir, `${file}.ext`), ext);
  openssl(['x509', '-req', '-in', `${file}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${file}.pem`, '-extfile', `${file}.ext`], dir);
  return { cert: join(dir, `${file}.pem`), key: join(dir, `${file}.key`) };
}

/** A CA, a server certificate and, on demand, client certificates, in `dir`. */
export function makeRadsecPki(dir: string): RadsecPki {
  makeCa(dir, 'radsec-ca');
  makeCa(dir, 'other-ca');
  const server = leaf(dir, 'radsec-ca', 'radsec-server', '/CN=radius.test.example', 'subjectAltName=DNS:radius.test.example,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  let crls = 0;
  return {
    dir,
    ca: join(dir, 'radsec-ca.pem'),
    server,
    crl(revoked, options = {}) {
      // openssl ca keeps what it revoked in a database: a fresh one per CRL lists exactly `revoked`.
      const n = ++crls;
      const config = `crl-${n}.cnf`;
      writeFileSync(join(dir, config), `[ca]\ndefault_ca = test\n[test]\ndatabase = crl-${n}.index\ncrlnumber = crl-${n}.number\ndefault_md = sha256\ndefault_crl_days = 1\n`);
      writeFileSync(join(dir, `crl-${n}.index`), '');
      writeFileSync(join(dir, `crl-${n}.number`), '1000\n');
      const ca = ['-config', config, '-keyfile', 'radsec-ca.key', '-cert', 'radsec-ca.pem'];
      for (const pair of revoked) openssl(['ca', ...ca, '-revoke', pair.cert], dir);
      const dates = options.expired ? ['-crl_lastupdate', '20200101000000Z', '-crl_nextupdate', '20200102000000Z'] : [];
      openssl(['ca', ...ca, '-gencrl', ...dates, '-out', `crl-${n}.pem`], dir);
      return join(dir, `crl-${n}.pem`);
    },
    client(name, options = {}) {
      const ca = options.otherCa ? 'other-ca' : 'radsec-ca';
      const file = `client-${ca}-${name.replace(/[^A-Za-z0-9.-]/g, '_')}`;
      return leaf(dir, ca, file, `/CN=${name}/O=otp-radius tests`, `subjectAltName=DNS:${options.san ?? name}\nextendedKeyUsage=${options.purpose ?? 'clientAuth'}\n`);
    },
  };
}

/** A RadSec connection as a NAS or proxy opens one: client certificate, optional ALPN. */
export class RadsecTestClient {
  readonly socket: TLSSocket;
  private readonly stream = new PacketStream();
  private readonly pending = new Map<number, { resolve: (r: RawPacket | undefined) => void; timer: NodeJS.Timeout }>();
  private readonly keyOf: (p: RawPacket) => number;
  /** Every answer, in the order received. */
  readonly answers: RawPacket[] = [];
  readonly closed: Promise<void>;
  private constructor(socket: TLSSocket, keyOf: (p: RawPacket) => number) {
    this.socket = socket;
    this.keyOf = keyOf;
    socket.on('data', (chunk: Buffer) => {
      const packets = this.stream.push(chunk);
      if (packets === 'bad-length') return;
      for (const bytes of packets) {
        const p = parsePacket(bytes);
        if (typeof p === 'string') continue;
        this.answers.push(p);
        const waiting = this.pending.get(this.keyOf(p));
        if (!waiting) continue;
        this.pending.delete(this.keyOf(p));
        clearTimeout(waiting.timer);
        waiting.resolve(p);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  /** Connects to 127.0.0.1:port; resolves once the handshake is done, rejects when it fails. */
  static open(port: number, pair: KeyPair | undefined, ca: string, options: ConnectionOptions = {}): Promise<RadsecTestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: readFileSync(ca),
        ...(pair ? { cert: readFileSync(pair.cert), key: readFileSync(pair.key) } : {}),
        servername: 'radius.test.example',
        ...options,
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        const v11 = socket.alpnProtocol === 'radius/1.1';
        resolve(new RadsecTestClient(socket, v11 ? (p) => p.authenticator.readUInt32BE(0) : (p) => p.identifier));
      });
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Writes `bytes` and waits for the answer with `key` (Identifier, or the Token under RADIUS/1.1); undefined after timeoutMs. */
  ask(bytes: Buffer, key: number, timeoutMs = 2000): Promise<RawPacket | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(key, { resolve, timer });
      this.socket.write(bytes);
    });
  }

  /** A classic request, its answer checked with the "radsec" secret. */
  async send(request: BuiltRequest, timeoutMs?: number): Promise<ClientResponse | undefined> {
    const packet = await this.ask(request.bytes, request.identifier, timeoutMs);
    return packet && { packet, bytes: packet.data, verified: verifyResponse(packet, request.authenticator, 'radsec') };
  }

  /** Resolves true when the server closes the connection within timeoutMs. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
    clearTimeout(timer);
    return closed;
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.socket.destroy();
  }
}

export interface RadsecFixture {
  server: RadsecServer;
  logs: LogCapture;
  seen: AccessRequest[];
}

/** A RadSec listener on a free loopback port over `pki`, with the clients and listen settings given as YAML. */
export async function startRadsec(pki: RadsecPki, options: { clients: string; listen?: string; decide?: (r: AccessRequest) => Promise<Decision>; eap?: EapHook }): Promise<RadsecFixture> {
  const yaml = `
listen:
  address: 127.0.0.1
  port: 0
  radsec: { address: 127.0.0.1, port: 0, certFile: ${pki.server.cert}, keyFile: ${pki.server.key}, caFile: ${pki.ca}${options.listen ? `, ${options.listen}` : ''} }
clients:
${options.clients}
resolvers: { local: { type: file, path: users.yaml } }
realms: { corp: { resolvers: local } }
`;
  const { config } = parseConfig(yaml, 'radsec-test.yaml', {});
  const logs = captureLogs('info');
  const seen: AccessRequest[] = [];
  const server = new RadsecServer({
    listen: config.listen.radsec!,
    clients: new RadsecClientTable(config.radsecClients),
    logger: logs.logger,
    duplicateCacheSeconds: 30,
    shutdownGraceSeconds: 5,
    ...(options.eap ? { eap: options.eap } : {}),
    handler: async (r) => {
      seen.push(r);
      return options.decide ? options.decide(r) : { decision: 'accept', reason: 'ok' };
    },
  });
  await server.start();
  return { server, logs, seen };
}

export interface Radsecproxy {
  /** Its UDP port, where radclient and eapol_test send. */
  port: number;
  /** What it logged so far (it logs to stderr in the foreground). */
  output(): string;
  stop(): Promise<void>;
}

/** Debian's radsecproxy in the foreground with `config` (its ListenUDP line is added); resolves once it listens. */
export async function startRadsecproxy(dir: string, port: number, config: string): Promise<Radsecproxy> {
  requirePeer('radsecproxy', 'radsecproxy');
  const file = join(dir, `radsecproxy-${port}.conf`);
  writeFileSync(file, `ListenUDP 127.0.0.1:${port}\n${config}`);
  const child = spawn('radsecproxy', ['-f', '-d', process.env.RADSECPROXY_DEBUG ?? '3', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let i = 0; i < 100 && !out.includes(`listening for udp on 127.0.0.1:${port}`); i++) {
    if (child.exitCode !== null) throw new Error(`radsecproxy exited with ${child.exitCode}:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!out.includes('listening for udp')) throw new Error(`radsecproxy did not start:\n${out}`);
  return {
    port,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
