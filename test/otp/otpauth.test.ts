import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildOtpauthUri, parseOtpauthUri } from '../../src/otp/otpauth.ts';
import type { OtpauthKey } from '../../src/otp/otpauth.ts';

const SEED = Buffer.from('Hello!\xde\xad\xbe\xef', 'latin1'); // JBSWY3DPEHPK3PXP

test('builds a TOTP URI in the Key Uri Format', () => {
  const uri = buildOtpauthUri({ type: 'totp', issuer: 'ACME Co', account: 'john.doe@example.com', seed: SEED, algorithm: 'sha256', digits: 8, period: 60 });
  assert.equal(uri, 'otpauth://totp/ACME%20Co:john.doe%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60');
});

test('builds a HOTP URI with its counter and no period; TOTP period defaults to 30', () => {
  assert.equal(
    buildOtpauthUri({ type: 'hotp', account: 'alice', seed: SEED, algorithm: 'sha1', digits: 6, counter: 42 }),
    'otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&counter=42',
  );
  assert.match(buildOtpauthUri({ type: 'totp', account: 'a', seed: SEED, algorithm: 'sha512', digits: 6 }), /algorithm=SHA512&digits=6&period=30$/);
});

test('parses the Key Uri Format example and applies defaults', () => {
  const key = parseOtpauthUri('otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example');
  assert.deepEqual(key, { type: 'totp', issuer: 'Example', account: 'alice@google.com', seed: SEED, algorithm: 'sha1', digits: 6, period: 30 });
});

test('parse: %3A separator, label-only issuer, padded lower-case secret, + as space', () => {
  const key = parseOtpauthUri('OTPAUTH://TOTP/Big%20Corp%3Ajohn?secret=jbswy3dpehpk3pxp%3D%3D%3D&digits=8&algorithm=sha512');
  assert.equal(key.issuer, 'Big Corp');
  assert.equal(key.account, 'john');
  assert.deepEqual(key.seed, SEED);
  assert.equal(key.digits, 8);
  assert.equal(key.algorithm, 'sha512');
  assert.equal(parseOtpauthUri('otpauth://totp/x?secret=JBSWY3DP&issuer=My+Org').issuer, 'My Org');
  assert.equal(parseOtpauthUri('otpauth://totp/x?secret=JBSWY3DP').issuer, undefined);
  // The issuer parameter wins over the label prefix.
  assert.equal(parseOtpauthUri('otpauth://totp/Old:x?secret=JBSWY3DP&issuer=New').issuer, 'New');
});

test('round trips over random keys', () => {
  const types = ['hotp', 'totp'] as const;
  const algorithms = ['sha1', 'sha256', 'sha512'] as const;
  const issuers = [undefined, 'ACME', 'Ünïcode & Sons', 'a/b?c=d#e%f'];
  const accounts = ['bob', 'j.doe@example.com', 'name with spaces', 'x:y+z&w'];
  for (let i = 0; i < 40; i++) {
    const type = types[i % 2]!;
    const issuer = issuers[i % issuers.length];
    const account = issuer === undefined ? accounts[i % 3]! : accounts[i % accounts.length]!;
    const key: OtpauthKey = { type, account, seed: randomBytes(10 + i), algorithm: algorithms[i % 3]!, digits: 6 + (i % 3) };
    if (issuer !== undefined) key.issuer = issuer;
    if (type === 'totp') key.period = 15 + i;
    else key.counter = i * 1000;
    assert.deepEqual(parseOtpauthUri(buildOtpauthUri(key)), key);
  }
});

test('build refuses bad keys with specific errors', () => {
  const good: OtpauthKey = { type: 'totp', account: 'a', seed: SEED, algorithm: 'sha1', digits: 6 };
  assert.throws(() => buildOtpauthUri({ ...good, type: 'hotp' }), { name: 'OtpInputError', message: 'otpauth URI: hotp needs a counter' });
  assert.throws(() => buildOtpauthUri({ ...good, type: 'hotp', counter: -1 }), /counter must be a non-negative integer, got -1/);
  assert.throws(() => buildOtpauthUri({ ...good, digits: 5 }), /digits must be 6, 7 or 8, got 5/);
  assert.throws(() => buildOtpauthUri({ ...good, algorithm: 'md5' as never }), /algorithm must be SHA1, SHA256 or SHA512, got 'md5'/);
  assert.throws(() => buildOtpauthUri({ ...good, period: 0 }), /period must be a positive whole number of seconds, got 0/);
  assert.throws(() => buildOtpauthUri({ ...good, account: '' }), /the account name is empty/);
  assert.throws(() => buildOtpauthUri({ ...good, seed: Buffer.alloc(0) }), /the secret is empty/);
  assert.throws(() => buildOtpauthUri({ ...good, issuer: 'a:b' }), /the issuer must not contain ':'/);
  assert.throws(() => buildOtpauthUri({ ...good, account: 'a:b' }), /the account must not contain ':' when there is no issuer/);
});

test('parse refuses bad URIs with specific errors that do not leak the secret', () => {
  const cases: Array<[string, RegExp]> = [
    ['https://totp/x?secret=JBSWY3DP', /expected a URI starting with 'otpauth:\/\/', got 'https:\/\/\.\.\.'/],
    ['JBSWY3DPEHPK3PXP', /expected a URI starting with 'otpauth:\/\/', got text without a scheme/],
    ['otpauth://motp/x?secret=JBSWY3DP', /unknown type 'motp', expected hotp or totp/],
    ['otpauth://JBSWY3DPEHPK3PXP', /unknown type of 16 characters, expected hotp or totp/],
    ['otpauth://totp', /missing the label/],
    ['otpauth://totp/?secret=JBSWY3DP', /missing the account name in the label/],
    ['otpauth://totp/Issuer:?secret=JBSWY3DP', /missing the account name in the label/],
    ['otpauth://totp/x', /missing the secret parameter/],
    ['otpauth://totp/x?secret=', /missing the secret parameter/],
    ['otpauth://totp/x?secret=JBSW1Y3DP', /secret is not valid base32 \(character '1' at 4\)/],
    ['otpauth://hotp/x?secret=JBSWY3DP', /hotp needs a counter parameter/],
    ['otpauth://hotp/x?secret=JBSWY3DP&counter=-3', /counter must be a non-negative integer, got '-3'/],
    ['otpauth://hotp/x?secret=JBSWY3DP&counter=99999999999999999', /counter must be a non-negative integer, got '99999999999999999'/],
    ['otpauth://totp/x?secret=JBSWY3DP&digits=10', /digits must be 6, 7 or 8, got '10'/],
    ['otpauth://totp/x?secret=JBSWY3DP&digits=six', /digits must be 6, 7 or 8, got 'six'/],
    ['otpauth://totp/x?secret=JBSWY3DP&algorithm=MD5', /algorithm must be SHA1, SHA256 or SHA512, got 'MD5'/],
    ['otpauth://totp/x?secret=JBSWY3DP&period=0', /period must be a positive whole number of seconds, got '0'/],
    ['otpauth://totp/x?secret=JBSWY3DP&period=1.5', /period must be a non-negative integer, got '1.5'/],
    ['otpauth://totp/a%E0%A4%A:b?secret=JBSWY3DP', /the label has a malformed %-escape/],
  ];
  for (const [uri, message] of cases) {
    assert.throws(
      () => parseOtpauthUri(uri),
      (err: Error) => {
        assert.equal(err.name, 'OtpInputError', uri);
        assert.match(err.message, message, uri);
        assert.doesNotMatch(err.message, /JBSWY3DP/, `${uri}: leaks the secret`);
        return true;
      },
    );
  }
});
