// The SMS sender against a real HTTP server playing the gateway: what the
// gateway receives for each request style, and how each way of failing is
// reported.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DeliveryMessage, SendResult } from '../../src/delivery/message.ts';
import type { SmsOptions } from '../../src/delivery/options.ts';
import { createSmsSender } from '../../src/delivery/sms.ts';
import { freeTcpPort } from '../helpers/ports.ts';
import { assertSendFailure, senderPool } from '../helpers/senders.ts';
import { startSmsGateway, type SmsGateway } from '../helpers/sms-gateway.ts';
import { makeTestCa, type TestCa } from '../helpers/test-ca.ts';

const OTP = '551903';

function message(to = '0151 123 456 89'): DeliveryMessage {
  return { channel: 'sms', to, login: 'alice', otp: OTP, validUntil: new Date('2026-12-06T13:05:00Z') };
}

const { sender, closeAll } = senderPool(createSmsSender);

function assertFailure(r: SendResult, failure: string, reason: RegExp): void {
  assertSendFailure(r, failure, reason, OTP);
}

describe('SMS delivery through an HTTP gateway', () => {
  let gateway: SmsGateway;
  let ca: TestCa;
  let tlsGateway: SmsGateway;

  function options(path: string, over: Partial<SmsOptions> = {}): SmsOptions {
    return {
      url: `${gateway.origin}${path}`,
      method: 'POST',
      params: { to: '{phone}', text: '{message}' },
      body: 'form',
      headers: {},
      message: 'Your login code is {otp}, valid until {validUntil}',
      success: { status: [200], bodyRegex: /^OK/ },
      timeoutMs: 2000,
      defaultCountry: 'DE',
      tlsVerify: true,
      timeZone: 'UTC',
      ...over,
    };
  }

  before(async () => {
    gateway = await startSmsGateway();
    ca = makeTestCa();
    tlsGateway = await startSmsGateway(ca);
  });
  after(async () => {
    await closeAll();
    await Promise.all([gateway.close(), tlsGateway.close()]);
  });

  test('POST form: 200 with an OK body is a success, the number in E.164', async () => {
    const r = await sender(options('/ok')).send(message());
    assert.deepEqual(r, { ok: true, to: '+4915112345689' });
    const seen = gateway.requests.at(-1)!;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded');
    const form = new URLSearchParams(seen.body);
    assert.equal(form.get('to'), '+4915112345689');
    assert.equal(form.get('text'), `Your login code is ${OTP}, valid until 2026-12-06 13:05 UTC`);
  });

  test('POST JSON', async () => {
    const r = await sender(options('/ok', { body: 'json', params: { recipient: '{phone}', otp: '{otp}', user: '{login}', sender: 'VPN' } })).send(message('+49 151 12345689'));
    assert.equal(r.ok, true, JSON.stringify(r));
    const seen = gateway.requests.at(-1)!;
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(seen.body), { recipient: '+4915112345689', otp: OTP, user: 'alice', sender: 'VPN' });
  });

  test('GET: the parameters in the query, after the ones already in the URL', async () => {
    const r = await sender(options('/ok?account=vpn', { method: 'GET', params: { number: '{phone}', msg: 'Code: {otp}' } })).send(message());
    assert.equal(r.ok, true, JSON.stringify(r));
    const seen = gateway.requests.at(-1)!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.body, '');
    assert.deepEqual(
      [...seen.query],
      [
        ['account', 'vpn'],
        ['number', '+4915112345689'],
        ['msg', `Code: ${OTP}`],
      ],
    );
  });

  test('extra headers are sent, templates filled', async () => {
    const r = await sender(options('/ok', { headers: { 'X-Api-Key': 'key-123', 'X-Login': '{login}' } })).send(message());
    assert.equal(r.ok, true, JSON.stringify(r));
    const seen = gateway.requests.at(-1)!;
    assert.equal(seen.headers['x-api-key'], 'key-123');
    assert.equal(seen.headers['x-login'], 'alice');
  });

  test('status 500 is a failure naming the status', async () => {
    assertFailure(await sender(options('/fail')).send(message()), 'rejected', /^sms gateway: status 500$/);
  });

  test('200 with a body that does not match the success pattern is a failure', async () => {
    assertFailure(await sender(options('/error200')).send(message()), 'rejected', /^sms gateway: answer not recognised as success \(status 200\)$/);
    const noPattern = await sender(options('/error200', { success: { status: [200] } })).send(message());
    assert.equal(noPattern.ok, true, 'without bodyRegex the status alone decides');
  });

  test('a gateway that never answers fails after the timeout, not a hang', async () => {
    const s = sender(options('/hang', { timeoutMs: 300 }));
    const started = performance.now();
    const results = await Promise.all([s.send(message()), s.send(message('+49 151 12345688'))]);
    const took = performance.now() - started;
    for (const r of results) assertFailure(r, 'timeout', /^sms gateway: (no answer within 300 ms|timed out)$/);
    assert.ok(took >= 290 && took < 1200, `took ${Math.round(took)} ms`);
  });

  test('basic auth and bearer token; without them the gateway says 401', async () => {
    assert.equal((await sender(options('/auth', { auth: { basic: { user: 'sms', password: 'sms-password' } } })).send(message())).ok, true);
    assert.equal((await sender(options('/auth', { auth: { bearer: 'sms-token' } })).send(message())).ok, true);
    assertFailure(await sender(options('/auth', { auth: { basic: { user: 'sms', password: 'wrong' } } })).send(message()), 'rejected', /^sms gateway: status 401$/);
    assertFailure(await sender(options('/auth')).send(message()), 'rejected', /^sms gateway: status 401$/);
  });

  test('a TLS gateway whose CA is unknown is refused with verification on, accepted with the CA given', async () => {
    const url = `${tlsGateway.origin}/ok`;
    assertFailure(await sender(options('/ok', { url })).send(message()), 'tls', /^sms gateway: TLS failed: certificate not trusted/);
    assert.equal(tlsGateway.requests.length, 0, 'nothing reached the gateway');
    const r = await sender(options('/ok', { url, ca: ca.caPem })).send(message());
    assert.deepEqual(r, { ok: true, to: '+4915112345689' });
    assert.equal(new URLSearchParams(tlsGateway.requests.at(-1)!.body).get('to'), '+4915112345689');
    assert.equal((await sender(options('/ok', { url, tlsVerify: false })).send(message())).ok, true, 'tlsVerify: false accepts any certificate');
  });

  test('a certificate that does not name the host is refused', async () => {
    const url = `${tlsGateway.origin.replace('127.0.0.1', 'localhost')}/ok`;
    assert.equal((await sender(options('/ok', { url, ca: ca.caPem })).send(message())).ok, true, 'localhost is in the certificate');
    const elsewhere = await startSmsGateway(ca, '127.0.0.2');
    try {
      assertFailure(await sender(options('/ok', { url: `${elsewhere.origin}/ok`, ca: ca.caPem })).send(message()), 'tls', /^sms gateway: TLS failed: certificate does not name the host$/);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await elsewhere.close();
    }
  });

  test('a CA other than the one given is refused', async () => {
    const other = makeTestCa('another CA');
    assertFailure(await sender(options('/ok', { url: `${tlsGateway.origin}/ok`, ca: other.caPem })).send(message()), 'tls', /^sms gateway: TLS failed: certificate not trusted/);
  });

  test('connection refused', async () => {
    const port = await freeTcpPort();
    assertFailure(await sender(options('/ok', { url: `http://127.0.0.1:${port}/send` })).send(message()), 'connect', /^sms gateway: connection refused$/);
  });

  test('an invalid number is refused before the gateway is asked', async () => {
    const before = gateway.requests.length;
    assertFailure(await sender(options('/ok')).send(message('12')), 'invalid-destination', /^sms: not a valid phone number for DE$/);
    assertFailure(await sender(options('/ok', { defaultCountry: undefined })).send(message()), 'invalid-destination', /^sms: no country code/);
    assert.equal(gateway.requests.length, before);
  });

  test('after close a send fails at once', async () => {
    const s = createSmsSender(options('/ok'));
    await s.close();
    assertFailure(await s.send(message()), 'not-configured', /closed/);
  });
});
