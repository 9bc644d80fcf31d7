// Property tests of base32 and otpauth URIs: any bytes survive an encode and
// decode, as people paste them too (lower case, spaces, hyphens, with or
// without padding); any valid key survives a URI build and parse; and any
// text given to the parsers is a result or an OtpInputError, nothing else.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { base32Decode, base32Encode } from '../../src/otp/base32.ts';
import { OtpInputError } from '../../src/otp/errors.ts';
import { buildOtpauthUri, parseOtpauthUri, type OtpauthKey } from '../../src/otp/otpauth.ts';

const bytes = fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a));

/** `text` as a person might paste it: some letters in lower case, spaces or hyphens between some characters. */
function pasted(text: string): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.boolean(), fc.constantFrom('', '', '', ' ', '-', '  ')), { minLength: text.length, maxLength: text.length })
    .map((marks) => [...text].map((ch, i) => (marks[i]![0] ? ch.toLowerCase() : ch) + marks[i]![1]).join(''));
}

function onlyOtpInputError(body: () => unknown): void {
  try {
    body();
  } catch (err) {
    assert.ok(err instanceof OtpInputError, `threw ${String(err)}`);
  }
}

describe('base32 (fast-check)', () => {
  test('encode -> decode gives the bytes back, padded or not; the text is RFC 4648 upper case', () => {
    fc.assert(
      fc.property(bytes, fc.boolean(), (b, pad) => {
        const text = base32Encode(b, pad);
        assert.match(text, pad ? /^([A-Z2-7]{8})*([A-Z2-7]{2}={6}|[A-Z2-7]{4}={4}|[A-Z2-7]{5}={3}|[A-Z2-7]{7}=)?$/ : /^[A-Z2-7]*$/);
        assert.equal(text.replace(/=+$/, '').length, Math.ceil((b.length * 8) / 5));
        assert.deepEqual(base32Decode(text), b);
      }),
      { numRuns: 1000 },
    );
  });

  test('decoding takes lower case, spaces and hyphens anywhere', () => {
    fc.assert(
      fc.property(
        bytes.chain((b) => pasted(base32Encode(b, false)).map((t) => [b, t] as const)),
        ([b, text]) => {
          assert.deepEqual(base32Decode(text), b);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('any text decodes or is an OtpInputError; what decodes re-encodes to as many characters', () => {
    const alphabetish = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcz018= -\t'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(alphabetish, fc.string({ unit: 'binary', maxLength: 20 })), (text) => {
        onlyOtpInputError(() => {
          const b = base32Decode(text);
          assert.equal(base32Encode(b, false).length, text.replace(/[\s=-]/g, '').length);
        });
      }),
      { numRuns: 2000 },
    );
  });
});

// Labels are trimmed when parsed and may not start an issuer with nothing, so the keys drawn are trimmed and non-empty.
const label = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '');
const key: fc.Arbitrary<OtpauthKey> = fc
  .record({
    type: fc.constantFrom('hotp' as const, 'totp' as const),
    issuer: fc.option(
      label.filter((s) => !s.includes(':')),
      { nil: undefined },
    ),
    account: label,
    seed: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)),
    algorithm: fc.constantFrom('sha1' as const, 'sha256' as const, 'sha512' as const),
    digits: fc.integer({ min: 6, max: 8 }),
    period: fc.integer({ min: 1, max: 86400 }),
    counter: fc.maxSafeNat(),
  })
  .filter((k) => k.issuer !== undefined || !k.account.includes(':'))
  .map((k) => {
    const { issuer, period, counter, ...rest } = k;
    return { ...rest, ...(issuer !== undefined ? { issuer } : {}), ...(k.type === 'totp' ? { period } : { counter }) };
  });

describe('otpauth URIs (fast-check)', () => {
  test('build -> parse gives the key back', () => {
    fc.assert(
      fc.property(key, (k) => {
        assert.deepEqual(parseOtpauthUri(buildOtpauthUri(k)), k);
      }),
      { numRuns: 1000 },
    );
  });

  test('any text, and URIs made of otpauth pieces, parse or are an OtpInputError', () => {
    const piece = fc.constantFrom(
      'otpauth://',
      'totp',
      'hotp',
      '/',
      ':',
      '%3A',
      '%',
      '?',
      '&',
      '=',
      'secret',
      'JBSWY3DP',
      'issuer',
      'digits',
      '8',
      'period',
      'counter',
      'algorithm',
      'SHA256',
      '+',
      ' ',
      '%zz',
      '99999999999999999',
    );
    const uri = fc.array(piece, { maxLength: 16 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(uri, fc.string({ unit: 'binary', maxLength: 60 })), (text) => {
        onlyOtpInputError(() => parseOtpauthUri(text));
      }),
      { numRuns: 3000 },
    );
  });
});
