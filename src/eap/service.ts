// The EAP service the RADIUS listener calls for each Access-Request that
// carries EAP: it finds or opens the conversation, checks its limits, runs
// the method's round, and says what to answer: a challenge with the next
// EAP-Request and our State, an accept with EAP-Success and the MSK, or a
// reject with EAP-Failure and the reason.

import type { Logger } from 'pino';
import type { Decision } from '../model/decision.ts';
import { ConversationTable, type Conversation } from './conversations.ts';
import { PeapPhase2 } from './peap.ts';
import { EAP_CODE, EAP_TYPE, encodeEap, encodeResult, nakTypes, parseEap, typeName, type EapPacket } from './packet.ts';
import type { InnerHandler } from './phase2.ts';
import { innerText } from './phase2.ts';
import type { EapMethodName, EapOptions } from './options.ts';
import { SessionCache } from './session-cache.ts';
import { createTlsContexts, type TlsContexts } from './tls-context.ts';
import { fragmentDataSize } from './tls-framing.ts';
import { TlsMethod, type MethodStep } from './tls-method.ts';
import { TtlsPhase2 } from './ttls.ts';

export interface EapRequest {
  /** The EAP-Message attributes of the Access-Request, joined. */
  eapMessage: Buffer;
  /** The State attribute, when the NAS sent one. */
  state?: Buffer;
  /** Outer User-Name, for logs. */
  userName: string;
  framedMtu?: number;
  /** Name of the NAS client (conversations are kept apart per client). */
  client: string;
  source: string;
  callingStationId?: string;
}

export type EapOutcome =
  | { kind: 'challenge'; eapMessage: Buffer; state: Buffer }
  | { kind: 'accept'; eapMessage: Buffer; msk: Buffer; emsk: Buffer; decision: Decision; method: EapMethodName; innerIdentity: string; resumed: boolean }
  | { kind: 'reject'; eapMessage: Buffer; reason: string; decision?: Decision }
  /** Nothing is answered: the round is still being worked on (a resend from the NAS). */
  | { kind: 'ignore'; reason: string };

const METHOD_TYPE: Record<EapMethodName, number> = { ttls: EAP_TYPE.Ttls, peap: EAP_TYPE.Peap };
const MAX_IDENTITY = 253;
/** How often expired conversations and sessions are swept when nothing new arrives. */
const SWEEP_MS = 10_000;

export class EapService {
  private options: EapOptions;
  private contexts: TlsContexts;
  private readonly log: Logger;
  readonly conversations: ConversationTable;
  readonly sessions: SessionCache;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: EapOptions, logger: Logger, now: () => number = Date.now) {
    this.options = options;
    this.log = logger;
    this.contexts = createTlsContexts(options.tls);
    this.conversations = new ConversationTable(options.limits.maxConversations, options.limits.timeoutSeconds, now);
    this.sessions = new SessionCache(options.resumption.maxSessions, options.resumption.lifetimeSeconds, now);
    this.sweeper = setInterval(() => {
      this.conversations.sweep();
      this.sessions.sweep();
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  /** SIGHUP: new certificates and settings for the conversations that start from now on; on a certificate that does not load, the old one stays. */
  reload(options: EapOptions): void {
    try {
      this.contexts = createTlsContexts(options.tls);
    } catch (err) {
      this.log.error({ certFile: options.tls.certFile, err: (err as Error).message }, 'EAP certificate reload failed; keeping the certificate in use');
      return;
    }
    this.options = options;
    this.log.info({ certFile: options.tls.certFile }, 'EAP certificate reloaded');
  }

  close(): void {
    clearInterval(this.sweeper);
    this.conversations.clear();
    this.sessions.clear();
  }

  async handle(request: EapRequest, inner: InnerHandler): Promise<EapOutcome> {
    // An empty EAP-Message is the NAS's EAP-Start (RFC 3579 section 2.6.1): we ask for the identity.
    if (request.eapMessage.length === 0 && !request.state) {
      const ask = encodeEap(EAP_CODE.Request, 1, EAP_TYPE.Identity);
      const conversation = this.conversations.create(request.client, ask, 1);
      return { kind: 'challenge', eapMessage: ask, state: conversation.state };
    }
    const packet = parseEap(request.eapMessage);
    if (typeof packet === 'string') return this.refuse(0, `malformed EAP packet (${packet})`, request);
    if (packet.code !== EAP_CODE.Response) return this.refuse(packet.identifier, `EAP code ${packet.code} where a Response belongs`, request);

    let conversation: Conversation;
    if (!request.state) {
      if (packet.type !== EAP_TYPE.Identity) return this.refuse(packet.identifier, `a conversation must start with an EAP Identity, got ${typeName(packet.type!)}`, request);
      conversation = this.conversations.create(request.client, Buffer.alloc(0), packet.identifier);
    } else {
      const found = this.conversations.find(request.client, request.state);
      if (found === 'unknown') return this.refuse(packet.identifier, 'unknown EAP conversation (a State we did not issue, or one already finished or dropped)', request);
      if (found === 'expired') return this.refuse(packet.identifier, `EAP conversation took longer than ${this.options.limits.timeoutSeconds} s`, request);
      conversation = found;
    }
    if (conversation.busy) return { kind: 'ignore', reason: 'a round of this conversation is being worked on' };

    const limit = this.overLimit(conversation, request.eapMessage.length);
    if (limit) return this.end(conversation, { kind: 'failure', reason: limit }, packet.identifier, request);
    if (packet.identifier !== conversation.identifier) {
      // The NAS sent the response our last request answered again (our answer was lost): send that request again.
      if (conversation.lastResponse?.equals(request.eapMessage)) return { kind: 'challenge', eapMessage: conversation.lastRequest, state: conversation.state };
      return this.end(conversation, { kind: 'failure', reason: `EAP identifier ${packet.identifier} does not answer our request ${conversation.identifier}` }, packet.identifier, request);
    }

    conversation.busy = true;
    try {
      const step = await this.round(conversation, packet, request, inner);
      if (step.kind !== 'request') return this.end(conversation, step, packet.identifier, request);
      conversation.identifier = (conversation.identifier + 1) & 0xff;
      conversation.lastRequest = step.packet;
      conversation.lastResponse = request.eapMessage;
      return { kind: 'challenge', eapMessage: step.packet, state: conversation.state };
    } catch (err) {
      this.log.error({ err, client: request.client }, 'EAP round failed with an internal error');
      return this.end(conversation, { kind: 'failure', reason: 'internal error' }, packet.identifier, request);
    } finally {
      conversation.busy = false;
    }
  }

  private overLimit(conversation: Conversation, bytes: number): string | undefined {
    const { limits } = this.options;
    conversation.rounds++;
    conversation.bytes += bytes;
    if (conversation.rounds > limits.maxRounds) return `EAP conversation took more than ${limits.maxRounds} rounds`;
    if (conversation.bytes > limits.maxBytes) return `EAP conversation sent more than ${limits.maxBytes} bytes`;
    return undefined;
  }

  /** One response: the identity, a Nak of the method offered, or the method's own packet. */
  private async round(conversation: Conversation, packet: EapPacket, request: EapRequest, inner: InnerHandler): Promise<MethodStep> {
    const next = (conversation.identifier + 1) & 0xff;
    if (packet.type === EAP_TYPE.Identity && conversation.offered.length === 0) {
      const identity = packet.data.length === 0 ? '' : innerText(packet.data, 'EAP identity', MAX_IDENTITY);
      if (typeof identity !== 'string') return { kind: 'failure', reason: identity.error };
      conversation.outerIdentity = identity;
      return this.offer(conversation, this.options.methods[0]!, next);
    }
    const method = conversation.method;
    if (!method) return { kind: 'failure', reason: `expected an EAP Identity, got ${typeName(packet.type!)}` };
    if (packet.type === EAP_TYPE.Nak && !method.tlsVersion) {
      const wanted = nakTypes(packet);
      const choice = this.options.methods.find((m) => !conversation.offered.includes(m) && wanted.includes(METHOD_TYPE[m]));
      if (!choice) {
        const offered = this.options.methods.map((m) => typeName(METHOD_TYPE[m])).join(', ');
        return { kind: 'failure', reason: `the peer wants ${wanted.length > 0 ? wanted.map(typeName).join(', ') : 'no method'}, we offer ${offered}` };
      }
      return this.offer(conversation, choice, next);
    }
    if (packet.type !== method.type) return { kind: 'failure', reason: `expected ${typeName(method.type)}, got ${typeName(packet.type!)}` };
    const fragment = fragmentDataSize(this.options.fragmentSize, request.framedMtu);
    return method.respond(packet, next, fragment, inner);
  }

  private offer(conversation: Conversation, name: EapMethodName, identifier: number): MethodStep {
    conversation.method?.destroy();
    conversation.offered.push(name);
    const method = new TlsMethod({
      method: name,
      context: this.contexts[name],
      sessions: this.sessions,
      maxMessageBytes: this.options.limits.maxBytes,
      phase2: name === 'ttls' ? new TtlsPhase2(conversation.outerIdentity ?? '') : new PeapPhase2(),
    });
    conversation.method = method;
    return { kind: 'request', packet: method.start(identifier) };
  }

  /** The conversation is over: it leaves the table, its tunnel is closed, and the outcome is logged. */
  private end(conversation: Conversation, step: Exclude<MethodStep, { kind: 'request' }>, identifier: number, request: EapRequest): EapOutcome {
    const method = conversation.method;
    const fields = {
      client: request.client,
      source: request.source,
      ...(request.callingStationId !== undefined ? { callingStationId: request.callingStationId } : {}),
      outerIdentity: conversation.outerIdentity,
      method: method?.method,
      tlsVersion: method?.tlsVersion,
      rounds: conversation.rounds,
    };
    this.conversations.remove(conversation);
    if (step.kind === 'success') {
      this.log.info({ ...fields, innerIdentity: step.innerIdentity, resumed: step.resumed }, 'EAP conversation succeeded');
      return {
        kind: 'accept',
        eapMessage: encodeResult(EAP_CODE.Success, identifier),
        msk: step.keys.msk,
        emsk: step.keys.emsk,
        decision: step.decision,
        method: method!.method,
        innerIdentity: step.innerIdentity,
        resumed: step.resumed,
      };
    }
    this.log.info({ ...fields, innerIdentity: step.innerIdentity, reason: step.reason }, 'EAP conversation failed');
    return { kind: 'reject', eapMessage: encodeResult(EAP_CODE.Failure, identifier), reason: step.reason, ...(step.decision ? { decision: step.decision } : {}) };
  }

  /** A response that belongs to no conversation we can continue. */
  private refuse(identifier: number, reason: string, request: EapRequest): EapOutcome {
    this.log.info({ client: request.client, source: request.source, userName: request.userName, reason }, 'EAP request refused');
    return { kind: 'reject', eapMessage: encodeResult(EAP_CODE.Failure, identifier), reason };
  }
}
