import { randomBytes } from 'node:crypto';
import type { OtpAlgorithm } from './algorithm.ts';
import { HASH_BYTES, isOtpAlgorithm } from './algorithm.ts';
import { base32Decode } from './base32.ts';
import { OtpInputError } from './errors.ts';

export type SeedEncoding = 'base32' | 'hex';

/** RFC 4226 §4 R6: a shared secret of at least 128 bits. */
export const MIN_SEED_BYTES = 16;
const MAX_SEED_BYTES = 1024;

/**
 * A seed as an administrator or an import file writes it. Whitespace between
 * groups is ignored in both encodings. Short seeds are accepted (many
 * authenticator apps use 80-bit secrets); only an empty one is refused.
 */
export function parseSeed(text: string, encoding: SeedEncoding): Buffer {
  let seed: Buffer;
  if (encoding === 'hex') {
    seed = parseHex(text);
  } else if (encoding === 'base32') {
    try {
      seed = base32Decode(text);
    } catch (err) {
      throw new OtpInputError(`seed: ${(err as Error).message}`);
    }
  } else {
    throw new OtpInputError(`seed: unknown encoding '${String(encoding)}', expected base32 or hex`);
  }
  if (seed.length === 0) throw new OtpInputError(`seed: empty (no ${encoding} digits given)`);
  return seed;
}

function parseHex(text: string): Buffer {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/\s/.test(ch)) continue;
    if (!/[0-9a-fA-F]/.test(ch)) throw new OtpInputError(`seed: not valid hex (character '${ch}' at ${i})`);
    digits += ch;
  }
  if (digits.length % 2 !== 0) {
    throw new OtpInputError(`seed: not valid hex (odd number of digits: ${digits.length})`);
  }
  return Buffer.from(digits, 'hex');
}

/** The seed length used when none is asked for: the hash's output size. */
export function defaultSeedBytes(algorithm: OtpAlgorithm): number {
  return HASH_BYTES[algorithm];
}

/** A fresh random seed: `size` bytes, or the default length for an algorithm (sha1 when nothing is given). */
export function generateSeed(size: number | OtpAlgorithm = 'sha1'): Buffer {
  const bytes = isOtpAlgorithm(size) ? defaultSeedBytes(size) : size;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < MIN_SEED_BYTES || bytes > MAX_SEED_BYTES) {
    throw new OtpInputError(`seed length: expected ${MIN_SEED_BYTES} to ${MAX_SEED_BYTES} bytes or sha1/sha256/sha512, got ${String(size)}`);
  }
  return randomBytes(bytes);
}
