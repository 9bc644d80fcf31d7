// The UDP listener: client lookup -> framing -> authenticity -> duplicate
// cache -> handler -> signed answer. It knows nothing of OTPs: it calls the
// handler it was given and encodes the Decision it gets back.

import { isUtf8 } from 'node:buffer';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { Decision, RejectDecision } from '../model/decision.ts';
import type { NasClient } from './clients.ts';
import type { ListenOptions } from './listen.ts';
import { decryptPassword, verifyAccountingRequestAuthenticator, verifyRequestMessageAuthenticator } from './authenticator.ts';
import type { ClientTable } from './clients.ts';
import { DuplicateCache, type RequestKey } from './duplicates.ts';
import { ATTR, CODE, findAttributes, firstAttribute, parsePacket, type RawPacket } from './packet.ts';
import { decodeAttributes } from './codec.ts';
import { decisionAttributes, decisionCode, encodeReply, replyProblem } from './reply.ts';
import { decodeAccessRequest } from './request-decode.ts';
import type { AccessHandler } from '../model/access-request.ts';
import type { AnswerKind, EapAnswer, EapHook } from './eap-hook.ts';
import { learnedInMemory, type LearnedClients } from './learned-clients.ts';
import { RadiusStats, type DropReason } from './stats.ts';

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

/** A packet's attributes for a debug line, decoded by the dictionaries; User-Password only says it is there (the log redacts it). */
function shownAttributes(packet: RawPacket): Record<string, unknown> {
  const shown = decodeAttributes(packet.attributes.filter((a) => a.type !== ATTR.MessageAuthenticator));
  return firstAttribute(packet, ATTR.UserPassword) ? { ...shown, 'User-Password': 'present' } : shown;
}

const CODE_NAMES: Record<number, string> = { [CODE.AccessAccept]: 'Access-Accept', [CODE.AccessReject]: 'Access-Reject', [CODE.AccessChallenge]: 'Access-Challenge', [CODE.AccountingResponse]: 'Accounting-Response' };

const DROP_LOG_INTERVAL_MS = 60_000;

/** The answer when the handler broke its promise never to throw, or its answer cannot be encoded: a bare Access-Reject. */
const FAIL_CLOSED: RejectDecision = { decision: 'reject', reason: 'internal error' };

export class RadiusServer {
  readonly stats = new RadiusStats();
  private clients: ClientTable;
  private readonly options: RadiusServerOptions;
  private readonly log: Logger;
  private readonly cache: DuplicateCache;
  private readonly sockets = new Map<Port, Socket>();
  /** Clients under `requireMessageAuthenticator: auto` that have sent one: from then on it is required. */
  private readonly learned: LearnedClients;
  private readonly dropLogged = new Map<string, number>();
  private inFlight = 0;
  /** Answers handed to a socket whose send has not completed: dgram sends on a later tick, and closing the socket first would lose them. */
  private sending = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: RadiusServerOptions) {
    this.options = options;
    this.clients = options.clients;
    this.log = options.logger;
    this.cache = new DuplicateCache(options.listen.duplicateCacheSeconds);
    this.learned = options.learned ?? learnedInMemory();
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
    if (!this.idle) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      if (!this.idle) this.log.warn({ inFlight: this.inFlight, sending: this.sending }, 'shutdown grace period over, requests still in flight are abandoned');
    }
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.sockets.clear();
  }

  private drop(reason: DropReason, rinfo: RemoteInfo, client?: NasClient, detail?: string): void {
    this.stats.drop(reason);
    this.hint(reason, rinfo, client, detail, 'RADIUS packet dropped');
  }

  /** One warning a minute per source and cause: a misconfigured NAS retries forever. */
  private hint(reason: string, rinfo: RemoteInfo, client: NasClient | undefined, detail: string | undefined, message = 'RADIUS request looks wrong'): void {
    const key = `${reason}|${rinfo.address}`;
    const now = Date.now();
    const last = this.dropLogged.get(key);
    if (last !== undefined && now - last < DROP_LOG_INTERVAL_MS) return;
    if (this.dropLogged.size > 10_000) this.dropLogged.clear();
    this.dropLogged.set(key, now);
    this.log.warn({ reason, source: rinfo.address, port: rinfo.port, client: client?.name, detail }, message);
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
    if (!client) return this.drop('unknown-client', rinfo, undefined, 'the source address is not a configured client');
    const packet = parsePacket(msg);
    if (typeof packet === 'string') return this.drop(packet, rinfo, client);

    const expected = which === 'auth' ? [CODE.AccessRequest, CODE.StatusServer] : [CODE.AccountingRequest, CODE.StatusServer];
    if (!(expected as number[]).includes(packet.code)) return this.drop('unsupported-code', rinfo, client, `code ${packet.code} on the ${which} port`);

    const authentic = this.checkAuthenticity(packet, client, rinfo);
    if (authentic === undefined) return;

    if (packet.code === CODE.StatusServer) {
      // RFC 5997: answered directly, never cached, never handed to authentication.
      this.stats.statusServer++;
      this.send(socket, rinfo, encodeReply(packet, which === 'auth' ? CODE.AccessAccept : CODE.AccountingResponse, [], client.secret));
      return;
    }

    const key = DuplicateCache.key(rinfo.address, rinfo.port, packet.identifier, packet.authenticator);
    // The client lookup above already turned away a source that is no IP address.
    if (!key) return this.drop('unknown-client', rinfo, client, 'the source address is not an IP address');
    const seen = this.cache.check(key);
    if (seen === 'in-progress') return this.drop('duplicate-in-progress', rinfo, client);
    if (seen !== 'new') {
      this.stats.duplicates++;
      this.send(socket, rinfo, seen);
      return;
    }

    if (packet.code === CODE.AccountingRequest) {
      this.stats.accounting++;
      this.log.debug({ client: client.name, source: rinfo.address }, 'accounting request acknowledged');
      this.answer(socket, rinfo, key, encodeReply(packet, CODE.AccountingResponse, [], client.secret));
      return;
    }

    let password: Buffer | undefined;
    const hidden = firstAttribute(packet, ATTR.UserPassword);
    if (hidden) {
      const p = decryptPassword(hidden.value, client.secret, packet.authenticator);
      if (!p.ok) {
        this.cache.forget(key);
        return this.drop('bad-password', rinfo, client, 'User-Password has an invalid length');
      }
      // Only what proves a wrong secret drops a request: a verified Message-Authenticator proves it right.
      if (p.padding === 'dirty' && authentic !== 'signed') {
        this.cache.forget(key);
        return this.drop('bad-password', rinfo, client, 'User-Password padding does not decrypt to NULs: is the shared secret right?');
      }
      if (authentic !== 'signed' && !isUtf8(p.password)) this.hint('password-not-text', rinfo, client, 'User-Password is not UTF-8 text (answered with a reject): if every login from this NAS fails, check the shared secret');
      password = p.password;
    }
    const request = decodeAccessRequest(packet, client, rinfo.address, password);
    request.id = `${rinfo.address}:${rinfo.port}#${packet.identifier}`;
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ request: request.id, client: client.name, messageAuthenticator: authentic === 'signed', attributes: shownAttributes(packet) }, 'request received');
    }
    request.unsendable = (decision) => replyProblem(packet, decision);
    this.inFlight++;
    // EAP hook: the EAP layer answers (its inner logins still reach the handler); undefined = no answer.
    const eap = request.eap ? this.options.eap : undefined;
    const answered: Promise<Decision | EapAnswer | undefined> = eap ? eap(packet, request, client) : this.options.handler(request);
    answered
      .catch((err: unknown): Decision => {
        // Fail closed: an error anywhere below is a reject, with the cause in the log.
        this.log.error({ err, client: client.name }, 'authentication failed with an internal error');
        return FAIL_CLOSED;
      })
      .then((answer) => {
        if (answer === undefined) {
          this.cache.forget(key);
          this.stats.drop('duplicate-in-progress');
        } else if ('code' in answer) this.reply(socket, rinfo, key, packet, client, answer.decision, () => answer);
        else this.reply(socket, rinfo, key, packet, client, answer, () => ({ code: decisionCode(answer), attributes: decisionAttributes(answer) }));
      })
      .finally(() => {
        this.inFlight--;
        this.wakeIfIdle();
      });
  }

  private reply(socket: Socket, rinfo: RemoteInfo, key: RequestKey, packet: RawPacket, client: NasClient, decision: AnswerKind, encoded: () => Pick<EapAnswer, 'code' | 'attributes'>): void {
    let response: Buffer;
    try {
      const { code, attributes } = encoded();
      response = encodeReply(packet, code, attributes, client.secret);
    } catch (err) {
      // An answer that cannot be encoded (too long, bad reply attribute) must not turn into an accept without its attributes.
      this.log.error({ err, client: client.name, decision: decision.decision }, 'cannot encode the answer; sending Access-Reject');
      try {
        response = encodeReply(packet, decisionCode(FAIL_CLOSED), [], client.secret);
        decision = FAIL_CLOSED;
      } catch {
        this.cache.forget(key);
        this.stats.drop('reply-failed');
        return;
      }
    }
    if (decision.decision === 'accept') this.stats.accepts++;
    else if (decision.decision === 'challenge') this.stats.challenges++;
    else this.stats.rejects++;
    if (this.log.isLevelEnabled('debug')) {
      const sent = parsePacket(response);
      if (typeof sent !== 'string') this.log.debug({ request: `${rinfo.address}:${rinfo.port}#${packet.identifier}`, code: CODE_NAMES[sent.code] ?? sent.code, reason: decision.reason, attributes: shownAttributes(sent) }, 'answer sent');
    }
    this.answer(socket, rinfo, key, response);
  }

  private answer(socket: Socket, rinfo: RemoteInfo, key: RequestKey, response: Buffer): void {
    this.cache.complete(key, response);
    this.send(socket, rinfo, response);
  }

  private send(socket: Socket, rinfo: RemoteInfo, response: Buffer): void {
    this.sending++;
    socket.send(response, rinfo.port, rinfo.address, (err) => {
      this.sending--;
      if (err) this.log.warn({ err, destination: rinfo.address }, 'cannot send RADIUS answer');
      this.wakeIfIdle();
    });
  }

  private get idle(): boolean {
    return this.inFlight === 0 && this.sending === 0;
  }

  private wakeIfIdle(): void {
    if (this.idle && this.idleWaiters.length > 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** 'signed': a Message-Authenticator verified; 'unsigned': none, and none required; undefined: dropped. */
  private checkAuthenticity(packet: RawPacket, client: NasClient, rinfo: RemoteInfo): 'signed' | 'unsigned' | undefined {
    const mas = findAttributes(packet, ATTR.MessageAuthenticator);
    if (mas.length > 1) {
      this.drop('bad-message-authenticator', rinfo, client, 'more than one Message-Authenticator');
      return undefined;
    }
    const ma = mas[0];
    if (packet.code === CODE.AccountingRequest && !verifyAccountingRequestAuthenticator(packet, client.secret)) {
      this.drop('bad-authenticator', rinfo, client, 'Accounting-Request authenticator does not match: is the shared secret right?');
      return undefined;
    }
    if (ma) {
      if (!verifyRequestMessageAuthenticator(packet, ma, client.secret)) {
        this.drop('bad-message-authenticator', rinfo, client, 'Message-Authenticator does not match: is the shared secret right?');
        return undefined;
      }
      // Only Access-Requests teach `auto`: Status-Server always carries one (RFC 5997) and says nothing about the NAS's logins.
      if (packet.code === CODE.AccessRequest && client.requireMessageAuthenticator === 'auto' && !this.learned.has(client.name)) {
        this.learned.learn(client.name);
        this.log.info({ client: client.name }, 'client sends Message-Authenticator; requiring it from now on');
      }
      return 'signed';
    }
    const required =
      packet.code === CODE.StatusServer ||
      // RFC 3579 section 3.2: a request carrying EAP-Message without Message-Authenticator is discarded, whatever the client's setting.
      firstAttribute(packet, ATTR.EapMessage) !== undefined ||
      (packet.code === CODE.AccessRequest &&
        (client.requireMessageAuthenticator === true || (client.requireMessageAuthenticator === 'auto' && this.learned.has(client.name))));
    if (required) {
      const why = firstAttribute(packet, ATTR.EapMessage) ? 'an EAP request has no Message-Authenticator (RFC 3579 requires one)' : 'request has no Message-Authenticator and the client requires one (BlastRADIUS, CVE-2024-3596)';
      this.drop('missing-message-authenticator', rinfo, client, why);
      return undefined;
    }
    return 'unsigned';
  }
}
