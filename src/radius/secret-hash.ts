// The MD5 and HMAC-MD5 that RADIUS keys with a NAS's shared secret: the
// Request and Response Authenticators, Message-Authenticator, and the
// User-Password hiding. A request needs three or four of them over a few
// dozen bytes, where node:crypto's setup per call (a Hash or Hmac object, the
// HMAC key imported from the string anew) cost more than the hashing: about
// 10% of a worker's time at 8,000 accepts/s. Here the secret's bytes and its
// HMAC key blocks (RFC 2104) are made once per secret, and each hash is one
// `crypto.hash` call over a buffer that is reused, so nothing is allocated
// but the digest.
//
// The reused buffers are module state: every call finishes synchronously, and
// each worker thread or process has its own copy of this module.

import { hash } from 'node:crypto';

const BLOCK = 64;
/** The largest RADIUS packet (RFC 2865 3); the scratch grows if ever asked for more. */
const MAX_PACKET = 4096;

interface SecretBlocks {
  bytes: Buffer;
  /** The HMAC key XOR 0x36, then XOR 0x5c, each one block long. */
  ipad: Buffer;
  opad: Buffer;
}

// Secrets come from the configuration, one per NAS client; a reload can
// replace them all, so the memo is dropped when it grows past any real count.
const MAX_SECRETS = 4096;
const bySecret = new Map<string, SecretBlocks>();

function blocksOf(secret: string): SecretBlocks {
  let b = bySecret.get(secret);
  if (b) return b;
  const bytes = Buffer.from(secret, 'utf8');
  // RFC 2104: a key longer than the block is replaced by its hash.
  const key = bytes.length > BLOCK ? hash('md5', bytes, 'buffer') : bytes;
  const ipad = Buffer.alloc(BLOCK, 0x36);
  const opad = Buffer.alloc(BLOCK, 0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  if (bySecret.size >= MAX_SECRETS) bySecret.clear();
  b = { bytes, ipad, opad };
  bySecret.set(secret, b);
  return b;
}

let scratch = Buffer.alloc(BLOCK + MAX_PACKET);
const outer = Buffer.alloc(BLOCK + 16);

function scratchOf(length: number): Buffer {
  if (scratch.length < length) scratch = Buffer.alloc(length);
  return scratch;
}

/**
 * HMAC-MD5 keyed by the secret over `packet` as it would be with its
 * authenticator field (bytes 4-19) set to `authenticatorField` and, when
 * `zeroAt` is given, the 16 bytes from there zeroed. `packet` is not changed.
 */
export function packetHmac(secret: string, packet: Buffer, authenticatorField?: Buffer, zeroAt?: number): Buffer {
  const { ipad, opad } = blocksOf(secret);
  const s = scratchOf(BLOCK + packet.length);
  ipad.copy(s, 0);
  packet.copy(s, BLOCK);
  authenticatorField?.copy(s, BLOCK + 4, 0, 16);
  if (zeroAt !== undefined) s.fill(0, BLOCK + zeroAt, BLOCK + zeroAt + 16);
  const inner = hash('md5', s.subarray(0, BLOCK + packet.length), 'buffer');
  opad.copy(outer, 0);
  inner.copy(outer, BLOCK);
  return hash('md5', outer, 'buffer');
}

/** MD5(packet with its authenticator field set to `authenticatorField`, then the secret): the authenticators of RFC 2865 3 and RFC 2866 3. */
export function packetMd5(packet: Buffer, authenticatorField: Buffer, secret: string): Buffer {
  const { bytes } = blocksOf(secret);
  const s = scratchOf(packet.length + bytes.length);
  packet.copy(s, 0);
  authenticatorField.copy(s, 4, 0, 16);
  bytes.copy(s, packet.length);
  return hash('md5', s.subarray(0, packet.length + bytes.length), 'buffer');
}

/** MD5(secret, then 16 bytes): the User-Password keystream of RFC 2865 5.2. */
export function secretMd5(secret: string, block: Buffer): Buffer {
  const { bytes } = blocksOf(secret);
  const s = scratchOf(bytes.length + 16);
  bytes.copy(s, 0);
  block.copy(s, bytes.length, 0, 16);
  return hash('md5', s.subarray(0, bytes.length + 16), 'buffer');
}
