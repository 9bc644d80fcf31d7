// The listener's door for EAP (RFC 3579): an Access-Request carrying
// EAP-Message goes to this hook instead of the PAP handler, and the hook
// says which packet to answer with. The EAP layer implements it
// (eap/radius-hook.ts); the listener knows nothing of EAP beyond this.

import type { AccessRequest } from '../model/access-request.ts';
import type { Decision } from '../model/decision.ts';

/** What the listener needs of a decision: its kind for the counters, its reason for the logs. */
export type AnswerKind = Pick<Decision, 'decision' | 'reason'>;
import type { ClientPolicy } from './clients.ts';
import type { RawPacket } from './packet.ts';

export interface EapAnswer {
  /** Access-Accept, Access-Reject or Access-Challenge. */
  code: number;
  /** Encoded attributes, Message-Authenticator and Proxy-State left to the listener. */
  attributes: Buffer[];
  /** What was decided, for the listener's counters and logs. */
  decision: AnswerKind;
  /** On an accept, the MSK: the listener adds MS-MPPE-Recv-Key and -Send-Key as its transport encodes them. */
  msk?: Buffer;
}

/** Resolves to undefined when the request is to get no answer (a round still being worked on). */
export type EapHook = (packet: RawPacket, request: AccessRequest, client: ClientPolicy) => Promise<EapAnswer | undefined>;
