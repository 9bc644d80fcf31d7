// The TLS tunnel of one conversation: Node's TLSSocket as a server over an
// in-memory stream. The peer's TLS bytes go in, ours come out; no TLS is
// written by hand. A round ends when the TLS engine has gone quiet, since
// it hands its output to the stream over a few event-loop turns.

import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';

/** Turns without new output, data or state after which a round is over. */
const QUIET_TURNS = 3;
/** A bound on the wait, far above the one or two turns TLS needs. */
const MAX_TURNS = 200;

export interface TunnelSessions {
  /** A session the TLS engine offers to keep for resumption (TLS 1.2 session id). */
  created(id: Buffer, session: Buffer): void;
  /** The session to resume for an id the peer offers, if there is one we trust. */
  lookup(id: Buffer): Buffer | undefined;
}

export class TlsTunnel {
  private readonly socket: TLSSocket;
  private readonly stream: Duplex;
  private output: Buffer[] = [];
  private appData: Buffer[] = [];
  private changes = 0;
  private error: string | undefined;
  private secure = false;

  constructor(context: SecureContext, sessions?: TunnelSessions) {
    this.stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _encoding, done) => {
        this.output.push(chunk);
        this.changes++;
        done();
      },
    });
    // Node asks a server object for session storage; this one answers from the caller's bounded cache.
    const server = new EventEmitter();
    if (sessions) {
      server.on('newSession', (id: Buffer, session: Buffer, done: () => void) => {
        sessions.created(Buffer.from(id), Buffer.from(session));
        done();
      });
      server.on('resumeSession', (id: Buffer, done: (err: Error | null, session: Buffer | null) => void) => {
        done(null, sessions.lookup(id) ?? null);
      });
    }
    this.socket = new TLSSocket(this.stream, { isServer: true, secureContext: context, server: server as never, requestCert: false });
    this.socket.on('secure', () => {
      this.secure = true;
      this.changes++;
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.appData.push(chunk);
      this.changes++;
    });
    this.socket.on('error', (err: Error) => {
      this.error ??= err.message;
      this.changes++;
    });
    this.socket.on('end', () => {
      this.error ??= 'the peer closed the TLS session';
      this.changes++;
    });
  }

  /** The handshake is complete (after the peer's Finished). */
  get established(): boolean {
    return this.secure;
  }

  /** Why the TLS session failed, if it did. */
  get failure(): string | undefined {
    return this.error;
  }

  /** 'TLSv1.2', 'TLSv1.3', or null before the handshake. */
  get version(): string | null {
    return this.socket.getProtocol();
  }

  get resumed(): boolean {
    return this.socket.isSessionReused();
  }

  /** Hands the peer's TLS bytes to the engine and waits until it has answered. */
  async receive(bytes: Buffer): Promise<void> {
    if (bytes.length > 0) this.stream.push(bytes);
    await this.settle();
  }

  /** Encrypts `plain` into the tunnel and waits for the records. */
  async send(plain: Buffer): Promise<void> {
    this.socket.write(plain);
    await this.settle();
  }

  takeOutput(): Buffer {
    const out = this.output.length === 1 ? this.output[0]! : Buffer.concat(this.output);
    this.output = [];
    return out;
  }

  get hasOutput(): boolean {
    return this.output.length > 0;
  }

  takeAppData(): Buffer {
    const data = this.appData.length === 1 ? this.appData[0]! : Buffer.concat(this.appData);
    this.appData = [];
    return data;
  }

  /** RFC 5705 / RFC 8446 section 7.5 exporter; `context` undefined means "no context" (TLS 1.2 labels of RFC 5281 and PEAP). */
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    // @types/node marks the context as required; Node treats an undefined one as "no context".
    return this.socket.exportKeyingMaterial(length, label, context as Buffer);
  }

  destroy(): void {
    this.socket.destroy();
    this.stream.destroy();
    this.output = [];
    this.appData = [];
  }

  private async settle(): Promise<void> {
    let quiet = 0;
    let seen = this.changes;
    for (let turn = 0; turn < MAX_TURNS && quiet < QUIET_TURNS; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.changes === seen) quiet++;
      else {
        quiet = 0;
        seen = this.changes;
      }
    }
  }
}
