// Settings that weaken authentication start with a warning naming the file,
// line and key, and the risk; `config check` prints the same lines.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { runCli } from '../helpers/stack.ts';

const SECRET = 'a-long-enough-shared-secret';

function warnings(yaml: string): string[] {
  return parseConfig(yaml, 'c.yaml', {}).warnings;
}

test('a safe config has no warning', () => {
  assert.deepEqual(warnings(`clients:\n  - { name: vpn, address: 192.0.2.0/24, secret: ${SECRET} }\npolicy:\n  otppin: token\n  lockout: otp\n`), []);
});

test('each dangerous policy setting: its line, its key and what it allows', () => {
  const w = warnings(
    [
      `clients:\n  - { name: vpn, address: 192.0.2.10, secret: ${SECRET} }`,
      'policy:',
      '  passOnNoUser: true',
      '  passOnNoToken: true',
      '  otppin: none',
      '  throttle: false',
      '  lockout: linotp',
      '',
    ].join('\n'),
  );
  assert.deepEqual(w, [
    'c.yaml:4: policy.passOnNoUser: a user name no resolver knows is accepted with any password: anyone who can reach a NAS logs in, under any name',
    'c.yaml:5: policy.passOnNoToken: a known user without a token is accepted with any password: deleting or never enrolling a token turns off every factor for that user',
    'c.yaml:6: policy.otppin: none: the OTP alone logs in, so whoever holds the token (a lost phone or key fob) logs in without a PIN or password',
    'c.yaml:7: policy.throttle: false: wrong PINs and directory passwords are not slowed down, so a first factor can be guessed online as fast as a NAS forwards requests',
    "c.yaml:8: policy.lockout: linotp: every failed login counts toward the token's max fail, a wrong PIN or a replay too, so anyone who knows a user name can lock that user out with a few wrong passwords",
  ]);
});

test('client networks wider than /16 (IPv6: /48), and clients the listener can never hear', () => {
  const w = warnings(
    [
      'listen: { address: 0.0.0.0 }',
      'clients:',
      `  - { name: campus, address: 10.0.0.0/8, secret: ${SECRET} }`,
      `  - { name: site, address: 172.16.0.0/16, secret: ${SECRET} }`,
      `  - { name: v6, address: "2001:db8::/32", secret: ${SECRET} }`,
      `  - { name: v6-site, address: "2001:db9::/48", secret: ${SECRET} }`,
      '',
    ].join('\n'),
  );
  assert.deepEqual(w, [
    'c.yaml:3: clients[0].address: 10.0.0.0/8 admits 16777216 addresses as NAS client campus (wider than /16): any host there that learns the shared secret can ask for logins; list the NAS addresses instead',
    'c.yaml:5: clients[2].address: 2001:db8::/32 admits 2^96 addresses as NAS client v6 (wider than /48): any host there that learns the shared secret can ask for logins; list the NAS addresses instead',
    'c.yaml:5: clients[2].address: 2001:db8::/32 is IPv6, but listen.address 0.0.0.0 takes IPv4 only: client v6 can never send a request here (listen on :: for both)',
    'c.yaml:6: clients[3].address: 2001:db9::/48 is IPv6, but listen.address 0.0.0.0 takes IPv4 only: client v6-site can never send a request here (listen on :: for both)',
  ]);
  assert.deepEqual(warnings(`listen: { address: "::" }\nclients:\n  - { name: a, address: 192.0.2.1, secret: ${SECRET} }\n  - { name: b, address: "::1", secret: ${SECRET} }\n`), []);
  assert.deepEqual(warnings(`listen: { address: "2001:db8::1" }\nclients:\n  - { name: a, address: 192.0.2.1, secret: ${SECRET} }\n`), [
    'c.yaml:3: clients[0].address: 192.0.2.1 is IPv4, but listen.address 2001:db8::1 takes IPv6 only: client a can never send a request here (listen on :: for both)',
  ]);
});

test('an HTTP validate listener off loopback without TLS, and a short secret, warn too', () => {
  const w = warnings(`clients:\n  - { name: vpn, address: 192.0.2.10, secret: short }\nhttp:\n  listen: { address: 0.0.0.0, port: 5000 }\n  serve: [validate]\n`);
  assert.deepEqual(w, [
    'c.yaml:2: clients[0].secret: client vpn: shared secret is shorter than 16 characters and can be guessed offline from one captured packet; use a longer one when the NAS allows',
    'c.yaml:4: http: listener http on 0.0.0.0 without TLS: PINs and OTPs sent to /validate travel in clear; add tls',
  ]);
});

const dir = mkdtempSync(join(tmpdir(), 'otp-radius-risky-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('config check prints the warnings and still exits 0', async () => {
  const file = join(dir, 'c.yaml');
  writeFileSync(file, `clients:\n  - { name: vpn, address: 192.0.2.10, secret: ${SECRET} }\npolicy:\n  passOnNoUser: true\n`);
  const r = await runCli(['config', 'check', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `warning: ${file}:4: policy.passOnNoUser: a user name no resolver knows is accepted with any password: anyone who can reach a NAS logs in, under any name\n`);
  assert.equal(r.stdout, `${file}: OK (1 client)\n`);
});

test('the server logs the same warnings at start', async () => {
  const { startStack } = await import('../helpers/stack.ts');
  const s = await startStack({ yaml: 'policy:\n  otppin: none\n  throttle: false\n' });
  try {
    const logged = s.logs.lines.filter((l) => l.level === 40 && typeof l.msg === 'string' && /: policy\./.test(l.msg)).map((l) => String(l.msg).replace(/^.*?:\d+: /, ''));
    assert.deepEqual(logged, [
      'policy.otppin: none: the OTP alone logs in, so whoever holds the token (a lost phone or key fob) logs in without a PIN or password',
      'policy.throttle: false: wrong PINs and directory passwords are not slowed down, so a first factor can be guessed online as fast as a NAS forwards requests',
    ]);
  } finally {
    await s.stop();
  }
});
