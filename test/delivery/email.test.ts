// The e-mail sender against a real SMTP server on loopback: what arrives,
// over which TLS, with which login, and how each way of failing is reported.

import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEmailSender } from '../../src/delivery/email.ts';
import type { DeliveryMessage, SendResult } from '../../src/delivery/message.ts';
import type { EmailOptions } from '../../src/delivery/options.ts';
import { startMailServer, type MailServer } from '../helpers/mail-server.ts';
import { freeTcpPort } from '../helpers/ports.ts';
import { assertSendFailure, senderPool } from '../helpers/senders.ts';
import { makeTestCa, type TestCa } from '../helpers/test-ca.ts';

const OTP = '804172';
const VALID_UNTIL = new Date('2026-12-06T13:05:00Z');

function message(to = 'alice@example.org', otp = OTP): DeliveryMessage {
  return { channel: 'email', to, login: 'alice', otp, validUntil: VALID_UNTIL };
}

function options(port: number, ca: TestCa | undefined, over: Partial<EmailOptions> = {}, smtp: Partial<EmailOptions['smtp']> = {}): EmailOptions {
  return {
    smtp: { host: '127.0.0.1', port, tls: 'starttls', tlsVerify: true, ...(ca ? { ca: ca.caPem } : {}), maxConnections: 2, ...smtp },
    from: 'VPN login <otp@example.org>',
    subject: 'Your login code for {login}',
    body: 'Your code is {otp}. It is valid until {validUntil}.',
    timeoutMs: 3000,
    timeZone: 'Europe/Berlin',
    ...over,
  };
}

const { sender, closeAll } = senderPool(createEmailSender);

function assertFailure(r: SendResult, failure: string, reason: RegExp): void {
  assertSendFailure(r, failure, reason, OTP);
}

describe('e-mail delivery over SMTP', () => {
  let ca: TestCa;
  let starttls: MailServer;
  let implicit: MailServer;
  let plain: MailServer;

  before(async () => {
    ca = makeTestCa();
    starttls = await startMailServer({ tls: 'starttls', ca, users: { otp: 'smtp-password' }, refuseRecipients: ['nobody@example.org'] });
    implicit = await startMailServer({ tls: 'implicit', ca });
    plain = await startMailServer({ tls: 'none' });
  });
  after(async () => {
    await closeAll();
    await Promise.all([starttls.close(), implicit.close(), plain.close()]);
  });

  test('STARTTLS with the test CA and AUTH: the mail arrives with from, subject and body filled in', async () => {
    const s = sender(options(starttls.port, ca, { auth: { user: 'otp', password: 'smtp-password' } }));
    const r = await s.send(message());
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.ok(r.ok && r.to === 'alice@example.org' && typeof r.id === 'string' && r.id.length > 0);
    const mail = await starttls.nextMail();
    assert.equal(mail.secure, true, 'sent after STARTTLS');
    assert.equal(mail.user, 'otp');
    assert.equal(mail.mailFrom, 'otp@example.org');
    assert.deepEqual(mail.rcptTo, ['alice@example.org']);
    assert.equal(mail.parsed.from?.text, '"VPN login" <otp@example.org>');
    assert.equal(mail.parsed.subject, 'Your login code for alice');
    assert.equal(mail.parsed.text?.trim(), `Your code is ${OTP}. It is valid until 2026-12-06 14:05 GMT+1.`);
    assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(mail.parsed.html, false, 'no HTML part unless configured');
  });

  test('an HTML body gets the values HTML-escaped, next to the plain text', async () => {
    const s = sender(options(starttls.port, ca, { auth: { user: 'otp', password: 'smtp-password' }, html: '<p>Hello {login}, your code is <b>{otp}</b></p>' }));
    const r = await s.send({ ...message(), login: 'o<b>rien' });
    assert.equal(r.ok, true, JSON.stringify(r));
    const mail = await starttls.nextMail();
    assert.equal(mail.parsed.html, `<p>Hello o&lt;b&gt;rien, your code is <b>${OTP}</b></p>`);
    assert.match(mail.parsed.text ?? '', new RegExp(`Your code is ${OTP}\\.`));
  });

  test('implicit TLS (port 465 style)', async () => {
    const r = await sender(options(implicit.port, ca, {}, { tls: 'implicit' })).send(message('bob@example.org'));
    assert.equal(r.ok, true, JSON.stringify(r));
    const mail = await implicit.nextMail();
    assert.equal(mail.secure, true);
    assert.deepEqual(mail.rcptTo, ['bob@example.org']);
  });

  test('tls: none talks clear text to a server without STARTTLS', async () => {
    const r = await sender(options(plain.port, undefined, {}, { tls: 'none' })).send(message());
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal((await plain.nextMail()).secure, false);
  });

  test('a certificate from an unknown CA is refused while verification is on, accepted with tlsVerify off', async () => {
    const untrusted = sender(options(implicit.port, undefined, {}, { tls: 'implicit' }));
    assertFailure(await untrusted.send(message()), 'tls', /^smtp: TLS failed: certificate not trusted/);
    const other = makeTestCa('another CA');
    assertFailure(await sender(options(starttls.port, other, { auth: { user: 'otp', password: 'smtp-password' } })).send(message()), 'tls', /^smtp: TLS failed: certificate not trusted/);
    const r = await sender(options(implicit.port, undefined, {}, { tls: 'implicit', tlsVerify: false })).send(message());
    assert.equal(r.ok, true, JSON.stringify(r));
    await implicit.nextMail();
  });

  test('a certificate that does not name the host is refused', async () => {
    const elsewhere = await startMailServer({ tls: 'implicit', ca, host: '127.0.0.2' });
    try {
      const r = await sender(options(elsewhere.port, ca, {}, { tls: 'implicit', host: '127.0.0.2' })).send(message());
      assertFailure(r, 'tls', /^smtp: TLS failed: certificate does not name the host$/);
    } finally {
      await elsewhere.close();
    }
  });

  test('starttls required but the server offers none: a TLS failure, nothing sent in clear', async () => {
    const r = await sender(options(plain.port, undefined)).send(message());
    assertFailure(r, 'tls', /^smtp: TLS failed: the server refused STARTTLS \(500\)$/);
    assert.equal(plain.received.length, 1, 'only the earlier clear-text test mail arrived');
  });

  test('a server that refuses the password gives a clear reason', async () => {
    const r = await sender(options(starttls.port, ca, { auth: { user: 'otp', password: 'wrong' } })).send(message());
    assertFailure(r, 'auth', /^smtp: authentication refused \(535\b/);
  });

  test('a server that wants AUTH when none is configured', async () => {
    assertFailure(await sender(options(starttls.port, ca)).send(message()), 'auth', /^smtp: the server requires authentication \(530\)$/);
  });

  test('a refused recipient names the SMTP code, not the server text', async () => {
    const r = await sender(options(starttls.port, ca, { auth: { user: 'otp', password: 'smtp-password' } })).send(message('nobody@example.org'));
    assertFailure(r, 'rejected', /^smtp: recipient refused \(550 5\.1\.1\)$/);
  });

  test('an address list or a display name with a second address is refused before any connection', async () => {
    for (const to of ['alice@example.org, mallory@example.net', 'Alice <mallory@example.net>', 'alice', 'alice@localhost', 'a b@example.org', 'alice@example.org\r\nBcc: x@y.org']) {
      assertFailure(await sender(options(starttls.port, ca)).send(message(to)), 'invalid-destination', /^email: /);
    }
  });

  test('connection refused', async () => {
    const port = await freeTcpPort();
    assertFailure(await sender(options(port, ca, { timeoutMs: 2000 })).send(message()), 'connect', /^smtp: connection refused$/);
  });

  describe('a server that accepts the connection and never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    before(async () => {
      silent = createServer((s) => {
        sockets.add(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    test('fails after the timeout, not a hang', async () => {
      const port = (silent.address() as { port: number }).port;
      const s = sender(options(port, ca, { timeoutMs: 400 }));
      const started = performance.now();
      const results = await Promise.all([s.send(message()), s.send(message('bob@example.org')), s.send(message('carol@example.org'))]);
      const took = performance.now() - started;
      for (const r of results) assertFailure(r, 'timeout', /^smtp: no answer within 400 ms$|^smtp: no greeting from the server$/);
      assert.ok(took >= 390 && took < 1500, `took ${Math.round(took)} ms`);
      assert.ok(sockets.size <= 2, `at most maxConnections (2) connections, got ${sockets.size}`);
    });
  });

  test('a burst of sends shares at most maxConnections connections and all arrive', async () => {
    const codes = new Set<number>();
    const server = await startMailServer({ tls: 'starttls', ca });
    try {
      const s = createEmailSender(options(server.port, ca));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.send(message(`user${i}@example.org`, String(100000 + i)))));
      assert.ok(
        results.every((r) => r.ok),
        JSON.stringify(results),
      );
      const mails = await Promise.all(results.map(() => server.nextMail()));
      assert.deepEqual(mails.map((m) => m.rcptTo[0]).sort(), Array.from({ length: 8 }, (_, i) => `user${i}@example.org`).sort());
      for (const m of mails) codes.add(Number(/\b(\d{6})\b/.exec(m.parsed.text ?? '')?.[1]));
      assert.equal(codes.size, 8, 'each mail carries its own code');
      assert.ok(server.connections() <= 2, `at most maxConnections (2) sessions, got ${server.connections()}`);
      await s.close();
    } finally {
      await server.close();
    }
  });

  test('a pooled session the server closed while idle is replaced, not a failed send', async () => {
    const server = await startMailServer({ tls: 'starttls', ca, socketTimeoutMs: 200 });
    const s = createEmailSender(options(server.port, ca));
    try {
      assert.equal((await s.send(message())).ok, true);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const r = await s.send(message('bob@example.org'));
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.deepEqual((await server.nextMail()).rcptTo, ['alice@example.org']);
      assert.deepEqual((await server.nextMail()).rcptTo, ['bob@example.org']);
      assert.equal(server.connections(), 2, 'the second send opened a new session');
    } finally {
      await s.close();
      await server.close();
    }
  });

  test('after close a send fails at once', async () => {
    const s = createEmailSender(options(starttls.port, ca));
    await s.close();
    assertFailure(await s.send(message()), 'not-configured', /closed/);
  });
});
