// The `delivery:` config section: the example as typed options, and
// each kind of mistake reported with file, line and key.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { createDelivery } from '../../src/delivery/delivery.ts';
import { startSmsGateway, type SmsGateway } from '../helpers/sms-gateway.ts';
import { configProblems as problems } from '../helpers/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'otp-radius-delivery-config-'));
const PASSWORD_FILE = join(dir, 'smtp.pw');
writeFileSync(PASSWORD_FILE, 'smtp-secret\n', { mode: 0o600 });
const NOT_PEM = join(dir, 'not-a-cert.pem');
writeFileSync(NOT_PEM, 'hello\n');

/** Warnings other than the one about having no NAS clients. */
function warnings(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  return parseConfig(yaml, 'c.yaml', env).warnings.filter((w) => !w.includes('no NAS clients'));
}

const EMAIL = `delivery:
  email:
    smtp: { host: mail.example.org, port: 587, tls: starttls }
    auth: { user: otp, passwordFile: ${PASSWORD_FILE} }
    from: "VPN login <otp@example.org>"
    subject: "Your login code"
    body: "Your code is {otp}. It is valid until {validUntil}."
`;

const SMS = `delivery:
  sms:
    url: https://sms.example.org/send
    method: POST
    params: { to: "{phone}", text: "Your login code is {otp}" }
    success: { status: 200, bodyRegex: "^OK" }
    timeoutMs: 5000
    defaultCountry: DE
`;

describe('config: delivery', () => {
  test('absent: no delivery', () => {
    assert.equal(parseConfig('', 'c.yaml').config.delivery, undefined);
  });

  test("the issue's e-mail example", () => {
    const { config } = parseConfig(EMAIL, 'c.yaml');
    assert.deepEqual(config.delivery, {
      email: {
        smtp: { host: 'mail.example.org', port: 587, tls: 'starttls', tlsVerify: true, maxConnections: 2 },
        auth: { user: 'otp', password: 'smtp-secret' },
        from: 'VPN login <otp@example.org>',
        subject: 'Your login code',
        body: 'Your code is {otp}. It is valid until {validUntil}.',
        timeoutMs: 5000,
      },
      limits: { resendIntervalMs: 60_000, maxPerHourPerUser: 10, maxPerHourPerDestination: 10 },
    });
    assert.deepEqual(warnings(EMAIL), []);
  });

  test("the issue's SMS example", () => {
    const { config } = parseConfig(SMS, 'c.yaml');
    const sms = config.delivery?.sms;
    assert.ok(sms);
    assert.deepEqual(
      { ...sms, success: { ...sms.success, bodyRegex: String(sms.success.bodyRegex) } },
      {
        url: 'https://sms.example.org/send',
        method: 'POST',
        params: { to: '{phone}', text: 'Your login code is {otp}' },
        body: 'form',
        headers: {},
        message: 'Your login code is {otp}',
        success: { status: [200], bodyRegex: '/^OK/' },
        timeoutMs: 5000,
        defaultCountry: 'DE',
        tlsVerify: true,
      },
    );
    assert.deepEqual(warnings(SMS), []);
  });

  test('defaults: port by TLS mode, success on any usual 2xx, limits in seconds', () => {
    const { config } = parseConfig(
      `delivery:
  timeZone: Europe/Berlin
  limits: { resendIntervalSeconds: 30, maxPerHourPerUser: 4 }
  email:
    smtp: { host: 127.0.0.1, tls: implicit }
    from: otp@example.org
  sms:
    url: http://127.0.0.1:8080/send
    params: { number: "{phone}", text: "{message}", key: "\${env:SMS_KEY}" }
    headers: { X-Api-Key: "\${env:SMS_KEY}" }
    auth: { bearer: "\${env:SMS_TOKEN}" }
    defaultCountry: DE
`,
      'c.yaml',
      { SMS_KEY: 'k-123', SMS_TOKEN: 't-456' },
    );
    const d = config.delivery!;
    assert.equal(d.email?.smtp.port, 465);
    assert.equal(d.email?.subject, 'Your login code');
    assert.equal(d.email?.timeZone, 'Europe/Berlin');
    assert.deepEqual(d.sms?.success, { status: [200, 201, 202, 204] });
    assert.deepEqual(d.sms?.params, { number: '{phone}', text: '{message}', key: 'k-123' });
    assert.deepEqual(d.sms?.headers, { 'X-Api-Key': 'k-123' });
    assert.deepEqual(d.sms?.auth, { bearer: 't-456' });
    assert.equal(d.sms?.timeZone, 'Europe/Berlin');
    assert.deepEqual(d.limits, { resendIntervalMs: 30_000, maxPerHourPerUser: 4, maxPerHourPerDestination: 10 });
  });

  test('e-mail mistakes name the line and key', () => {
    assert.deepEqual(problems(EMAIL.replace('tls: starttls', 'tls: ssl')), ['c.yaml:3: delivery.email.smtp.tls: expected one of "starttls", "implicit", "none", got "ssl"']);
    assert.deepEqual(problems(EMAIL.replace('Your code is {otp}', 'Your code is {code}')), ['c.yaml:7: delivery.email.body: unknown placeholder {code} (known: {otp}, {login}, {validUntil})']);
    assert.deepEqual(problems(EMAIL.replace('Your code is {otp}.', 'Hello.')), ['c.yaml:7: delivery.email.body: must contain {otp}, or the user never sees the code']);
    assert.deepEqual(problems(EMAIL.replace('"VPN login <otp@example.org>"', '"a@example.org, b@example.org"')), [
      'c.yaml:5: delivery.email.from: expected one sender address, e.g. "VPN login <otp@example.org>"',
    ]);
    assert.deepEqual(problems(EMAIL.replace(`passwordFile: ${PASSWORD_FILE}`, `passwordFile: ${join(dir, 'missing')}`)), [
      `c.yaml:4: delivery.email.auth.passwordFile: cannot read ${join(dir, 'missing')}: ENOENT`,
    ]);
    assert.deepEqual(problems(EMAIL.replace(`passwordFile: ${PASSWORD_FILE}`, 'password: "${env:SMTP_PW}"')), ['c.yaml:4: delivery.email.auth.password: environment variable SMTP_PW is not set']);
    assert.deepEqual(problems(EMAIL.replace(`passwordFile: ${PASSWORD_FILE}`, `password: x, passwordFile: ${PASSWORD_FILE}`)), [
      'c.yaml:4: delivery.email.auth.passwordFile: give either password or passwordFile, not both',
    ]);
    assert.deepEqual(problems(EMAIL.replace('tls: starttls', `tls: starttls, caFile: ${NOT_PEM}`)), [`c.yaml:3: delivery.email.smtp.caFile: ${NOT_PEM} holds no PEM certificate`]);
    assert.deepEqual(problems(EMAIL.replace('    from:', '    form:')), [
      'c.yaml:5: delivery.email.form: unknown key (expected one of: smtp, auth, from, subject, body, html, timeoutMs)',
      'c.yaml:3: delivery.email.from: required, a non-empty string',
    ]);
  });

  test('SMS mistakes name the line and key', () => {
    assert.deepEqual(problems(SMS.replace('https://sms.example.org/send', 'ftp://sms.example.org/send')), ['c.yaml:3: delivery.sms.url: expected an http:// or https:// URL, got a ftp: URL']);
    assert.deepEqual(problems(SMS.replace('https://sms.example.org', 'https://user:pw@sms.example.org')), ['c.yaml:3: delivery.sms.url: put credentials under auth (user, password), not in the URL']);
    assert.deepEqual(problems(SMS.replace('to: "{phone}", ', '')), ['c.yaml:5: delivery.sms.params: no parameter carries the number: give one the template {phone}']);
    assert.deepEqual(problems(SMS.replace('Your login code is {otp}', 'Hello')), [
      'c.yaml:5: delivery.sms.params: no parameter carries the code: use {otp}, or {message} with a message that contains {otp}',
    ]);
    assert.deepEqual(problems(SMS.replace('{otp}"', '{pin}"')), ['c.yaml:5: delivery.sms.params.text: unknown placeholder {pin} (known: {phone}, {otp}, {message}, {login}, {validUntil})']);
    assert.deepEqual(problems(SMS.replace('"^OK"', '"(OK"')), ['c.yaml:6: delivery.sms.success.bodyRegex: not a valid regular expression: /(OK/: Unterminated group']);
    assert.deepEqual(problems(SMS.replace('status: 200', 'status: 700')), ['c.yaml:6: delivery.sms.success.status: expected a whole number from 100 to 599, got 700']);
    assert.deepEqual(problems(SMS.replace('defaultCountry: DE', 'defaultCountry: Germany')), [
      'c.yaml:8: delivery.sms.defaultCountry: "Germany" is not a country code with a numbering plan (two capital letters, e.g. DE, US, GB)',
    ]);
    assert.deepEqual(problems(SMS.replace('method: POST', 'method: GET\n    body: json')), ['c.yaml:5: delivery.sms.body: used only with method POST; GET sends the parameters in the query']);
    assert.deepEqual(problems(`${SMS}    auth: { user: sms, password: x, bearer: y }\n`), ['c.yaml:9: delivery.sms.auth: give either user and password (basic auth) or bearer, not both']);
    assert.deepEqual(problems(`${SMS}    auth: { password: x }\n`), ['c.yaml:9: delivery.sms.auth.user: required with password (basic auth); or give bearer']);
    assert.deepEqual(problems(`${SMS}    headers: { "Bad Header": x }\n`), ["c.yaml:9: delivery.sms.headers.Bad Header: name must match /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/"]);
    assert.deepEqual(problems(`${SMS}    headers: { X-Key: "\${env:SMS_KEY}" }\n`), ['c.yaml:9: delivery.sms.headers.X-Key: environment variable SMS_KEY is not set']);
    assert.deepEqual(problems(SMS.replace('timeoutMs: 5000', 'timeoutMs: 50')), ['c.yaml:7: delivery.sms.timeoutMs: expected a whole number from 100 to 60000, got 50']);
    assert.deepEqual(problems(`${SMS}  timeZone: Mars/Olympus\n`), ['c.yaml:9: delivery.timeZone: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Berlin or UTC)']);
  });

  test('warnings for codes in clear, unchecked certificates, slow timeouts and no default country', () => {
    assert.deepEqual(warnings(EMAIL.replace('tls: starttls', 'tls: none')), [
      'c.yaml:3: delivery.email.smtp.tls: codes and the SMTP password travel in clear to mail.example.org; use starttls or implicit',
    ]);
    assert.deepEqual(warnings(EMAIL.replace('tls: starttls', 'tls: starttls, tlsVerify: false')), [
      'c.yaml:3: delivery.email.smtp.tlsVerify: the mail server certificate is not checked: anyone in the path can read the codes',
    ]);
    assert.deepEqual(warnings(SMS.replace('https:', 'http:')), ['c.yaml:3: delivery.sms.url: codes travel in clear to sms.example.org; use https']);
    assert.deepEqual(warnings(SMS.replace('timeoutMs: 5000', 'timeoutMs: 20000')), ['c.yaml:7: delivery.sms.timeoutMs: over 10000 ms: the NAS may give up on the login before a slow send fails']);
    assert.deepEqual(warnings(SMS.replace('    defaultCountry: DE\n', '')), ['c.yaml:3: delivery.sms.defaultCountry: not set: numbers without a country code (+49...) cannot be used']);
    assert.deepEqual(warnings('delivery: {}\n'), ['c.yaml:1: delivery: neither email nor sms is configured: e-mail and SMS tokens cannot get codes']);
  });

  describe('from config to a sent SMS', () => {
    let gateway: SmsGateway;
    before(async () => {
      gateway = await startSmsGateway();
    });
    after(() => gateway.close());

    test('GET with basic auth from a file, as configured', async () => {
      const pw = join(dir, 'sms.pw');
      writeFileSync(pw, 'sms-password\n', { mode: 0o600 });
      const { config } = parseConfig(
        `delivery:
  sms:
    url: ${gateway.origin}/auth
    method: GET
    params: { dst: "{phone}", txt: "{message}" }
    message: "Code {otp} for {login}"
    auth: { user: sms, passwordFile: ${pw} }
    success: { status: [200], bodyRegex: "^OK$" }
    defaultCountry: DE
`,
        'c.yaml',
      );
      const d = createDelivery(config.delivery!);
      try {
        assert.deepEqual(await d.send({ channel: 'sms', to: '0151 12345689', login: 'alice', otp: '660213', validUntil: new Date() }), { ok: true, to: '+4915112345689' });
        const seen = gateway.requests.at(-1)!;
        assert.equal(seen.query.get('dst'), '+4915112345689');
        assert.equal(seen.query.get('txt'), 'Code 660213 for alice');
      } finally {
        await d.close();
      }
    });
  });
});
