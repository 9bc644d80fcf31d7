// The delivery object auth/ uses: routing by channel, unconfigured channels
// as failures, destinations normalised as sends and rate limits see them.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDelivery } from '../../src/delivery/delivery.ts';
import { checkEmailAddress } from '../../src/delivery/email-address.ts';
import { startSmsGateway, type SmsGateway } from '../helpers/sms-gateway.ts';

const message = { login: 'alice', otp: '372910', validUntil: new Date() };

describe('createDelivery', () => {
  let gateway: SmsGateway;
  before(async () => {
    gateway = await startSmsGateway();
  });
  after(() => gateway.close());

  test('nothing configured: every send fails as not configured', async () => {
    const d = createDelivery({});
    assert.deepEqual(d.channels, []);
    assert.deepEqual(await d.send({ ...message, channel: 'email', to: 'alice@example.org' }), { ok: false, failure: 'not-configured', reason: 'email: delivery is not configured' });
    await d.close();
  });

  test('an SMS goes to the gateway; e-mail stays unconfigured', async () => {
    const d = createDelivery({
      sms: {
        url: `${gateway.origin}/ok`,
        method: 'POST',
        params: { to: '{phone}', text: '{message}' },
        body: 'form',
        headers: {},
        message: 'Code {otp}',
        success: { status: [200] },
        timeoutMs: 2000,
        defaultCountry: 'DE',
        tlsVerify: true,
      },
    });
    try {
      assert.deepEqual(d.channels, ['sms']);
      assert.deepEqual(await d.send({ ...message, channel: 'sms', to: '0151 12345689' }), { ok: true, to: '+4915112345689' });
      assert.equal(new URLSearchParams(gateway.requests.at(-1)!.body).get('text'), 'Code 372910');
      assert.equal((await d.send({ ...message, channel: 'email', to: 'alice@example.org' })).ok, false);
      assert.deepEqual(d.normalize('sms', '0151 12345689'), { ok: true, to: '+4915112345689' }, 'the gateway default country applies');
      assert.deepEqual(d.normalize('email', ' Alice@Example.ORG '), { ok: true, to: 'alice@example.org' });
      assert.deepEqual(d.normalize('email', 'a@x.org,b@y.org'), { ok: false, reason: 'not a single e-mail address (name@domain)' });
    } finally {
      await d.close();
    }
  });
});

describe('e-mail addresses', () => {
  test('one plain mailbox is accepted', () => {
    for (const a of ['alice@example.org', 'bob.builder+otp@corp.example.org', 'élodie@exemple.fr', 'x@münchen.de', "o'brien@example.ie"]) {
      assert.deepEqual(checkEmailAddress(a), { ok: true, address: a }, a);
    }
  });

  test('lists, display names, header tricks and non-addresses are refused', () => {
    for (const a of [
      '',
      'alice',
      'alice@',
      '@example.org',
      'alice@localhost',
      'a@b@example.org',
      'alice@example.org, bob@example.org',
      'Alice <alice@example.org>',
      'alice@example.org\r\nBcc: mallory@example.net',
      'al ice@example.org',
      '"a,b"@example.org',
      'alice@exa_mple.org',
      'alice@-example.org',
      '.alice@example.org',
      'a..b@example.org',
      `${'a'.repeat(65)}@example.org`,
    ]) {
      const r = checkEmailAddress(a);
      assert.equal(r.ok, false, JSON.stringify(a));
    }
  });
});
