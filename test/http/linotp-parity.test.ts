// What a real LinOTP 3.4.4 (with its FreeRADIUS perl plugin) does that
// otp-radius must do the same way, over the HTTP validate API and RADIUS,
// with the exact parameters the plugin and scripts send:
//   - `realm=` given apart: the user name is taken as written in that realm,
//     never split at '@' (the plugin's REALM setting sends
//     user=mia@example.org&realm=corp);
//   - `serial=` restricts the check to that token of the user;
//   - /validate/check without user or pass answers {status: true, value: false};
//   - under compat: linotp, the HOTP/TOTP challenge prompt is LinOTP's.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { API_VERSION } from '../../src/http/linotp.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { startStack, type Stack } from '../helpers/stack.ts';
import { requirePeer } from '../helpers/peers.ts';

const SEED_A = Buffer.from('12345678901234567890', 'ascii');
const SEED_B = Buffer.from('abcdefghijabcdefghij', 'ascii');

type CheckAnswer = { result: { status: boolean; value: boolean }; detail?: { message: string; transactionid: string } };

describe('LinOTP parity of the validate API', () => {
  let s: Stack;
  let dir: string;
  let base: string;
  const check = async (params: Record<string, string>): Promise<CheckAnswer> =>
    (await (
      await fetch(`${base}/validate/check`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() })
    ).json()) as CheckAnswer;

  before(async () => {
    requirePeer('radclient', 'freeradius-utils');
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-parity-'));
    // corp's directory has logins with '@' in them (e-mail addresses), and an alice of its own.
    await writeFile(join(dir, 'corp.yaml'), 'users:\n  - login: mia@example.org\n    id: "2001"\n  - login: alice\n    id: "2002"\n');
    await writeFile(join(dir, 'lab.yaml'), 'users:\n  - login: alice\n    id: "3001"\n');
    const users = [
      'resolvers:',
      `  corp: { type: file, path: ${join(dir, 'corp.yaml')} }`,
      `  lab: { type: file, path: ${join(dir, 'lab.yaml')} }`,
      'realms:',
      '  corp: { resolvers: [corp], default: true }',
      '  lab: { resolvers: [lab] }',
    ].join('\n');
    s = await startStack({ users, yaml: 'compat: linotp\nhttp:\n  listen: { address: 127.0.0.1, port: 0 }\n' });
    base = `http://127.0.0.1:${s.running.http!.port()}`;
    const enroll = async (...args: string[]): Promise<void> => {
      const r = await s.cli(['token', 'enroll', '--type', 'hotp', '--no-qr', ...args]);
      assert.equal(r.code, 0, r.stderr);
    };
    await enroll('--user', 'mia@example.org', '--realm', 'corp', '--pin', '11', '--seed-hex', SEED_A.toString('hex'), '--serial', 'MIA-1');
    await enroll('--user', 'alice', '--realm', 'corp', '--pin', '22', '--seed-hex', SEED_A.toString('hex'), '--serial', 'CORP-ALICE');
    await enroll('--user', 'alice', '--realm', 'lab', '--pin', '33', '--seed-hex', SEED_A.toString('hex'), '--serial', 'LAB-ALICE');
    await enroll('--user', 'alice', '--realm', 'corp', '--pin', '22', '--seed-hex', SEED_B.toString('hex'), '--serial', 'CORP-ALICE-2');
  });
  after(async () => {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('user=mia@example.org&realm=corp: the login as written, in realm corp: accepted', async () => {
    const r = await check({ user: 'mia@example.org', realm: 'corp', pass: `11${hotp(SEED_A, 0)}` });
    assert.deepEqual(r.result, { status: true, value: true });
    const audit = s.audits().at(-1)!;
    assert.deepEqual([audit.user, audit.realm, audit.serial, audit.reason], ['mia@example.org', 'corp', 'MIA-1', 'ok']);
  });

  test('alice@lab with realm=corp is the login "alice@lab" in corp: unknown, never alice of corp or of lab', async () => {
    for (const pin of ['22', '33']) {
      const r = await check({ user: 'alice@lab', realm: 'corp', pass: `${pin}${hotp(SEED_A, 1)}` });
      assert.deepEqual(r.result, { status: true, value: false });
      const audit = s.audits().at(-1)!;
      assert.deepEqual([audit.user, audit.realm, audit.reason], ['alice@lab', 'corp', 'unknown user']);
    }
    // Without realm=, alice@lab is split as before: alice of lab.
    const split = await check({ user: 'alice@lab', pass: `33${hotp(SEED_A, 1)}` });
    assert.deepEqual(split.result, { status: true, value: true });
    assert.equal(s.audits().at(-1)!.serial, 'LAB-ALICE');
  });

  test('serial= restricts the check to that token of the user', async () => {
    // The OTP is one of CORP-ALICE's; with serial=CORP-ALICE-2 only that other token is tried.
    const other = await check({ user: 'alice', realm: 'corp', serial: 'CORP-ALICE-2', pass: `22${hotp(SEED_A, 2)}` });
    assert.deepEqual(other.result, { status: true, value: false });
    assert.equal(s.audits().at(-1)!.serial, 'CORP-ALICE-2');
    const right = await check({ user: 'alice', realm: 'corp', serial: 'CORP-ALICE', pass: `22${hotp(SEED_A, 2)}` });
    assert.deepEqual(right.result, { status: true, value: true });
    assert.equal(s.audits().at(-1)!.serial, 'CORP-ALICE');
    // Another user's serial leaves this user no token to try.
    const foreign = await check({ user: 'alice', realm: 'corp', serial: 'MIA-1', pass: `11${hotp(SEED_A, 1)}` });
    assert.deepEqual(foreign.result, { status: true, value: false });
    assert.equal(s.audits().at(-1)!.reason, 'no token');
    // Without serial=, either token of alice logs in.
    const any = await check({ user: 'alice', realm: 'corp', pass: `22${hotp(SEED_B, 0)}` });
    assert.deepEqual(any.result, { status: true, value: true });
    assert.equal(s.audits().at(-1)!.serial, 'CORP-ALICE-2');
  });

  test('serial= with a PIN alone challenges that token only', async () => {
    const r = await check({ user: 'alice', realm: 'corp', serial: 'CORP-ALICE', pass: '22' });
    assert.deepEqual(r.result, { status: true, value: false });
    assert.equal(r.detail?.message, 'Please enter your otp value:');
    assert.equal((r.detail as unknown as { linotp_tokenserial: string }).linotp_tokenserial, 'CORP-ALICE');
  });

  test('/validate/check without user or pass: status true, value false, as LinOTP 3 answers', async () => {
    const before = s.audits().length;
    const cases: Record<string, string>[] = [{ pass: '1234' }, { user: 'alice' }, {}, { user: '', pass: '' }];
    for (const params of cases) {
      const r = (await (await fetch(`${base}/validate/check?${new URLSearchParams(params)}`)).json()) as Record<string, unknown>;
      assert.deepEqual(r, { version: API_VERSION, jsonrpc: '2.0802', result: { status: true, value: false }, id: 0 }, JSON.stringify(params));
      assert.equal(await (await fetch(`${base}/validate/simplecheck?${new URLSearchParams(params)}`)).text(), ':-(');
    }
    assert.equal(s.audits().length, before, 'nothing was authenticated');
  });

  test("compat: linotp challenge prompt over RADIUS and HTTP; the accept text of LinOTP's plugin", async () => {
    const lab = await s.auth('alice@lab', '33');
    assert.equal(lab.code, 'challenge', lab.stdout);
    assert.equal(lab.replyMessage, 'Please enter your otp value:');
    const answer = await s.auth('alice@lab', hotp(SEED_A, 5), `State = 0x${lab.state!}\n`);
    assert.equal(answer.code, 'accept', answer.stdout);
    assert.equal(answer.replyMessage, 'LinOTP access granted');
    const http = await check({ user: 'alice', realm: 'lab', pass: '33' });
    assert.equal(http.detail?.message, 'Please enter your otp value:');
    const simple = await (await fetch(`${base}/validate/simplecheck?user=alice&realm=lab&pass=33`)).text();
    assert.match(simple, /^:-\( [0-9a-f]{32} Please enter your otp value:$/);
  });
});

test('compat: linotp prompts for HOTP, TOTP, e-mail and SMS tokens, and a prompt the config sets wins', () => {
  const base = 'clients: []\ncompat: linotp\n';
  const linotp = parseConfig(base, 'c.yaml').config.policy.replyMessages.challenge;
  const ocra = 'Please answer the challenge: {challenge}';
  assert.deepEqual(linotp, { hotp: 'Please enter your otp value:', totp: 'Please enter your otp value:', ocra, email: 'e-mail sent successfully', sms: 'sms submitted' });
  const own = parseConfig(`${base}policy:\n  replyMessages:\n    challenge:\n      totp: Code from the app\n      sms: 'Code sent to {destination}'\n`, 'c.yaml').config.policy.replyMessages.challenge;
  assert.deepEqual(own, { hotp: 'Please enter your otp value:', totp: 'Code from the app', ocra, email: 'e-mail sent successfully', sms: 'Code sent to {destination}' });
  const plain = parseConfig('clients: []\n', 'c.yaml').config.policy.replyMessages.challenge;
  assert.deepEqual([plain.hotp, plain.email, plain.sms], ['Please enter your OTP', 'A code was sent to {destination}', 'A code was sent to {destination}']);
});
