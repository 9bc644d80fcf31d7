// Decision -> Access-Accept / Access-Reject / Access-Challenge bytes.
// Message-Authenticator goes first (BlastRADIUS hardening: a forged prefix
// cannot be chosen around it), Proxy-State attributes are echoed in their
// order (RFC 2865), and every value is length-checked before encoding.

import type { Decision } from '../model/decision.ts';
import { signResponse } from './authenticator.ts';
import { encodeAttribute } from './codec.ts';
import { assemblePacket, ATTR, CODE, HEADER_LENGTH, MAX_PACKET_LENGTH, rawAttribute, type RawPacket } from './packet.ts';

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

/**
 * Why `decision` could not be the answer to `request` (an attribute that
 * cannot be encoded, or more than a packet holds with `reserveBytes` of other
 * attributes added, such as EAP's), or undefined when it can.
 */
export function replyProblem(request: RawPacket, decision: Decision, reserveBytes = 0): string | undefined {
  let attributes: Buffer[];
  try {
    attributes = decisionAttributes(decision);
  } catch (err) {
    return (err as Error).message;
  }
  const proxyStates = request.attributes.filter((a) => a.type === ATTR.ProxyState).reduce((n, a) => n + a.value.length + 2, 0);
  const length = HEADER_LENGTH + MESSAGE_AUTHENTICATOR_PLACEHOLDER.length + attributes.reduce((n, a) => n + a.length, 0) + proxyStates + reserveBytes;
  return length > MAX_PACKET_LENGTH ? `the answer would be ${length} bytes, RADIUS allows ${MAX_PACKET_LENGTH}` : undefined;
}

/** Encodes and signs the answer to `request`, Message-Authenticator first unless told not to; throws when it cannot fit into a RADIUS packet. */
export function encodeReply(request: RawPacket, code: number, attributes: Buffer[], secret: string, messageAuthenticator = true): Buffer {
  const proxyStates = request.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => rawAttribute(ATTR.ProxyState, a.value));
  const packet = assemblePacket(code, request.identifier, request.authenticator, [...(messageAuthenticator ? [MESSAGE_AUTHENTICATOR_PLACEHOLDER] : []), ...attributes, ...proxyStates]);
  return signResponse(packet, request.authenticator, secret, messageAuthenticator ? 20 : undefined, request.code);
}
