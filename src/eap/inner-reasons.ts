// Why an inner method other than a clear-text password is refused, in words
// an admin can act on, and what an inner decision means for the tunnel.

import type { Decision } from '../model/decision.ts';
import { EAP_TYPE, typeName } from './packet.ts';
import type { ResumableLogin } from './session-cache.ts';

/** Why MSCHAPv2 and MS-CHAP cannot serve: they prove knowledge of an NT hash of a password we never have. */
export const NT_HASH_WHY = 'an OTP cannot be checked against an NT hash; configure the supplicant for PEAP with EAP-GTC or EAP-TTLS with PAP';
export const NT_HASH_REASON = `inner MSCHAPv2 refused: ${NT_HASH_WHY}`;

/** The refusal for an inner EAP method a PEAP peer asked for instead of GTC. */
export function refusedInnerEap(types: readonly number[]): string {
  if (types.includes(EAP_TYPE.MsChapV2)) return NT_HASH_REASON;
  if (types.length === 0) return 'the peer refused EAP-GTC inside PEAP and proposed no other method';
  return `the peer refused EAP-GTC inside PEAP and wants ${types.map(typeName).join(', ')}, which cannot carry an OTP`;
}

/**
 * Inner challenge-response would need the peer to show a second prompt
 * inside the tunnel, which the supplicants in use do not do: a challenge
 * ends the conversation.
 */
export const CHALLENGE_REASON = 'the first factor alone asks for a challenge, which cannot be answered inside EAP: send PIN and OTP together';

/** What an inner decision makes of the conversation. */
export function innerOutcome(decision: Decision): { ok: true } | { ok: false; reason: string } {
  if (decision.decision === 'accept') return { ok: true };
  if (decision.decision === 'challenge') return { ok: false, reason: CHALLENGE_REASON };
  return { ok: false, reason: decision.reason };
}

/** The decision a resumed tunnel stands for: the earlier accept, marked as resumed. */
export function resumedDecision(login: ResumableLogin): Decision {
  const { decision } = login;
  return {
    decision: 'accept',
    reason: 'eap session resumed',
    ...(decision.replyMessage !== undefined ? { replyMessage: decision.replyMessage } : {}),
    ...(decision.decision === 'accept' && decision.replyAttributes ? { replyAttributes: decision.replyAttributes } : {}),
    ...(decision.user !== undefined ? { user: decision.user } : {}),
    ...(decision.realm !== undefined ? { realm: decision.realm } : {}),
    ...(decision.serial !== undefined ? { serial: decision.serial } : {}),
  };
}
