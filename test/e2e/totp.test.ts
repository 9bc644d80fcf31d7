// Issue 3's "shown by", through UDP with radclient: TOTP and HOTP tokens
// enrolled with the CLI, codes from oathtool.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startStack, oathtool, type Stack } from '../helpers/stack.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // RFC 4226 "12345678901234567890"
const SEED_HEX = '3132333435363738393031323334353637383930';

describe('TOTP and HOTP end to end', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
  });
  after(async () => s.stop());

  test('enroll with the CLI, PIN+oathtool code accepted once, replay rejected, wrong PIN rejected', async () => {
    const enrolled = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', '1234', '--seed', SEED, '--serial', 'TOTP-A', '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    assert.match(enrolled.stdout, /serial:\s+TOTP-A/);
    assert.match(enrolled.stdout, /otpauth:\/\/totp\/otp-radius:alice\?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ/);

    const code = await oathtool(['--totp', '-b', SEED]);
    const ok = await s.auth('alice', `1234${code}`);
    assert.equal(ok.code, 'accept', ok.stdout);
    const again = await s.auth('alice', `1234${code}`);
    assert.equal(again.code, 'reject');
    const wrongPin = await s.auth('alice', `9999${await oathtool(['--totp', '-b', SEED, '-N', 'now + 30 seconds'])}`);
    assert.equal(wrongPin.code, 'reject');
    const reasons = s
      .audits()
      .slice(-3)
      .map((a) => a.reason);
    assert.deepEqual(reasons, ['ok', 'replay', 'wrong pin']);
    for (const a of s.audits()) assert.equal(JSON.stringify(a).includes(code), false, 'no password in the audit log');
  });

  test('a code two steps old is accepted (within the window), an older one after it is a replay', async () => {
    await s.cli(['token', 'reset', 'TOTP-A']);
    // The previous test used "now" and wrong-pin tried now+30s: use codes ahead so the counter allows them.
    const ahead = await oathtool(['--totp', '-b', SEED, '-N', 'now + 90 seconds']);
    assert.equal((await s.auth('alice', `1234${ahead}`)).code, 'accept');
    const old = await oathtool(['--totp', '-b', SEED, '-N', 'now - 60 seconds']);
    assert.equal((await s.auth('alice', `1234${old}`)).code, 'reject', 'older than the last accepted step');
  });

  test('two steps old accepted on a fresh token', async () => {
    await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'totp', '--pin', '55', '--seed-hex', SEED_HEX, '--serial', 'TOTP-B', '--no-qr']);
    const old = await oathtool(['--totp', '-b', SEED, '-N', 'now - 60 seconds']);
    const r = await s.auth('bob', `55${old}`);
    assert.equal(r.code, 'accept', r.stdout);
  });

  test('HOTP: counter window, then autosync with two consecutive codes 50 ahead', async () => {
    const e = await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'hotp', '--pin', '77', '--seed-hex', SEED_HEX, '--serial', 'HOTP-B', '--no-qr']);
    assert.equal(e.code, 0, e.stderr);
    const at = (c: number) => oathtool(['--hotp', SEED_HEX, '-c', String(c)]);
    assert.equal((await s.auth('bob', `77${await at(3)}`)).code, 'accept', 'within the window of 10');
    assert.equal((await s.auth('bob', `77${await at(2)}`)).code, 'reject', 'behind the counter');
    const first = await s.auth('bob', `77${await at(54)}`);
    assert.equal(first.code, 'reject', 'beyond the window: remembered for autosync');
    assert.equal(s.audits().at(-1)!.reason, 'otp out of window (clock drift?), autosync pending');
    const second = await s.auth('bob', `77${await at(55)}`);
    assert.equal(second.code, 'accept', 'the directly following code resyncs');
    assert.equal(s.audits().at(-1)!.reason, 'ok (autosync)');
    assert.equal((await s.auth('bob', `77${await at(56)}`)).code, 'accept', 'and the token goes on from there');
    assert.equal((await s.auth('bob', `77${await at(55)}`)).code, 'reject');
  });

  test('10 wrong attempts lock the token; the right code is rejected until token reset', async () => {
    await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--pin', '4321', '--seed-hex', SEED_HEX, '--serial', 'HOTP-LOCK', '--no-qr']);
    // alice also has TOTP-A: a wrong OTP after the right PIN of HOTP-LOCK blames HOTP-LOCK only.
    for (let i = 0; i < 10; i++) assert.equal((await s.auth('alice', `4321${String(100000 + i)}`)).code, 'reject');
    const show = await s.cli(['token', 'show', 'HOTP-LOCK', '--json']);
    const row = JSON.parse(show.stdout) as { state: string; failCount: number };
    assert.equal(row.state, 'locked');
    assert.equal(row.failCount, 10);
    const code = await oathtool(['--hotp', SEED_HEX, '-c', '0']);
    assert.equal((await s.auth('alice', `4321${code}`)).code, 'reject');
    assert.match(String(s.audits().at(-1)!.reason), /locked|wrong pin/);
    const reset = await s.cli(['token', 'reset', 'HOTP-LOCK']);
    assert.equal(reset.code, 0);
    assert.equal((await s.auth('alice', `4321${code}`)).code, 'accept');
  });

  test('a disabled token rejects; enabled again it accepts', async () => {
    const at = (c: number) => oathtool(['--hotp', SEED_HEX, '-c', String(c)]);
    assert.equal((await s.cli(['token', 'disable', 'HOTP-LOCK'])).code, 0);
    assert.equal((await s.auth('alice', `4321${await at(1)}`)).code, 'reject');
    assert.equal((await s.cli(['token', 'enable', 'HOTP-LOCK'])).code, 0);
    assert.equal((await s.auth('alice', `4321${await at(1)}`)).code, 'accept');
  });

  test('token resync by hand', async () => {
    const at = (c: number) => oathtool(['--hotp', SEED_HEX, '-c', String(c)]);
    const r = await s.cli(['token', 'resync', 'HOTP-LOCK', await at(200), await at(201)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.auth('alice', `4321${await at(201)}`)).code, 'reject', 'the resync pair is used');
    assert.equal((await s.auth('alice', `4321${await at(202)}`)).code, 'accept');
    const bad = await s.cli(['token', 'resync', 'HOTP-LOCK', await at(300), await at(302)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not consecutive/);
  });

  test('unknown user and user without token are rejected with their reasons', async () => {
    assert.equal((await s.auth('mallory', '1234123456')).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'unknown user');
  });
});
