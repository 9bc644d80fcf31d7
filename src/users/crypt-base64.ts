// The base64 variant of Unix crypt(3) outputs: alphabet "./0-9A-Za-z", and
// groups of three digest bytes written least significant 6 bits first.

export const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** One group: the 24-bit value b2:b1:b0 as `chars` characters, low bits first. */
function group(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++) {
    out += CRYPT_ALPHABET[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/**
 * Encodes `digest` through a byte order table: each entry names the digest
 * indexes of (b2, b1, b0) and how many characters the group yields; -1 stands
 * for a zero byte (the short last group).
 */
export function cryptBase64(digest: Buffer, order: readonly (readonly [number, number, number, number])[]): string {
  const at = (i: number): number => (i < 0 ? 0 : (digest[i] ?? 0));
  return order.map(([b2, b1, b0, chars]) => group(at(b2), at(b1), at(b0), chars)).join('');
}

export function isCryptBase64(s: string): boolean {
  return /^[./0-9A-Za-z]*$/.test(s);
}
