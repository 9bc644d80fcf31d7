// Issue 25's "shown by": e-mail, SMS and static password tokens end to end.
// The whole server with a real SMTP server and a real HTTP server playing
// the SMS gateway on loopback; tokens enrolled with the CLI; the code read
// from the received message answers the challenge over RADIUS (radclient)
// and over LinOTP's /validate/check; test-send, audit and metrics.

import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENC_KEY, encryptedSeed, hashedPin, RFC4226, writeSqlite } from '../import/linotp-fixture.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { requirePeer } from '../helpers/peers.ts';
import { startSmsGateway, type SmsGateway } from '../helpers/sms-gateway.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

type CheckAnswer = { result: { status: boolean; value: boolean }; detail?: Record<string, string> };

const stateLine = (hex: string): string => `State = 0x${hex}\n`;

/** The newest audit table row with these column values, once the table's batched write has landed. */
async function auditTableRow(dir: string, match: Record<string, string>): Promise<{ extra: string; reason: string }> {
  const where = Object.keys(match)
    .map((column) => `${column} = ?`)
    .join(' AND ');
  for (let i = 0; i < 50; i++) {
    const db = new Database(join(dir, 'tokens.db'), { readonly: true });
    try {
      const row = db.prepare(`SELECT extra, reason FROM (SELECT * FROM audit UNION ALL SELECT * FROM audit_recent) WHERE ${where} ORDER BY at_ms DESC LIMIT 1`).get(...Object.values(match)) as
        | { extra: string; reason: string }
        | undefined;
      if (row) return row;
    } finally {
      db.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no audit table row with ${JSON.stringify(match)}`);
}

describe('e-mail, SMS and static password tokens end to end', () => {
  let mail: MailServer;
  let gateway: SmsGateway;
  let s: Stack;
  let base: string;
  const serials: Record<string, string> = {};
  const check = async (params: Record<string, string>): Promise<CheckAnswer> =>
    (await (
      await fetch(`${base}/validate/check`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() })
    ).json()) as CheckAnswer;

  async function mailedCode(): Promise<string> {
    const m = await mail.nextMail();
    const code = /Your code is (\d{6})\./.exec(m.parsed.text ?? '')?.[1];
    assert.ok(code, `a code in: ${m.parsed.text}`);
    return code;
  }

  function smsCode(): string {
    const text = new URLSearchParams(gateway.requests.at(-1)!.body).get('text') ?? '';
    const code = /is (\d{6})$/.exec(text)?.[1];
    assert.ok(code, `a code in: ${text}`);
    return code;
  }

  async function enroll(args: string[], pin: string): Promise<string> {
    const r = await s.cli(['token', 'enroll', ...args, '--pin', '-'], `${pin}\n`);
    assert.equal(r.code, 0, r.stderr);
    const serial = /^serial:\s+(\S+)$/m.exec(r.stdout)?.[1];
    assert.ok(serial, r.stdout);
    return serial;
  }

  before(async () => {
    requirePeer('radclient', 'freeradius-utils');
    mail = await startMailServer({ tls: 'none' });
    gateway = await startSmsGateway();
    s = await startStack({
      yaml: `http:
  listen: { address: 127.0.0.1, port: 0 }
delivery:
  limits: { resendIntervalSeconds: 60 }
  email:
    smtp: { host: 127.0.0.1, port: ${mail.port}, tls: none }
    from: "VPN login <otp@example.org>"
    body: "Your code is {otp}. It is valid until {validUntil}."
  sms:
    url: ${gateway.origin}/ok
    params: { to: "{phone}", text: "{message}" }
    success: { status: 200, bodyRegex: "^OK" }
    defaultCountry: DE
    timeoutMs: 1000
`,
    });
    base = `http://127.0.0.1:${s.running.http!.port()}`;
    serials.email = await enroll(['--type', 'email', '--user', 'alice'], '1234');
    const sms = await s.cli(['token', 'enroll', '--type', 'sms', '--user', 'bob', '--phone', '0151 123 456 89', '--pin', '-'], '5678\n');
    assert.equal(sms.code, 0, sms.stderr);
    assert.match(sms.stdout, /^codes to: \+4915112345689$/m, 'the number is kept in E.164');
    assert.doesNotMatch(sms.stdout, /seed|otpauth/, 'the seed of a server-made token is never shown');
    serials.sms = /^serial:\s+(\S+)$/m.exec(sms.stdout)![1]!;
    serials.spass = await enroll(['--type', 'spass', '--user', 'bob'], 'bob-static-Password');
  });
  after(async () => {
    await s?.stop();
    await mail?.close();
    await gateway?.close();
  });

  test('RADIUS: PIN alone → Access-Challenge naming the masked address; the mailed code with the State → Access-Accept, once', async () => {
    const c = await s.auth('alice', '1234');
    assert.equal(c.code, 'challenge', c.stdout);
    assert.equal(c.replyMessage, 'A code was sent to a***@example.org');
    assert.match(c.stdout, /Session-Timeout = 300/);
    const code = await mailedCode();
    const a = await s.auth('alice', code, stateLine(c.state!));
    assert.equal(a.code, 'accept', a.stdout);
    assert.equal((await s.auth('alice', code, stateLine(c.state!))).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'unknown state');
    const created = s.audits().find((e) => e.decision === 'challenge' && e.user === 'alice')!;
    assert.deepEqual(created.deliveries, [{ serial: serials.email, channel: 'email', to: 'a***@example.org', result: 'sent' }]);
    const row = await auditTableRow(s.dir, { result: 'challenge', user_name: 'alice' });
    assert.deepEqual((JSON.parse(row.extra) as { deliveries?: unknown }).deliveries, created.deliveries, 'the audit table keeps the sends too');
    assert.ok(!JSON.stringify(s.logs.lines).includes(code), 'the code is in no log or audit line');
  });

  test('RADIUS: a PIN alone again within the resend interval gets the same State and no second mail', async () => {
    const first = await s.auth('alice', '1234');
    const code = await mailedCode();
    const mails = mail.received.length;
    const again = await s.auth('alice', '1234');
    assert.equal(again.code, 'challenge');
    assert.equal(again.state, first.state);
    assert.equal(again.replyMessage, 'A code was sent to a***@example.org');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(mail.received.length, mails);
    assert.equal((await s.auth('alice', code, stateLine(again.state!))).code, 'accept');
  });

  test('HTTP: /validate/check with the PIN alone opens the challenge as LinOTP does; with transactionid and the SMS code it succeeds', async () => {
    const c = await check({ user: 'bob', pass: '5678' });
    assert.deepEqual(c.result, { status: true, value: false });
    const txid = c.detail!.transactionid!;
    assert.match(txid, /^[0-9a-f]{32}$/);
    assert.deepEqual(c.detail, { transactionid: txid, message: 'A code was sent to +49*********89', state: txid, linotp_tokenserial: serials.sms });
    assert.equal(new URLSearchParams(gateway.requests.at(-1)!.body).get('to'), '+4915112345689');
    const code = smsCode();
    assert.deepEqual((await check({ user: 'bob', transactionid: txid, pass: code })).result, { status: true, value: true });
    assert.deepEqual((await check({ user: 'bob', transactionid: txid, pass: code })).result, { status: true, value: false }, 'once');
  });

  test('RADIUS: the static password alone logs in, as often as it is typed; a wrong one does not', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await s.auth('bob', 'bob-static-Password');
      assert.equal(r.code, 'accept', r.stdout);
      assert.equal(s.audits().at(-1)!.serial, serials.spass);
    }
    assert.equal((await s.auth('bob', 'bob-static-passwor')).code, 'reject');
    assert.equal(s.audits().at(-1)!.reason, 'wrong pin');
    const removed = await s.cli(['token', 'set-pin', serials.spass!, '--pin', '-'], '\n');
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, /is a static password token: its PIN is the whole password and cannot be removed/);
  });

  test('token test-send: a test message reaches the address, audited; a bad number is refused with the reason', async () => {
    const r = await s.cli(['token', 'test-send', serials.email!]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${serials.email}: test e-mail sent to alice@example\\.org`));
    const m = await mail.nextMail();
    assert.match(m.parsed.text ?? '', /Your code is TEST\./);
    await auditTableRow(s.dir, { action: 'token.test-send', result: 'ok', serial: serials.email! });
    const bad = await s.cli(['token', 'enroll', '--type', 'sms', '--user', 'alice', '--phone', '12', '--pin', '-'], '1234\n');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--phone: (too short|not a valid)/);
    const hotp = await s.cli(['token', 'enroll', '--type', 'hotp', '--user', 'alice', '--serial', 'NOT-CODES', '--no-qr']);
    assert.equal(hotp.code, 0, hotp.stderr);
    const refused = await s.cli(['token', 'test-send', 'NOT-CODES']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /NOT-CODES is a hotp token: only e-mail and SMS tokens get messages/);
    assert.match((await auditTableRow(s.dir, { action: 'token.test-send', result: 'refused' })).reason, /only e-mail and SMS tokens/);
  });

  test('a LinOTP e-mail token, imported with its address and PIN, logs in with the mailed code', async () => {
    const db = join(s.dir, 'linotp.db');
    const encKey = join(s.dir, 'encKey');
    await writeFile(encKey, ENC_KEY);
    await writeSqlite(db, [
      {
        id: 1,
        serial: 'LSEM0001',
        type: 'email',
        ...encryptedSeed(RFC4226, 'pkcs7'),
        ...hashedPin('2222'),
        count: 41,
        userId: '1002',
        resClass: 'useridresolver.PasswdIdResolver.IdResolver.local',
        info: { email_address: 'bob.linotp@example.org' },
      },
    ]);
    const imported = await s.cli(['import', 'linotp', '--db', `sqlite:${db}`, '--enckey', encKey]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^by type: email 1$/m);
    const c = await s.auth('bob', '2222');
    assert.equal(c.code, 'challenge', c.stdout);
    assert.equal(c.replyMessage, 'A code was sent to b***@example.org');
    const m = await mail.nextMail();
    assert.deepEqual(m.rcptTo, ['bob.linotp@example.org']);
    const code = /Your code is (\d{6})\./.exec(m.parsed.text ?? '')![1]!;
    assert.equal((await s.auth('bob', code, stateLine(c.state!))).code, 'accept');
  });

  test('token challenge on an e-mail token sends the code; check --state answers it', async () => {
    const opened = await s.cli(['token', 'challenge', serials.email!, '--json']);
    assert.equal(opened.code, 0, opened.stderr);
    const { transactionId, message } = JSON.parse(opened.stdout) as { transactionId: string; message: string };
    assert.equal(message, 'A code was sent to a***@example.org');
    const code = await mailedCode();
    const checked = await s.cli(['check', '--user', 'alice', '--state', transactionId, '--password', '-'], `${code}\n`);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /^accept: ok \(challenge\)/);
  });

  test('metrics count the sends by channel and outcome', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /otp_radius_deliveries_total\{channel="email",outcome="sent"\} [1-9]/);
    assert.match(text, /otp_radius_deliveries_total\{channel="sms",outcome="sent"\} [1-9]/);
  });
});
