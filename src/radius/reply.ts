// Decision -> Access-Accept / Access-Reject / Access-Challenge bytes.
// Message-Authenticator goes first (BlastRADIUS hardening: a forged prefix
// cannot be chosen around it), Proxy-State attributes are echoed in their
// order (RFC 2865), and every value is length-checked before encoding.

import type { Decision } from '../model/decision.ts';
import { signResponse } from './authenticator.ts';
import { encodeAttribute } from './codec.ts';
import { assemblePacket, ATTR, CODE, rawAttribute, type RawPacket } from './packet.ts';

const MESSAGE_AUTHENTICATOR_PLACEHOLDER = rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16));

/** Splits text into pieces of at most 253 bytes without cutting a UTF-8 character. */
export function splitText(text: string, max = 253): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let off = 0; off < bytes.length; ) {
    let end = Math.min(off + max, bytes.length);
    // Back off continuation bytes (10xxxxxx) so a character stays whole.
    while (end < bytes.length && end > off && (bytes[end]! & 0xc0) === 0x80) end--;
    out.push(bytes.subarray(off, end));
    off = end;
  }
  return out;
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function decisionCode(decision: Decision): number {
  return decision.decision === 'accept' ? CODE.AccessAccept : decision.decision === 'challenge' ? CODE.AccessChallenge : CODE.AccessReject;
}

/** The attributes of the answer, Message-Authenticator and Proxy-State excluded. */
export function decisionAttributes(decision: Decision): Buffer[] {
  const attrs: Buffer[] = [];
  if (decision.replyMessage) for (const piece of splitText(decision.replyMessage)) attrs.push(rawAttribute(ATTR.ReplyMessage, piece));
  if (decision.decision === 'challenge') {
    attrs.push(rawAttribute(ATTR.State, Buffer.from(decision.challenge.transactionId, 'latin1')));
    attrs.push(rawAttribute(ATTR.SessionTimeout, uint32(decision.challenge.timeout)));
  }
  if (decision.decision === 'accept') {
    for (const a of decision.replyAttributes ?? []) attrs.push(encodeAttribute(a.name, a.value));
  }
  return attrs;
}

/** Encodes and signs the answer to `request`; throws when it cannot fit into a RADIUS packet. */
export function encodeReply(request: RawPacket, code: number, attributes: Buffer[], secret: string): Buffer {
  const proxyStates = request.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => rawAttribute(ATTR.ProxyState, a.value));
  const packet = assemblePacket(code, request.identifier, request.authenticator, [MESSAGE_AUTHENTICATOR_PLACEHOLDER, ...attributes, ...proxyStates]);
  return signResponse(packet, request.authenticator, secret, 20, request.code);
}
