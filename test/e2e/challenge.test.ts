// Issue 4's "shown by": challenge-response over RADIUS with State, for HOTP
// and OCRA, and a challenge answered on another server process.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { freeUdpPort } from '../helpers/radius.ts';
import { oathtool, spawnServe, startStack, writeStackConfig, type Stack } from '../helpers/stack.ts';
import { radclient, SECRET } from '../helpers/radius.ts';
import { parseRadclient } from '../helpers/stack.ts';

const SEED_HEX = '3132333435363738393031323334353637383930';

/** RFC 6287 §5 for suites "OCRA-1:HOTP-SHA1-6:QNxx", written from the RFC's formula, not from src/otp. */
function rfcOcraQn(suite: string, keyHex: string, question: string): string {
  const q = BigInt(question).toString(16).toUpperCase();
  const qField = Buffer.from(q.padEnd(256, '0'), 'hex');
  const message = Buffer.concat([Buffer.from(suite, 'ascii'), Buffer.from([0]), qField]);
  const mac = createHmac('sha1', Buffer.from(keyHex, 'hex')).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(bin).padStart(6, '0');
}

const stateLine = (hex: string) => `State = 0x${hex}\n`;

describe('challenge-response', () => {
  let s: Stack;
  let clock = Math.floor(Date.now() / 1000);
  before(async () => {
    s = await startStack({ now: () => clock });
    let r = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--pin', '1234', '--seed-hex', SEED_HEX, '--serial', 'CR-HOTP', '--no-qr']);
    assert.equal(r.code, 0, r.stderr);
    r = await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'ocra', '--ocrasuite', 'OCRA-1:HOTP-SHA1-6:QN08', '--pin', '9876', '--seed-hex', SEED_HEX, '--serial', 'CR-OCRA', '--no-qr']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => s.stop());
  const hotpAt = (c: number) => oathtool(['--hotp', SEED_HEX, '-c', String(c)]);

  test('PIN alone → Access-Challenge with State, prompt and Session-Timeout; the OTP with that State → Accept', async () => {
    const c = await s.auth('alice', '1234');
    assert.equal(c.code, 'challenge', c.stdout);
    assert.match(c.state!, /^[0-9a-f]{64}$/, '32 hex characters of transaction id, as ASCII');
    assert.equal(c.replyMessage, 'Please enter your OTP');
    assert.match(c.stdout, /Session-Timeout = 120/);
    const a = await s.auth('alice', await hotpAt(0), stateLine(c.state!));
    assert.equal(a.code, 'accept', a.stdout);
    const again = await s.auth('alice', await hotpAt(1), stateLine(c.state!));
    assert.equal(again.code, 'reject', 'an answered transaction is gone');
    assert.equal(s.audits().at(-1)!.reason, 'unknown state');
  });

  test('PIN+OTP in one request keeps working beside challenges', async () => {
    assert.equal((await s.auth('alice', `1234${await hotpAt(1)}`)).code, 'accept');
  });

  test('a wrong answer counts and leaves the transaction open until maxAttempts', async () => {
    const c = await s.auth('alice', '1234');
    assert.equal(c.code, 'challenge');
    assert.equal((await s.auth('alice', '000000', stateLine(c.state!))).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'wrong otp');
    assert.equal((await s.auth('alice', await hotpAt(2), stateLine(c.state!))).code, 'accept', 'still open after one wrong answer');
    const d = await s.auth('alice', '1234');
    for (let i = 0; i < 3; i++) await s.auth('alice', '000000', stateLine(d.state!));
    assert.equal(s.audits().at(-1)!.reason, 'wrong otp, challenge closed');
    assert.equal((await s.auth('alice', await hotpAt(3), stateLine(d.state!))).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'unknown state');
  });

  test('unknown, foreign and expired State are rejected with their reasons', async () => {
    assert.equal((await s.auth('alice', await hotpAt(3), stateLine('41'.repeat(32)))).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'unknown state');
    const c = await s.auth('alice', '1234');
    const foreign = await s.auth('bob', await hotpAt(3), stateLine(c.state!));
    assert.equal(foreign.code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'state of another user');
    clock += 121;
    assert.equal((await s.auth('alice', await hotpAt(3), stateLine(c.state!))).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'challenge expired');
  });

  test('OCRA (RFC 6287 key, OCRA-1:HOTP-SHA1-6:QN08): the question in Reply-Message, the RFC formula answers it', async () => {
    const c = await s.auth('bob', '9876');
    assert.equal(c.code, 'challenge', c.stdout);
    const question = /(\d{8})/.exec(c.replyMessage ?? '')?.[1];
    assert.ok(question, `question in "${c.replyMessage}"`);
    const wrong = await s.auth('bob', rfcOcraQn('OCRA-1:HOTP-SHA1-6:QN08', SEED_HEX, question === '00000000' ? '11111111' : '00000000'), stateLine(c.state!));
    assert.equal(wrong.code, 'reject');
    const a = await s.auth('bob', rfcOcraQn('OCRA-1:HOTP-SHA1-6:QN08', SEED_HEX, question), stateLine(c.state!));
    assert.equal(a.code, 'accept', a.stdout);
  });

  test('the independent OCRA formula agrees with RFC 6287 C.1', () => {
    assert.equal(rfcOcraQn('OCRA-1:HOTP-SHA1-6:QN08', SEED_HEX, '00000000'), '237653');
    assert.equal(rfcOcraQn('OCRA-1:HOTP-SHA1-6:QN08', SEED_HEX, '99999999'), '294470');
  });

  test('token challenge and check --state: the CLI opens and answers a transaction like /validate/check', async () => {
    const opened = await s.cli(['token', 'challenge', 'CR-OCRA', '--json']);
    assert.equal(opened.code, 0, opened.stderr);
    const { transactionId, challenge } = JSON.parse(opened.stdout) as { transactionId: string; challenge: string };
    const answer = rfcOcraQn('OCRA-1:HOTP-SHA1-6:QN08', SEED_HEX, challenge);
    const checked = await s.cli(['check', '--user', 'bob', '--state', transactionId, '--password', answer]);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /^accept: ok \(challenge\)/);
  });

  test('a challenge created on one server process is answered on another sharing the store', async () => {
    const port = await freeUdpPort();
    const other = await spawnServe(await writeStackConfig(s.dir, port));
    try {
      clock = Math.floor(Date.now() / 1000);
      const c = await s.auth('alice', '1234');
      assert.equal(c.code, 'challenge');
      const r = await radclient(['-x', '-r', '1', '-t', '3', `127.0.0.1:${port}`, 'auth', SECRET], `User-Name = "alice"\nUser-Password = "${await hotpAt(4)}"\n${stateLine(c.state!)}`);
      assert.equal(parseRadclient(r.stdout).code, 'accept', r.stdout + other.output());
    } finally {
      other.child.kill('SIGTERM');
    }
  });
});
