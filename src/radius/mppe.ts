// MS-MPPE-Send-Key and MS-MPPE-Recv-Key (RFC 2548 sections 2.4.2 and
// 2.4.3): how the access point learns the MSK to start WPA. Each key is
// sent as a length byte, the key and zero padding to a multiple of 16,
// XORed with an MD5 chain over the shared secret, the Request
// Authenticator and a two-byte salt whose high bit is set; every salt of
// one answer differs. The MSK's first 32 bytes are the Recv-Key, the next
// 32 the Send-Key (RFC 5216 section 2.3, as FreeRADIUS and hostapd send them).

import { hash, randomBytes } from 'node:crypto';
import { VENDOR_SPECIFIC } from './codec.ts';

export const MICROSOFT_VENDOR_ID = 311;
export const MS_MPPE_SEND_KEY = 16;
export const MS_MPPE_RECV_KEY = 17;

/** Salt (2 bytes) then the encrypted length byte, key and padding. */
export function encryptMppeKey(key: Buffer, secret: string, requestAuthenticator: Buffer, salt: Buffer): Buffer {
  if (salt.length !== 2 || (salt[0]! & 0x80) === 0) throw new RangeError('an MPPE salt is two bytes with the high bit set');
  if (key.length > 255) throw new RangeError(`an MPPE key is at most 255 bytes, got ${key.length}`);
  const plain = Buffer.alloc(Math.ceil((key.length + 1) / 16) * 16);
  plain[0] = key.length;
  key.copy(plain, 1);
  const secretBytes = Buffer.from(secret, 'utf8');
  const out = Buffer.alloc(2 + plain.length);
  salt.copy(out, 0);
  let chain = Buffer.concat([secretBytes, requestAuthenticator, salt]);
  for (let off = 0; off < plain.length; off += 16) {
    const b = hash('md5', chain, 'buffer');
    for (let i = 0; i < 16; i++) out[2 + off + i] = plain[off + i]! ^ b[i]!;
    chain = Buffer.concat([secretBytes, out.subarray(2 + off, 2 + off + 16)]);
  }
  return out;
}

/** The inverse, for tests and tools: the key from salt + ciphertext. */
export function decryptMppeKey(value: Buffer, secret: string, requestAuthenticator: Buffer): Buffer {
  if (value.length < 18 || (value.length - 2) % 16 !== 0) throw new RangeError(`an encrypted MPPE key is 2 + 16n bytes, got ${value.length}`);
  const secretBytes = Buffer.from(secret, 'utf8');
  const plain = Buffer.alloc(value.length - 2);
  let chain = Buffer.concat([secretBytes, requestAuthenticator, value.subarray(0, 2)]);
  for (let off = 0; off < plain.length; off += 16) {
    const b = hash('md5', chain, 'buffer');
    const c = value.subarray(2 + off, 2 + off + 16);
    for (let i = 0; i < 16; i++) plain[off + i] = c[i]! ^ b[i]!;
    chain = Buffer.concat([secretBytes, c]);
  }
  const length = plain[0]!;
  if (length > plain.length - 1) throw new RangeError('the MPPE key length byte exceeds the data: wrong secret or authenticator?');
  return plain.subarray(1, 1 + length);
}

function vendorAttribute(vendorType: number, value: Buffer): Buffer {
  const out = Buffer.alloc(2 + 4 + 2 + value.length);
  out[0] = VENDOR_SPECIFIC;
  out[1] = out.length;
  out.writeUInt32BE(MICROSOFT_VENDOR_ID, 2);
  out[6] = vendorType;
  out[7] = 2 + value.length;
  value.copy(out, 8);
  return out;
}

/** Two distinct random salts with the high bit set. */
function salts(): [Buffer, Buffer] {
  const first = randomBytes(2);
  first[0] = first[0]! | 0x80;
  const second = Buffer.from(first);
  second[1] = first[1]! ^ 0x01;
  return [first, second];
}

/** The MS-MPPE-Recv-Key and MS-MPPE-Send-Key attributes (Vendor-Specific, wire bytes) for an MSK. */
export function mppeKeyAttributes(msk: Buffer, secret: string, requestAuthenticator: Buffer): Buffer[] {
  if (msk.length < 64) throw new RangeError(`an MSK is 64 bytes, got ${msk.length}`);
  const [recvSalt, sendSalt] = salts();
  return [
    vendorAttribute(MS_MPPE_RECV_KEY, encryptMppeKey(msk.subarray(0, 32), secret, requestAuthenticator, recvSalt)),
    vendorAttribute(MS_MPPE_SEND_KEY, encryptMppeKey(msk.subarray(32, 64), secret, requestAuthenticator, sendSalt)),
  ];
}

/** The same keys as they are, each a string value (RADIUS/1.1, RFC 9765: TLS hides them). */
export function mppeKeyAttributesInClear(msk: Buffer): Buffer[] {
  if (msk.length < 64) throw new RangeError(`an MSK is 64 bytes, got ${msk.length}`);
  return [vendorAttribute(MS_MPPE_RECV_KEY, Buffer.from(msk.subarray(0, 32))), vendorAttribute(MS_MPPE_SEND_KEY, Buffer.from(msk.subarray(32, 64)))];
}
