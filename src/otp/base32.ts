import { OtpInputError } from './errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// Data characters per final 8-character block that can end a valid encoding
// (RFC 4648 §6: 1, 2, 3 or 4 remaining bytes give 2, 4, 5 or 7 characters).
const VALID_TAIL = new Set([0, 2, 4, 5, 7]);

/** RFC 4648 base32, upper case; padded with '=' unless `pad` is false (otpauth URIs use no padding). */
export function base32Encode(data: Uint8Array, pad = true): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  if (pad) out += '='.repeat((8 - (out.length % 8)) % 8);
  return out;
}

/**
 * RFC 4648 base32 decoding as people paste it: case-insensitive, with or
 * without '=' padding, with spaces and hyphens between groups
 * ("JBSW Y3DP-EHPK 3PXP"). Anything else is an error naming the character and
 * its position in the text given.
 */
export function base32Decode(text: string): Buffer {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  let count = 0;
  let paddingAt = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '-' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (ch === '=') {
      if (paddingAt < 0) paddingAt = i;
      continue;
    }
    const index = ALPHABET.indexOf(ch.toUpperCase());
    if (index < 0 || paddingAt >= 0) {
      const why = index < 0 ? '' : ' after padding';
      throw new OtpInputError(`not valid base32 (character '${ch}' at ${i}${why})`);
    }
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    count++;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (!VALID_TAIL.has(count % 8)) {
    throw new OtpInputError(`not valid base32 (${count} characters: a length of 1, 3 or 6 characters past a multiple of 8 cannot be decoded)`);
  }
  return Buffer.from(bytes);
}
