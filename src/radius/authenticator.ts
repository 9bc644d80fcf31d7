// Packet integrity on raw bytes: Request and Response Authenticators (RFC
// 2865/2866), Message-Authenticator (RFC 3579, RFC 5080 2.2.2), and the
// User-Password hiding (RFC 2865 5.2). Comparisons are constant-time.

import { timingSafeEqual } from 'node:crypto';
import { ATTR, CODE, type RawAttribute, type RawPacket } from './packet.ts';
import { packetHmac, packetMd5, secretMd5 } from './secret-hash.ts';

const ZERO16 = Buffer.alloc(16);

/**
 * Checks a request's Message-Authenticator. Access-Request and Status-Server
 * use their Request Authenticator in the computation; Accounting-Request uses
 * sixteen zero bytes there (RFC 5080 2.2.2).
 */
export function verifyRequestMessageAuthenticator(packet: RawPacket, ma: RawAttribute, secret: string): boolean {
  if (ma.value.length !== 16) return false;
  const field = packet.code === CODE.AccountingRequest ? ZERO16 : packet.authenticator;
  return timingSafeEqual(packetHmac(secret, packet.data, field, ma.offset + 2), ma.value);
}

/** Accounting-Request authenticator: MD5(code, id, length, 16 zero bytes, attributes, secret) (RFC 2866 3). */
export function verifyAccountingRequestAuthenticator(packet: RawPacket, secret: string): boolean {
  return timingSafeEqual(packetMd5(packet.data, ZERO16, secret), packet.authenticator);
}

/**
 * Finishes a response assembled with its Message-Authenticator (if any) at
 * maOffset zeroed: fills Message-Authenticator, then the Response
 * Authenticator MD5(code, id, length, request authenticator, attributes, secret).
 */
export function signResponse(response: Buffer, requestAuthenticator: Buffer, secret: string, maOffset: number | undefined, requestCode: number): Buffer {
  // An Accounting-Response to an Accounting-Request signs its Message-Authenticator over a
  // zero authenticator field, as FreeRADIUS verifies it; Access answers use the request's.
  (response[0] === CODE.AccountingResponse && requestCode === CODE.AccountingRequest ? ZERO16 : requestAuthenticator).copy(response, 4);
  if (maOffset !== undefined) {
    packetHmac(secret, response).copy(response, maOffset + 2);
  }
  packetMd5(response, requestAuthenticator, secret).copy(response, 4);
  return response;
}

/** Signs a request we send (tests, benchmark): random authenticator, Message-Authenticator over it. */
export function signAccessRequest(request: Buffer, secret: string, maOffset: number | undefined): Buffer {
  if (maOffset !== undefined) packetHmac(secret, request).copy(request, maOffset + 2);
  return request;
}

/** Response check for our own client: authenticator and, when present, Message-Authenticator. */
export function verifyResponse(response: RawPacket, requestAuthenticator: Buffer, secret: string): boolean {
  if (!timingSafeEqual(packetMd5(response.data, requestAuthenticator, secret), response.authenticator)) return false;
  const ma = response.attributes.find((a) => a.type === ATTR.MessageAuthenticator);
  if (!ma) return true;
  return ma.value.length === 16 && timingSafeEqual(packetHmac(secret, response.data, requestAuthenticator, ma.offset + 2), ma.value);
}

/**
 * The revealed User-Password: its bytes up to the NUL padding, and whether
 * the padding was NULs. Dirty padding proves a wrong shared secret (a NAS
 * pads with NULs, RFC 2865 5.2); clean padding, or none (a password of 16,
 * 32 ... bytes), proves nothing either way, and neither do bytes that are
 * not UTF-8: those are a password that cannot match.
 */
export type PasswordResult = { ok: true; password: Buffer; padding: 'nuls' | 'none' | 'dirty' } | { ok: false; why: 'bad-length' };

/** Reveals User-Password (RFC 2865 5.2). */
export function decryptPassword(hidden: Buffer, secret: string, requestAuthenticator: Buffer): PasswordResult {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return { ok: false, why: 'bad-length' };
  const plain = Buffer.alloc(hidden.length);
  let prev: Buffer = requestAuthenticator;
  for (let off = 0; off < hidden.length; off += 16) {
    const b = secretMd5(secret, prev);
    for (let i = 0; i < 16; i++) plain[off + i] = hidden[off + i]! ^ b[i]!;
    prev = hidden.subarray(off, off + 16);
  }
  const nul = plain.indexOf(0);
  if (nul < 0) return { ok: true, password: plain, padding: 'none' };
  for (let i = nul; i < plain.length; i++) if (plain[i] !== 0) return { ok: true, password: plain.subarray(0, nul), padding: 'dirty' };
  return { ok: true, password: plain.subarray(0, nul), padding: 'nuls' };
}

export function encryptPassword(password: string | Buffer, secret: string, requestAuthenticator: Buffer): Buffer {
  const raw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (raw.length > 128) throw new RangeError('User-Password longer than 128 bytes');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(raw.length / 16) * 16));
  raw.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev: Buffer = requestAuthenticator;
  for (let off = 0; off < padded.length; off += 16) {
    const b = secretMd5(secret, prev);
    for (let i = 0; i < 16; i++) out[off + i] = padded[off + i]! ^ b[i]!;
    prev = out.subarray(off, off + 16);
  }
  return out;
}
