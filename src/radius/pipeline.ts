// The request pipeline the UDP and RadSec transports share: authenticity
// (Request Authenticator, Message-Authenticator), Status-Server, the
// duplicate check, User-Password, the handler or EAP hook, the answer's
// encoding, counters and drop logging. A transport frames the bytes, finds
// the client, checks the code belongs on its port, and gives the packet here
// with an Origin: where the answer goes and how retransmissions are known.

import { isUtf8 } from 'node:buffer';
import type { Logger } from 'pino';
import type { AccessHandler } from '../model/access-request.ts';
import type { Decision, RejectDecision } from '../model/decision.ts';
import { decryptPassword, verifyAccountingRequestAuthenticator, verifyRequestMessageAuthenticator } from './authenticator.ts';
import type { ClientPolicy } from './clients.ts';
import type { AnswerKind, EapAnswer, EapHook } from './eap-hook.ts';
import { learnedInMemory, type LearnedClients } from './learned-clients.ts';
import { mppeKeyAttributes, mppeKeyAttributesInClear } from './mppe.ts';
import { decodeAttributes } from './codec.ts';
import { ATTR, CODE, findAttributes, firstAttribute, parsePacket, type RawPacket } from './packet.ts';
import { encodeReply11 } from './radius11.ts';
import { decisionAttributes, decisionCode, encodeReply, replyProblem } from './reply.ts';
import { decodeAccessRequest } from './request-decode.ts';
import type { DropReason, RadiusStats } from './stats.ts';

/** 'radius': RFC 2865 with the shared secret; 'radius/1.1': RFC 9765 over TLS, no MD5, the Token in place of the authenticators. */
export type Profile = 'radius' | 'radius/1.1';

export interface Source {
  address: string;
  port: number;
}

/** A request the pipeline has taken on: its answer is kept for retransmissions, or it is forgotten when dropped. */
export interface RequestSlot {
  complete(response: Buffer): void;
  forget(): void;
}

/** What the duplicate check found: a new request (its slot), one still being answered, or the answer already sent. */
export type Claim = RequestSlot | 'in-progress' | Buffer;

/** Where a packet came from and how its transport answers. */
export interface Origin extends Source {
  client: ClientPolicy;
  profile: Profile;
  /** What answers Status-Server here (RFC 5997): Access-Accept, or Accounting-Response on an accounting port. */
  statusReply: number;
  /**
   * Whether an Accounting-Response carries Message-Authenticator. Clients
   * disagree on how it is computed (FreeRADIUS over a zeroed authenticator
   * field, radsecproxy over the request's), and the Response Authenticator
   * already covers the answer: RadSec leaves it out, UDP keeps it as
   * FreeRADIUS checks it.
   */
  accountingMessageAuthenticator: boolean;
  /** Marks the request as in progress unless it is a retransmission. */
  claim(packet: RawPacket): Claim;
  send(response: Buffer): void;
}

export interface PipelineOptions {
  handler: AccessHandler;
  logger: Logger;
  stats: RadiusStats;
  eap?: EapHook;
  learned?: LearnedClients;
}

/** A packet's attributes for a debug line, decoded by the dictionaries; User-Password only says it is there (the log redacts it). */
function shownAttributes(packet: RawPacket): Record<string, unknown> {
  const shown = decodeAttributes(packet.attributes.filter((a) => a.type !== ATTR.MessageAuthenticator));
  return firstAttribute(packet, ATTR.UserPassword) ? { ...shown, 'User-Password': 'present' } : shown;
}

const CODE_NAMES: Record<number, string> = {
  [CODE.AccessAccept]: 'Access-Accept',
  [CODE.AccessReject]: 'Access-Reject',
  [CODE.AccessChallenge]: 'Access-Challenge',
  [CODE.AccountingResponse]: 'Accounting-Response',
};

const DROP_LOG_INTERVAL_MS = 60_000;

/** The answer when the handler broke its promise never to throw, or its answer cannot be encoded: a bare Access-Reject. */
const FAIL_CLOSED: RejectDecision = { decision: 'reject', reason: 'internal error' };

/** The User-Password of RADIUS/1.1 travels as it is, 1 to 128 bytes (RFC 9765). */
const MAX_PASSWORD = 128;

export class RequestPipeline {
  readonly stats: RadiusStats;
  private readonly options: PipelineOptions;
  private readonly log: Logger;
  private readonly learned: LearnedClients;
  private readonly dropLogged = new Map<string, number>();
  /** Requests being authenticated and answers handed to a transport that has not sent them yet. */
  private busy = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: PipelineOptions) {
    this.options = options;
    this.stats = options.stats;
    this.log = options.logger;
    this.learned = options.learned ?? learnedInMemory();
  }

  /** Counts work that stop() waits for; call the function it returns when it is done. */
  hold(): () => void {
    this.busy++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      if (this.busy === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
  }

  get pending(): number {
    return this.busy;
  }

  /** Resolves true once nothing is in flight, or false after graceMs. */
  async settle(graceMs: number): Promise<boolean> {
    if (this.busy === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    return this.busy === 0;
  }

  drop(reason: DropReason, source: Source, client?: ClientPolicy, detail?: string): void {
    this.stats.drop(reason);
    this.hint(reason, source, client, detail, 'RADIUS packet dropped');
  }

  /** One warning a minute per source and cause: a misconfigured NAS retries forever. */
  hint(reason: string, source: Source, client: ClientPolicy | undefined, detail: string | undefined, message = 'RADIUS request looks wrong'): void {
    const key = `${reason}|${source.address}`;
    const now = Date.now();
    const last = this.dropLogged.get(key);
    if (last !== undefined && now - last < DROP_LOG_INTERVAL_MS) return;
    if (this.dropLogged.size > 10_000) this.dropLogged.clear();
    this.dropLogged.set(key, now);
    this.log.warn({ reason, source: source.address, port: source.port, client: client?.name, detail }, message);
  }

  /** A packet from a known client, of a code its transport takes. */
  handle(packet: RawPacket, origin: Origin): void {
    const { client } = origin;
    const authentic = origin.profile === 'radius/1.1' ? 'tls' : this.checkAuthenticity(packet, origin);
    if (authentic === undefined) return;

    if (packet.code === CODE.StatusServer) {
      // RFC 5997: answered directly, never cached, never handed to authentication.
      this.stats.statusServer++;
      origin.send(this.encode(origin, packet, origin.statusReply, []));
      return;
    }

    const slot = origin.claim(packet);
    if (slot === 'in-progress') return this.drop('duplicate-in-progress', origin, client);
    if (Buffer.isBuffer(slot)) {
      this.stats.duplicates++;
      origin.send(slot);
      return;
    }

    if (packet.code === CODE.AccountingRequest) {
      this.stats.accounting++;
      this.log.debug({ client: client.name, source: origin.address }, 'accounting request acknowledged');
      this.answer(origin, slot, this.encode(origin, packet, CODE.AccountingResponse, [], origin.accountingMessageAuthenticator));
      return;
    }

    const password = this.password(packet, origin, authentic);
    if (password === 'drop') {
      slot.forget();
      return;
    }
    const request = decodeAccessRequest(packet, client, origin.address, password);
    request.id = `${origin.address}:${origin.port}#${packet.identifier}`;
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ request: request.id, client: client.name, messageAuthenticator: authentic === 'signed', profile: origin.profile, attributes: shownAttributes(packet) }, 'request received');
    }
    request.unsendable = (decision) => replyProblem(packet, decision);
    const release = this.hold();
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
          slot.forget();
          this.stats.drop('duplicate-in-progress');
        } else if ('code' in answer) this.reply(origin, slot, packet, answer.decision, () => ({ code: answer.code, attributes: [...answer.attributes, ...this.keys(origin, packet, answer.msk)] }));
        else this.reply(origin, slot, packet, answer, () => ({ code: decisionCode(answer), attributes: decisionAttributes(answer) }));
      })
      .finally(release);
  }

  private encode(origin: Origin, packet: RawPacket, code: number, attributes: Buffer[], messageAuthenticator = true): Buffer {
    return origin.profile === 'radius/1.1' ? encodeReply11(packet, code, attributes) : encodeReply(packet, code, attributes, origin.client.secret, messageAuthenticator);
  }

  /** MS-MPPE keys as the transport carries them: hidden with the secret, or as they are under RADIUS/1.1 (RFC 9765). */
  private keys(origin: Origin, packet: RawPacket, msk: Buffer | undefined): Buffer[] {
    if (!msk) return [];
    return origin.profile === 'radius/1.1' ? mppeKeyAttributesInClear(msk) : mppeKeyAttributes(msk, origin.client.secret, packet.authenticator);
  }

  /** The revealed password, undefined when the request has none, or 'drop' when it proves the secret wrong. */
  private password(packet: RawPacket, origin: Origin, authentic: 'signed' | 'unsigned' | 'tls'): Buffer | undefined | 'drop' {
    const hidden = firstAttribute(packet, ATTR.UserPassword);
    if (!hidden) return undefined;
    if (authentic === 'tls') {
      if (hidden.value.length === 0 || hidden.value.length > MAX_PASSWORD) {
        this.drop('bad-password', origin, origin.client, `User-Password of ${hidden.value.length} bytes (RADIUS/1.1 allows 1 to ${MAX_PASSWORD})`);
        return 'drop';
      }
      return Buffer.from(hidden.value);
    }
    const p = decryptPassword(hidden.value, origin.client.secret, packet.authenticator);
    if (!p.ok) {
      this.drop('bad-password', origin, origin.client, 'User-Password has an invalid length');
      return 'drop';
    }
    // Only what proves a wrong secret drops a request: a verified Message-Authenticator proves it right.
    if (p.padding === 'dirty' && authentic !== 'signed') {
      this.drop('bad-password', origin, origin.client, 'User-Password padding does not decrypt to NULs: is the shared secret right?');
      return 'drop';
    }
    if (authentic !== 'signed' && !isUtf8(p.password))
      this.hint('password-not-text', origin, origin.client, 'User-Password is not UTF-8 text (answered with a reject): if every login from this NAS fails, check the shared secret');
    return p.password;
  }

  private reply(origin: Origin, slot: RequestSlot, packet: RawPacket, decision: AnswerKind, encoded: () => Pick<EapAnswer, 'code' | 'attributes'>): void {
    let response: Buffer;
    try {
      const { code, attributes } = encoded();
      response = this.encode(origin, packet, code, attributes);
    } catch (err) {
      // An answer that cannot be encoded (too long, bad reply attribute) must not turn into an accept without its attributes.
      this.log.error({ err, client: origin.client.name, decision: decision.decision }, 'cannot encode the answer; sending Access-Reject');
      try {
        response = this.encode(origin, packet, CODE.AccessReject, []);
        decision = FAIL_CLOSED;
      } catch {
        slot.forget();
        this.stats.drop('reply-failed');
        return;
      }
    }
    if (decision.decision === 'accept') this.stats.accepts++;
    else if (decision.decision === 'challenge') this.stats.challenges++;
    else this.stats.rejects++;
    if (this.log.isLevelEnabled('debug')) {
      const sent = parsePacket(response);
      if (typeof sent !== 'string')
        this.log.debug(
          { request: `${origin.address}:${origin.port}#${packet.identifier}`, code: CODE_NAMES[sent.code] ?? sent.code, reason: decision.reason, attributes: shownAttributes(sent) },
          'answer sent',
        );
    }
    this.answer(origin, slot, response);
  }

  private answer(origin: Origin, slot: RequestSlot, response: Buffer): void {
    slot.complete(response);
    origin.send(response);
  }

  /** 'signed': a Message-Authenticator verified; 'unsigned': none, and none required; undefined: dropped. */
  private checkAuthenticity(packet: RawPacket, origin: Origin): 'signed' | 'unsigned' | undefined {
    const { client } = origin;
    const mas = findAttributes(packet, ATTR.MessageAuthenticator);
    if (mas.length > 1) {
      this.drop('bad-message-authenticator', origin, client, 'more than one Message-Authenticator');
      return undefined;
    }
    const ma = mas[0];
    if (packet.code === CODE.AccountingRequest && !verifyAccountingRequestAuthenticator(packet, client.secret)) {
      this.drop('bad-authenticator', origin, client, 'Accounting-Request authenticator does not match: is the shared secret right?');
      return undefined;
    }
    if (ma) {
      if (!verifyRequestMessageAuthenticator(packet, ma, client.secret)) {
        this.drop('bad-message-authenticator', origin, client, 'Message-Authenticator does not match: is the shared secret right?');
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
      (packet.code === CODE.AccessRequest && (client.requireMessageAuthenticator === true || (client.requireMessageAuthenticator === 'auto' && this.learned.has(client.name))));
    if (required) {
      const why = firstAttribute(packet, ATTR.EapMessage)
        ? 'an EAP request has no Message-Authenticator (RFC 3579 requires one)'
        : 'request has no Message-Authenticator and the client requires one (BlastRADIUS, CVE-2024-3596)';
      this.drop('missing-message-authenticator', origin, client, why);
      return undefined;
    }
    return 'unsigned';
  }
}
