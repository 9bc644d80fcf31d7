// One RadSec connection once its client is known: packets framed from the
// TLS stream go through the request pipeline with this connection's own
// duplicate check (RFC 6613: a request is known by its Identifier on its
// connection; under RADIUS/1.1 by its Token), answers are written back on
// it. At most `maxInFlight` requests are authenticated at once: past that
// the socket is not read until one is answered, so TCP slows the client
// down. A stream that does not parse is closed; so is an idle one.

import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { ClientPolicy } from './clients.ts';
import { CODE, parsePacket, type RawPacket } from './packet.ts';
import type { Claim, Origin, Profile, RequestPipeline } from './pipeline.ts';
import { token } from './radius11.ts';
import type { CloseCause } from './radsec-stats.ts';
import { PacketStream } from './tcp-framing.ts';

const CODES: readonly number[] = [CODE.AccessRequest, CODE.AccountingRequest, CODE.StatusServer];
/** Answers kept for retransmissions on one connection: an Identifier has 256 values. */
const MAX_REMEMBERED = 256;
/** How long a closing connection may take to say goodbye before it is cut. */
const CLOSE_GRACE_MS = 2000;

export interface ConnectionOptions {
  socket: TLSSocket;
  /** The peer's certificate, kept to match it again when the client table changes. */
  certificate: X509Certificate;
  client: ClientPolicy;
  profile: Profile;
  pipeline: RequestPipeline;
  logger: Logger;
  maxInFlight: number;
  idleTimeoutMs: number;
  duplicateLifetimeMs: number;
  /** True once the server stops: new requests are dropped. */
  stopping: () => boolean;
  onClose: (cause: CloseCause) => void;
}

interface Remembered {
  authenticator: Buffer;
  /** The answer, once sent; undefined while the request is in progress. */
  answer?: Buffer;
  until: number;
}

export class RadsecConnection {
  private readonly o: ConnectionOptions;
  private readonly socket: TLSSocket;
  private readonly stream = new PacketStream();
  private readonly queue: Buffer[] = [];
  private readonly remembered = new Map<number, Remembered>();
  private readonly source: { address: string; port: number };
  /** Answers written and not yet flushed: stop() waits for them. */
  private readonly writing = new Set<() => void>();
  private client: ClientPolicy;
  private inFlight = 0;
  private paused = false;
  private cause: CloseCause | undefined;

  constructor(options: ConnectionOptions) {
    this.o = options;
    this.client = options.client;
    this.socket = options.socket;
    this.source = { address: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
    this.socket.setTimeout(options.idleTimeoutMs);
    this.socket.on('timeout', () => {
      // A request being authenticated is not idleness: its answer will be written (and re-arm the timer).
      if (this.inFlight === 0 && this.queue.length === 0) this.close('idle');
    });
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    this.socket.on('end', () => {
      if (this.stream.partial > 0) this.o.pipeline.drop('truncated', this.source, this.client, `the stream ended ${this.stream.partial} bytes into a packet`);
      this.cause ??= 'peer';
      this.socket.end();
    });
    this.socket.on('error', (err) => {
      this.cause ??= 'error';
      this.o.logger.debug({ err: err.message, source: this.source.address, client: this.client.name }, 'RadSec connection error');
    });
    this.socket.on('close', () => {
      // A socket destroyed before a write completes may never call it back.
      for (const release of this.writing) release();
      this.writing.clear();
      this.o.onClose(this.cause ?? 'peer');
    });
  }

  get address(): string {
    return this.source.address;
  }

  get clientName(): string {
    return this.client.name;
  }

  get certificate(): X509Certificate {
    return this.o.certificate;
  }

  /** SIGHUP: the entry the connection now matches (its realm, its Message-Authenticator policy) for the requests from now on. */
  setClient(client: ClientPolicy): void {
    this.client = client;
  }

  /** Ends the connection: TLS close_notify, then the socket is cut if the peer does not close its side. */
  close(cause: CloseCause): void {
    if (this.socket.destroyed) return;
    this.cause ??= cause;
    this.queue.length = 0;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private read(chunk: Buffer): void {
    if (this.cause !== undefined) return;
    const packets = this.stream.push(chunk);
    if (packets === 'bad-length') {
      this.o.pipeline.drop('bad-length', this.source, this.client, 'a Length field below 20 or above 4096: the stream cannot be followed, closing the connection');
      this.close('malformed');
      return;
    }
    this.o.pipeline.stats.received += packets.length;
    this.queue.push(...packets);
    this.pump();
  }

  /** Takes queued packets while fewer than maxInFlight are in progress; reads no further while they are. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.o.maxInFlight && this.cause === undefined) this.take(this.queue.shift()!);
    const full = this.queue.length > 0;
    if (full && !this.paused) this.socket.pause();
    else if (!full && this.paused) this.socket.resume();
    this.paused = full;
  }

  private take(bytes: Buffer): void {
    if (this.o.stopping()) {
      this.o.pipeline.stats.drop('shutting-down');
      return;
    }
    const packet = parsePacket(bytes);
    if (typeof packet === 'string') {
      // Framing held, but the attributes do not: nothing after it on this stream can be trusted either.
      this.o.pipeline.drop(packet, this.source, this.client, 'malformed packet: closing the connection');
      this.close('malformed');
      return;
    }
    if (!CODES.includes(packet.code)) return this.o.pipeline.drop('unsupported-code', this.source, this.client, `code ${packet.code}`);
    try {
      this.o.pipeline.handle(packet, this.origin());
    } catch (err) {
      // Nothing a packet contains may take the listener down.
      this.o.pipeline.stats.drop('bad-attribute');
      this.o.logger.error({ err, source: this.source.address }, 'unexpected error while reading a RADIUS packet; dropped');
    }
  }

  private origin(): Origin {
    return {
      ...this.source,
      client: this.client,
      profile: this.o.profile,
      // RFC 6614: one port for every kind of request, so Status-Server gets Access-Accept.
      statusReply: CODE.AccessAccept,
      accountingMessageAuthenticator: false,
      claim: (packet) => this.claim(packet),
      send: (response) => this.send(response),
    };
  }

  private claim(packet: RawPacket): Claim {
    const key = this.o.profile === 'radius/1.1' ? token(packet) : packet.identifier;
    const now = Date.now();
    const seen = this.remembered.get(key);
    // Under RADIUS/1.1 the Token alone tells requests apart (RFC 9765); before it, Identifier and authenticator.
    if (seen && seen.until > now && (this.o.profile === 'radius/1.1' || seen.authenticator.equals(packet.authenticator))) return seen.answer ?? 'in-progress';
    const entry: Remembered = { authenticator: Buffer.from(packet.authenticator), until: now + 10 * this.o.duplicateLifetimeMs };
    this.remembered.delete(key);
    this.remembered.set(key, entry);
    this.forgetOld(now);
    this.inFlight++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.pump();
    };
    return {
      complete: (response) => {
        if (this.remembered.get(key) === entry) {
          entry.answer = Buffer.from(response);
          entry.until = Date.now() + this.o.duplicateLifetimeMs;
        }
        finish();
      },
      forget: () => {
        if (this.remembered.get(key) === entry) this.remembered.delete(key);
        finish();
      },
    };
  }

  /** Oldest first: expired answers, and any past the bound (a Token has far more values than an Identifier). */
  private forgetOld(now: number): void {
    for (const [key, r] of this.remembered) {
      if (r.until > now && this.remembered.size <= MAX_REMEMBERED) break;
      this.remembered.delete(key);
    }
  }

  private send(response: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    const release = this.o.pipeline.hold();
    this.writing.add(release);
    this.socket.write(response, () => {
      this.writing.delete(release);
      release();
    });
  }
}
