// The UDP transport: binds the authentication (and accounting) port, finds
// the client by source address, frames the datagram, checks its code belongs
// on the port, and hands it to the request pipeline (pipeline.ts) with the
// listener's duplicate cache and a way to answer.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { AccessHandler } from '../model/access-request.ts';
import type { ClientTable, NasClient } from './clients.ts';
import { DuplicateCache, type RequestKey } from './duplicates.ts';
import type { EapHook } from './eap-hook.ts';
import type { LearnedClients } from './learned-clients.ts';
import type { ListenOptions } from './listen.ts';
import { CODE, parsePacket } from './packet.ts';
import { RequestPipeline, type Origin } from './pipeline.ts';
import { RadiusStats } from './stats.ts';

export interface RadiusServerOptions {
  listen: ListenOptions;
  clients: ClientTable;
  handler: AccessHandler;
  logger: Logger;
  /** Several processes bind the same port (the kernel spreads packets by source). */
  reusePort?: boolean;
  /** Requests with EAP-Message go here when EAP is configured; without it they reach the handler, which refuses them. */
  eap?: EapHook;
  /** Where `auto` clients that sent Message-Authenticator are remembered; this process alone when absent. */
  learned?: LearnedClients;
}

type Port = 'auth' | 'acct';

const AUTH_CODES: readonly number[] = [CODE.AccessRequest, CODE.StatusServer];
const ACCT_CODES: readonly number[] = [CODE.AccountingRequest, CODE.StatusServer];

export class RadiusServer {
  readonly stats = new RadiusStats();
  private clients: ClientTable;
  private readonly options: RadiusServerOptions;
  private readonly log: Logger;
  private readonly cache: DuplicateCache;
  private readonly pipeline: RequestPipeline;
  private readonly sockets = new Map<Port, Socket>();
  private stopping = false;

  constructor(options: RadiusServerOptions) {
    this.options = options;
    this.clients = options.clients;
    this.log = options.logger;
    this.cache = new DuplicateCache(options.listen.duplicateCacheSeconds);
    this.pipeline = new RequestPipeline({
      handler: options.handler,
      logger: options.logger,
      stats: this.stats,
      ...(options.eap ? { eap: options.eap } : {}),
      ...(options.learned ? { learned: options.learned } : {}),
    });
  }

  /** Swap the client table (SIGHUP); requests in flight keep the client they were matched with. */
  setClients(clients: ClientTable): void {
    this.clients = clients;
  }

  async start(): Promise<void> {
    const { listen } = this.options;
    await this.bind('auth', listen.port);
    if (listen.accountingPort !== undefined) await this.bind('acct', listen.accountingPort);
  }

  /** The bound port (useful when the config said port 0 in tests). */
  port(which: Port = 'auth'): number {
    const s = this.sockets.get(which);
    if (!s) throw new Error(`${which} socket is not bound`);
    return s.address().port;
  }

  private bind(which: Port, port: number): Promise<void> {
    const { listen } = this.options;
    const socket = createSocket({
      type: isIPv6(listen.address) ? 'udp6' : 'udp4',
      // SO_REUSEPORT alone: SO_REUSEADDR on UDP would let the last socket bound take every packet.
      ...(this.options.reusePort ? { reusePort: true } : {}),
      recvBufferSize: listen.receiveBufferBytes,
    });
    socket.on('message', (msg, rinfo) => {
      this.onMessage(which, socket, msg, rinfo);
    });
    socket.on('error', (err) => this.log.error({ err, port: which }, 'RADIUS socket error'));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      // exclusive: a cluster worker binds its own socket instead of sharing the supervisor's handle.
      socket.bind({ port, address: listen.address, exclusive: true }, () => {
        socket.off('error', reject);
        this.sockets.set(which, socket);
        this.log.info({ address: listen.address, port: socket.address().port, kind: which === 'auth' ? 'authentication' : 'accounting' }, 'RADIUS listening');
        resolve();
      });
    });
  }

  /**
   * Stop taking requests, wait for those in flight and for their answers to
   * leave (at most graceMs), close. Packets that arrive meanwhile are
   * dropped, so the NAS fails over.
   */
  async stop(graceMs = this.options.listen.shutdownGraceSeconds * 1000): Promise<void> {
    this.stopping = true;
    if (!(await this.pipeline.settle(graceMs))) this.log.warn({ pending: this.pipeline.pending }, 'shutdown grace period over, requests still in flight are abandoned');
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.clear();
  }

  /** One datagram as if `socket` had received it from `rinfo`: lets the fuzz targets drive the listener without a port. */
  receive(msg: Buffer, rinfo: RemoteInfo, socket: Socket, which: Port = 'auth'): void {
    this.onMessage(which, socket, msg, rinfo);
  }

  private onMessage(which: Port, socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++;
    try {
      this.handleDatagram(which, socket, msg, rinfo);
    } catch (err) {
      // Nothing a datagram contains may take the listener down.
      this.stats.drop('bad-attribute');
      this.log.error({ err, source: rinfo.address }, 'unexpected error while reading a RADIUS packet; dropped');
    }
  }

  private handleDatagram(which: Port, socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.stopping) {
      this.stats.drop('shutting-down');
      return;
    }
    const client = this.clients.lookup(rinfo.address);
    if (!client) return this.pipeline.drop('unknown-client', rinfo, undefined, 'the source address is not a configured client');
    const packet = parsePacket(msg);
    if (typeof packet === 'string') return this.pipeline.drop(packet, rinfo, client);
    if (!(which === 'auth' ? AUTH_CODES : ACCT_CODES).includes(packet.code)) return this.pipeline.drop('unsupported-code', rinfo, client, `code ${packet.code} on the ${which} port`);
    const key = DuplicateCache.key(rinfo.address, rinfo.port, packet.identifier, packet.authenticator);
    // The client lookup above already turned away a source that is no IP address.
    if (!key) return this.pipeline.drop('unknown-client', rinfo, client, 'the source address is not an IP address');
    this.pipeline.handle(packet, this.origin(which, socket, rinfo, client, key));
  }

  private origin(which: Port, socket: Socket, rinfo: RemoteInfo, client: NasClient, key: RequestKey): Origin {
    const cache = this.cache;
    return {
      address: rinfo.address,
      port: rinfo.port,
      client,
      profile: 'radius',
      statusReply: which === 'auth' ? CODE.AccessAccept : CODE.AccountingResponse,
      accountingMessageAuthenticator: true,
      claim() {
        const seen = cache.check(key);
        if (seen !== 'new') return seen;
        return { complete: (response) => cache.complete(key, response), forget: () => cache.forget(key) };
      },
      send: (response) => {
        // dgram sends on a later tick, and closing the socket first would lose the answer.
        const release = this.pipeline.hold();
        socket.send(response, rinfo.port, rinfo.address, (err) => {
          release();
          if (err) this.log.warn({ err, destination: rinfo.address }, 'cannot send RADIUS answer');
        });
      },
    };
  }
}
