// E-mail and SMS codes through the authentication service, with a real
// SMTP server and a real HTTP server playing the SMS gateway on loopback,
// over a real (in-memory) SQLite store: the code read from the message
// answers the challenge once; resend interval, expiry, rate limits,
// failures of each kind, several tokens, and the answer checked to fit
// before anything is sent.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createAuthContext, type DeliveryOutcome } from '../../src/auth/context.ts';
import { AuthService } from '../../src/auth/service.ts';
import { createDelivery } from '../../src/delivery/delivery.ts';
import type { DeliveryLimits, EmailOptions, SmsOptions } from '../../src/delivery/options.ts';
import { StoreDeliveryLimiter } from '../../src/delivery/store-limiter.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import type { Decision } from '../../src/model/decision.ts';
import { DEFAULT_POLICY, type AuthPolicy } from '../../src/model/policy.ts';
import type { NewToken } from '../../src/model/token.ts';
import { openSqliteStore, type KeyedTokenStore } from '../../src/store/index.ts';
import type { User } from '../../src/users/types.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { startSmsGateway, type SmsGateway } from '../helpers/sms-gateway.ts';

const ALICE: User = { resolver: 'local', id: '1', login: 'alice', email: 'alice@example.org', groups: [], attributes: { mobile: '0151 123 456 89' } };
const BOB: User = { resolver: 'local', id: '2', login: 'bob', groups: [], attributes: {} };
const LIMITS: DeliveryLimits = { resendIntervalMs: 60_000, maxPerHourPerUser: 10, maxPerHourPerDestination: 10 };

let mail: MailServer;
let gateway: SmsGateway;
before(async () => {
  mail = await startMailServer({ tls: 'none' });
  gateway = await startSmsGateway();
});
after(async () => {
  await mail.close();
  await gateway.close();
});

function emailOptions(): EmailOptions {
  return {
    smtp: { host: '127.0.0.1', port: mail.port, tls: 'none', tlsVerify: false, maxConnections: 2 },
    from: 'VPN login <otp@example.org>',
    subject: 'Your login code',
    body: 'Your code is {otp}. It is valid until {validUntil}.',
    timeoutMs: 2000,
  };
}

function smsOptions(path = '/ok', over: Partial<SmsOptions> = {}): SmsOptions {
  return {
    url: `${gateway.origin}${path}`,
    method: 'POST',
    params: { to: '{phone}', text: '{message}' },
    body: 'form',
    headers: {},
    message: 'Your login code is {otp}',
    success: { status: [200], bodyRegex: /^OK/ },
    timeoutMs: 800,
    defaultCountry: 'DE',
    tlsVerify: true,
    ...over,
  };
}

interface Setup {
  service: AuthService;
  store: KeyedTokenStore;
  clock: { now: number };
  outcomes: DeliveryOutcome[];
  kdf: { calls: number };
  auth(user: string, password: string, extra?: Partial<AccessRequest>): Promise<Decision>;
}

async function setup(o: { tokens: Partial<NewToken>[]; policy?: Partial<AuthPolicy>; email?: boolean; sms?: SmsOptions | false; limits?: DeliveryLimits; delivery?: false }): Promise<Setup> {
  const store = await openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) } });
  const clock = { now: Math.floor(Date.now() / 1000) };
  const outcomes: DeliveryOutcome[] = [];
  const kdf = { calls: 0 };
  let n = 0;
  for (const t of o.tokens) {
    n++;
    await store.createToken({
      serial: `C${n}`,
      type: 'email',
      seed: Buffer.from(`seed-of-token-${n}-0123456789`),
      otpLength: 6,
      algorithm: 'sha1',
      timeStep: 30,
      window: 1,
      syncWindow: 0,
      maxFail: 5,
      owner: { realm: 'default', resolver: 'local', userId: '1', login: 'alice' },
      pinHash: await store.pins.hash('1234'),
      ...t,
    });
  }
  const sender = createDelivery({ ...(o.email === false ? {} : { email: emailOptions() }), ...(o.sms === false ? {} : { sms: o.sms ?? smsOptions() }) });
  after(() => sender.close());
  const limits = o.limits ?? LIMITS;
  const users = {
    defaultRealm: 'default',
    names: ['default'],
    hasRealm: (r: string) => r === 'default',
    findUser: async (_r: string, login: string) => ({ alice: ALICE, bob: BOB })[login],
    listUsers: async () => [ALICE, BOB],
    checkPassword: async () => false,
  };
  const ctx = createAuthContext({
    store,
    users,
    policy: { ...DEFAULT_POLICY, ...o.policy },
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    pins: {
      verify: async (pin, hash) => {
        kdf.calls++;
        return store.pins.verify(pin, hash);
      },
      hash: (pin) => store.pins.hash(pin),
    },
    ...(o.delivery === false ? {} : { delivery: { sender, limiter: new StoreDeliveryLimiter(store, limits), resendIntervalSeconds: limits.resendIntervalMs / 1000 } }),
    onDelivery: (d) => outcomes.push(d),
  });
  const service = new AuthService(ctx);
  return {
    service,
    store,
    clock,
    outcomes,
    kdf,
    auth: (user, password, extra = {}) => service.authenticate({ userName: user, password: Buffer.from(password), nas: { client: 'test', address: '127.0.0.1' }, ...extra }),
  };
}

function state(d: Decision): Buffer {
  assert.equal(d.decision, 'challenge', JSON.stringify(d));
  return Buffer.from(d.decision === 'challenge' ? d.challenge.transactionId : '', 'latin1');
}

async function codeFromMail(): Promise<{ code: string; to: string[] }> {
  const m = await mail.nextMail();
  const code = /Your code is (\d{6})\./.exec(m.parsed.text ?? '')?.[1];
  assert.ok(code, `a code in "${m.parsed.text}"`);
  return { code, to: m.rcptTo };
}

function codeFromSms(): string {
  const text = new URLSearchParams(gateway.requests.at(-1)!.body).get('text') ?? '';
  const code = /(\d{6})$/.exec(text)?.[1];
  assert.ok(code, `a code in "${text}"`);
  return code;
}

describe('e-mail codes', () => {
  test('PIN alone: a code by mail, a masked Reply-Message; the code with the State is accepted once', async () => {
    const s = await setup({ tokens: [{}] });
    const c = await s.auth('alice', '1234');
    assert.equal(c.decision, 'challenge');
    assert.equal(c.replyMessage, 'A code was sent to a***@example.org');
    assert.equal(c.reason, 'challenge created');
    assert.deepEqual(c.deliveries, [{ serial: 'C1', channel: 'email', to: 'a***@example.org', result: 'sent' }]);
    assert.equal(c.decision === 'challenge' && c.challenge.timeout, 300, 'open as long as the code is valid');
    assert.deepEqual(c.decision === 'challenge' && c.challenge.codes, [{ serial: 'C1', channel: 'email', to: 'a***@example.org' }]);
    const { code, to } = await codeFromMail();
    assert.deepEqual(to, ['alice@example.org']);
    assert.ok(!JSON.stringify(c).includes(code), 'the code is in no decision or audit field');
    const wrong = await s.auth('alice', code === '000000' ? '111111' : '000000', { state: state(c) });
    assert.equal(wrong.reason, 'wrong otp');
    const a = await s.auth('alice', code, { state: state(c) });
    assert.deepEqual([a.decision, a.reason, a.serial], ['accept', 'ok (challenge)', 'C1']);
    assert.equal((await s.auth('alice', code, { state: state(c) })).reason, 'unknown state', 'the transaction is gone');
    assert.deepEqual(s.outcomes, [{ channel: 'email', outcome: 'sent' }]);
  });

  test('PIN+code in one request is no login: the code only answers its challenge', async () => {
    const s = await setup({ tokens: [{}] });
    await s.auth('alice', '1234');
    const { code } = await codeFromMail();
    const r = await s.auth('alice', `1234${code}`);
    assert.deepEqual([r.decision, r.reason], ['reject', 'wrong otp']);
  });

  test('within the resend interval a PIN alone gets the open challenge again; after it, a new code retires the old one', async () => {
    const s = await setup({ tokens: [{}] });
    const first = await s.auth('alice', '1234');
    const old = await codeFromMail();
    s.clock.now += 30;
    const again = await s.auth('alice', '1234');
    assert.deepEqual(state(again), state(first), 'the same State');
    assert.equal(again.replyMessage, 'A code was sent to a***@example.org');
    assert.equal(again.reason, 'challenge re-used: a code was sent within the resend interval');
    assert.equal(again.deliveries, undefined, 'nothing sent');
    assert.equal(again.decision === 'challenge' && again.challenge.timeout, 270);
    s.clock.now += 31;
    const second = await s.auth('alice', '1234');
    assert.notDeepEqual(state(second), state(first));
    const fresh = await codeFromMail();
    assert.notEqual(fresh.code, old.code);
    assert.equal((await s.auth('alice', old.code, { state: state(second) })).reason, 'replay', 'the earlier code was retired by the new one');
    assert.equal((await s.auth('alice', fresh.code, { state: state(first) })).reason, 'ok (challenge)', 'the newest code answers either open State of the user');
    assert.equal(mail.received.length >= 2, true);
  });

  test('after a code was used, a PIN alone within the resend interval sends a new one at once', async () => {
    const s = await setup({ tokens: [{}] });
    const c = await s.auth('alice', '1234');
    assert.equal((await s.auth('alice', (await codeFromMail()).code, { state: state(c) })).decision, 'accept');
    s.clock.now += 5;
    const again = await s.auth('alice', '1234');
    assert.equal(again.reason, 'challenge created');
    assert.notDeepEqual(state(again), state(c));
    assert.equal((await s.auth('alice', (await codeFromMail()).code, { state: state(again) })).decision, 'accept');
    assert.deepEqual(await s.store.sendWindows(['user:local:1'], 0), [{ count: 2, oldest: (s.clock.now - 5) * 1000, newest: s.clock.now * 1000 }]);
  });

  test('a code is valid for tokens.email.validitySeconds: after that its challenge has expired', async () => {
    const s = await setup({ tokens: [{}], policy: { codes: { ...DEFAULT_POLICY.codes, validity: { email: 120, sms: 300 } } } });
    const c = await s.auth('alice', '1234');
    assert.equal(c.decision === 'challenge' && c.challenge.timeout, 120);
    const { code } = await codeFromMail();
    s.clock.now += 121;
    assert.equal((await s.auth('alice', code, { state: state(c) })).reason, 'challenge expired');
  });

  test('the address on the token wins over the directory; a user with neither gets "delivery failed"', async () => {
    const s = await setup({ tokens: [{ info: { email: 'Alice.Private@Example.NET' } }, { owner: { realm: 'default', resolver: 'local', userId: '2', login: 'bob' } }] });
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'A code was sent to a***@example.net');
    assert.deepEqual((await codeFromMail()).to, ['alice.private@example.net']);
    const r = await s.auth('bob', '1234');
    assert.deepEqual([r.decision, r.reason], ['reject', "delivery failed: email: no e-mail address on the token or in the user's directory entry"]);
    assert.deepEqual(r.deliveries, [{ serial: 'C2', channel: 'email', to: '-', result: 'failed', reason: "email: no e-mail address on the token or in the user's directory entry" }]);
  });

  test('no delivery configured: a PIN alone is rejected, nothing counted on the token', async () => {
    const s = await setup({ tokens: [{}], delivery: false });
    const r = await s.auth('alice', '1234');
    assert.deepEqual([r.decision, r.reason], ['reject', 'delivery failed: email: delivery is not configured']);
    const t = (await s.store.getToken('C1'))!;
    assert.deepEqual([t.counter, t.failCount], [0, 0]);
    assert.deepEqual(s.outcomes, [{ channel: 'email', outcome: 'not-configured' }]);
  });

  test('an answer that would not fit into the packet: nothing is sent, no counter step, no send counted', async () => {
    const s = await setup({ tokens: [{}] });
    const before = mail.received.length;
    const r = await s.auth('alice', '1234', { unsendable: (d) => (d.decision === 'challenge' ? 'too large' : undefined) });
    assert.deepEqual([r.decision, r.reason], ['reject', 'reply too large']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(mail.received.length, before);
    assert.equal((await s.store.getToken('C1'))!.counter, 0);
    assert.deepEqual(await s.store.sendWindows(['user:local:1'], 0), [{ count: 0 }]);
    assert.deepEqual(s.outcomes, []);
  });

  test('the PIN alone costs the KDF runs a wrong password of its length costs', async () => {
    const s = await setup({ tokens: [{}] });
    await s.auth('alice', '1234');
    await codeFromMail();
    assert.equal(s.kdf.calls, 1, 'too short to hold a code: only the whole password is tried as the PIN');
    s.kdf.calls = 0;
    assert.equal((await s.auth('alice', '9999')).reason, 'wrong pin');
    assert.equal(s.kdf.calls, 1);
    s.kdf.calls = 0;
    assert.equal((await s.auth('alice', '9999123456')).reason, 'wrong pin');
    assert.equal(s.kdf.calls, 2, 'PIN part and whole password, as for an HOTP token');
  });
});

describe('SMS codes', () => {
  test('to the mobile number of the directory, in E.164, masked in Reply-Message; the code from the gateway answers', async () => {
    const s = await setup({ tokens: [{ type: 'sms' }] });
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'A code was sent to +49*********89');
    const seen = gateway.requests.at(-1)!;
    assert.equal(new URLSearchParams(seen.body).get('to'), '+4915112345689');
    assert.equal((await s.auth('alice', codeFromSms(), { state: state(c) })).decision, 'accept');
  });

  for (const [path, reason] of [
    ['/fail', 'delivery failed: sms gateway: status 500'],
    ['/error200', 'delivery failed: sms gateway: answer not recognised as success (status 200)'],
  ] as const) {
    test(`a gateway answering ${path}: Reject with "${reason}"`, async () => {
      const s = await setup({ tokens: [{ type: 'sms' }], sms: smsOptions(path) });
      const r = await s.auth('alice', '1234');
      assert.deepEqual([r.decision, r.reason], ['reject', reason]);
      assert.deepEqual(s.outcomes, [{ channel: 'sms', outcome: 'rejected' }]);
      assert.equal((await s.store.getToken('C1'))!.failCount, 0, 'the gateway failing is not the user failing');
    });
  }

  test('a gateway that never answers: Reject within the timeout, never a hang', async () => {
    const s = await setup({ tokens: [{ type: 'sms' }], sms: smsOptions('/hang', { timeoutMs: 500 }) });
    const t0 = performance.now();
    const r = await s.auth('alice', '1234');
    const ms = performance.now() - t0;
    assert.deepEqual([r.decision, r.reason], ['reject', 'delivery failed: sms gateway: no answer within 500 ms']);
    assert.ok(ms >= 450 && ms < 1500, `answered after ${Math.round(ms)} ms`);
    assert.deepEqual(s.outcomes, [{ channel: 'sms', outcome: 'timeout' }]);
  });

  test('rate limits: the number in any hour, then Reject with "delivery limited"', async () => {
    const s = await setup({ tokens: [{ type: 'sms' }], limits: { resendIntervalMs: 0, maxPerHourPerUser: 10, maxPerHourPerDestination: 2 } });
    for (let i = 0; i < 2; i++) {
      assert.equal((await s.auth('alice', '1234')).decision, 'challenge');
      s.clock.now += 1;
    }
    const before = gateway.requests.length;
    const r = await s.auth('alice', '1234');
    assert.equal(r.decision, 'reject');
    assert.match(r.reason, /^delivery limited: destination-per-hour, next in \d+ s$/);
    assert.equal(gateway.requests.length, before, 'no message for a limited request');
    assert.deepEqual(
      s.outcomes.map((o) => o.outcome),
      ['sent', 'sent', 'limited'],
    );
  });
});

describe('several code tokens', () => {
  test('one State for both; the Reply-Message names both destinations; either code answers', async () => {
    const s = await setup({ tokens: [{}, { type: 'sms' }] });
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'A code was sent to a***@example.org and +49*********89');
    assert.deepEqual(c.decision === 'challenge' && c.challenge.serials, ['C1', 'C2']);
    await codeFromMail();
    const a = await s.auth('alice', codeFromSms(), { state: state(c) });
    assert.deepEqual([a.decision, a.serial], ['accept', 'C2']);
  });

  test('send: preferred sends to the first preferred channel only; when that fails, to the next', async () => {
    const s = await setup({ tokens: [{}, { type: 'sms' }], policy: { codes: { ...DEFAULT_POLICY.codes, send: 'preferred', preferred: ['sms', 'email'] } } });
    const mails = mail.received.length;
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'A code was sent to +49*********89');
    assert.deepEqual(c.decision === 'challenge' && c.challenge.serials, ['C2']);
    assert.equal(mail.received.length, mails);

    const f = await setup({ tokens: [{}, { type: 'sms' }], sms: smsOptions('/fail'), policy: { codes: { ...DEFAULT_POLICY.codes, send: 'preferred', preferred: ['sms', 'email'] } } });
    const d = await f.auth('alice', '1234');
    assert.equal(d.replyMessage, 'A code was sent to a***@example.org');
    assert.deepEqual(
      d.deliveries?.map((x) => [x.channel, x.result]),
      [
        ['sms', 'failed'],
        ['email', 'sent'],
      ],
    );
    await codeFromMail();
  });

  test('one send failing of two: the challenge covers the code that went out', async () => {
    const s = await setup({ tokens: [{}, { type: 'sms' }], sms: smsOptions('/fail') });
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'A code was sent to a***@example.org');
    assert.deepEqual(c.decision === 'challenge' && c.challenge.serials, ['C1']);
    const { code } = await codeFromMail();
    assert.equal((await s.auth('alice', code, { state: state(c) })).decision, 'accept');
  });

  test('beside an HOTP token: one transaction; the prompts of both', async () => {
    const s = await setup({ tokens: [{}, { type: 'hotp', window: 10, syncWindow: 100 }] });
    const c = await s.auth('alice', '1234');
    assert.equal(c.replyMessage, 'Please enter your OTP / A code was sent to a***@example.org');
    assert.equal(c.decision === 'challenge' && c.challenge.timeout, 300);
    await codeFromMail();
  });
});
