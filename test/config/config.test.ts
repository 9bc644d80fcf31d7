// Each kind of bad config gives its own message, naming file, line and key.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { configProblems as problems } from '../helpers/config.ts';

const CLIENT = `clients:\n  - name: vpn\n    address: 192.0.2.10\n    secret: a-long-enough-shared-secret\n`;

describe('config validation', () => {
  test('an empty file is all defaults', () => {
    const { config, warnings } = parseConfig('', 'c.yaml');
    assert.equal(config.listen.port, 1812);
    assert.equal(config.listen.address, '0.0.0.0');
    assert.equal(config.listen.accountingPort, undefined);
    assert.equal(config.log.level, 'info');
    assert.deepEqual(config.clients, []);
    assert.match(warnings[0]!, /no NAS clients configured/);
  });

  test('a valid config gives typed values and defaults', () => {
    const { config, warnings } = parseConfig(
      `listen:\n  port: 11812\n  accountingPort: 11813\n${CLIENT}    realm: Corp\nresolvers:\n  local: { type: file, path: users.yaml }\nrealms:\n  Corp: { resolvers: local, default: true }\n`,
      'c.yaml',
    );
    assert.deepEqual(warnings, []);
    assert.equal(config.listen.accountingPort, 11813);
    const c = config.clients[0]!;
    assert.equal(c.name, 'vpn');
    assert.equal(c.secret, 'a-long-enough-shared-secret');
    assert.equal(c.requireMessageAuthenticator, true, 'new configs require Message-Authenticator');
    assert.equal(c.realm, 'corp');
    assert.equal(c.network.prefix, 32);
  });

  test('YAML syntax error names the line', () => {
    assert.match(problems('listen:\n  port: [1812\n')[0]!, /^c\.yaml:\d+: YAML syntax: /);
  });

  test('unknown key, with the keys that would be valid', () => {
    assert.deepEqual(problems('listen:\n  prot: 1812\n'), [
      'c.yaml:2: listen.prot: unknown key (expected one of: address, port, accountingPort, receiveBufferBytes, duplicateCacheSeconds, shutdownGraceSeconds, radsec)',
    ]);
    assert.match(problems('lisen: {}\n')[0]!, /^c\.yaml:1: lisen: unknown key/);
  });

  test('wrong types', () => {
    assert.deepEqual(problems('listen:\n  port: "abc"\n'), ['c.yaml:2: listen.port: expected a whole number from 0 to 65535, got "abc"']);
    assert.deepEqual(problems('listen:\n  port: 70000\n'), ['c.yaml:2: listen.port: expected a whole number from 0 to 65535, got 70000']);
    assert.deepEqual(problems('listen:\n  address: my-host\n'), ['c.yaml:2: listen.address: expected an IPv4 or IPv6 address, got "my-host"']);
    assert.deepEqual(problems('clients: {}\n'), ['c.yaml:1: clients: expected a list, got a mapping']);
    assert.deepEqual(problems('log:\n  level: loud\n'), ['c.yaml:2: log.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", got "loud"']);
    assert.deepEqual(problems(`${CLIENT}    requireMessageAuthenticator: yes-please\n`), ['c.yaml:5: clients[0].requireMessageAuthenticator: expected one of true, false, "auto", got "yes-please"']);
  });

  test('missing required values', () => {
    assert.deepEqual(problems('clients:\n  - name: vpn\n    address: 192.0.2.1\n'), ['c.yaml:2: clients[0].secret: required, a non-empty string (or secretFile: PATH)']);
    assert.deepEqual(problems('clients:\n  - name: vpn\n    address: 192.0.2.1\n    secret:\n'), ['c.yaml:4: clients[0].secret: required, a non-empty string (or secretFile: PATH)']);
    assert.deepEqual(problems('clients:\n  - address: 192.0.2.1\n    secret: a-long-enough-shared-secret\n'), ['c.yaml:2: clients[0].name: required, a name of letters, digits, _ . : -']);
  });

  test('client address must be an IP or CIDR', () => {
    assert.deepEqual(problems('clients:\n  - name: vpn\n    address: 10.0.0.0/33\n    secret: a-long-enough-shared-secret\n'), [
      'c.yaml:3: clients[0].address: expected an IP address or network (CIDR), prefix length "/33" must be 0 to 32',
    ]);
    assert.deepEqual(problems('clients:\n  - name: vpn\n    address: vpn.example.com\n    secret: a-long-enough-shared-secret\n'), [
      'c.yaml:3: clients[0].address: expected an IP address or network (CIDR), "vpn.example.com" is not an IPv4 or IPv6 address',
    ]);
  });

  test('a client network with host bits set names the network meant', () => {
    const at = (address: string): string[] => problems(`clients:\n  - name: vpn\n    address: "${address}"\n    secret: a-long-enough-shared-secret\n`);
    assert.deepEqual(at('10.1.2.3/8'), ['c.yaml:3: clients[0].address: 10.1.2.3/8 has host bits set: did you mean 10.0.0.0/8? (or 10.1.2.3 alone for that one address)']);
    assert.deepEqual(at('192.0.2.10/24'), ['c.yaml:3: clients[0].address: 192.0.2.10/24 has host bits set: did you mean 192.0.2.0/24? (or 192.0.2.10 alone for that one address)']);
    assert.deepEqual(at('2001:db8:0:1::7/48'), ['c.yaml:3: clients[0].address: 2001:db8:0:1::7/48 has host bits set: did you mean 2001:db8::/48? (or 2001:db8:0:1::7 alone for that one address)']);
    assert.deepEqual(at('fe80::1:0:0:0:1/64'), ['c.yaml:3: clients[0].address: fe80::1:0:0:0:1/64 has host bits set: did you mean fe80:0:0:1::/64? (or fe80::1:0:0:0:1 alone for that one address)']);
    // The same check guards the HTTP allow list.
    assert.deepEqual(problems('http:\n  listen: { address: 127.0.0.1, port: 0 }\n  allow: [127.0.0.1/8]\n'), [
      'c.yaml:3: http.allow[0]: 127.0.0.1/8 has host bits set: did you mean 127.0.0.0/8? (or 127.0.0.1 alone for that one address)',
    ]);
    // Networks as they should be, and single addresses, are fine.
    for (const ok of ['10.0.0.0/8', '10.1.2.3', '10.1.2.3/32', '2001:db8::/32', '2001:db8:1:2::1/128', '0.0.0.0/0', '::ffff:10.0.0.0/104']) {
      assert.equal(parseConfig(`clients:\n  - name: vpn\n    address: "${ok}"\n    secret: a-long-enough-shared-secret\n`, 'c.yaml').config.clients.length, 1, ok);
    }
  });

  test('duplicate client names and networks', () => {
    const p = problems(`${CLIENT}  - name: vpn\n    address: 192.0.2.10/32\n    secret: another-long-shared-secret\n`);
    assert.deepEqual(p, ['c.yaml:5: clients[1].name: "vpn" is already the name of clients[0]', 'c.yaml:6: clients[1].address: 192.0.2.10/32 is already the address of clients[0] (vpn)']);
  });

  test('a short shared secret starts with a warning naming the client', () => {
    const { config, warnings } = parseConfig('clients:\n  - name: old-switch\n    address: 192.0.2.1\n    secret: testing123\n', 'c.yaml');
    assert.equal(config.clients[0]!.secret, 'testing123');
    assert.deepEqual(warnings, [
      'c.yaml:4: clients[0].secret: client old-switch: shared secret is shorter than 16 characters and can be guessed offline from one captured packet; use a longer one when the NAS allows',
    ]);
  });

  test('secrets from the environment', () => {
    const yaml = 'clients:\n  - name: vpn\n    address: 192.0.2.1\n    secret: ${env:VPN_SECRET}\n';
    assert.equal(parseConfig(yaml, 'c.yaml', { VPN_SECRET: 'from-the-environment-123' }).config.clients[0]!.secret, 'from-the-environment-123');
    assert.deepEqual(problems(yaml, {}), ['c.yaml:4: clients[0].secret: environment variable VPN_SECRET is not set']);
  });

  test('secrets from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-radius-config-'));
    const secretPath = join(dir, 'vpn.secret');
    writeFileSync(secretPath, 'secret-from-a-file-0123\n', { mode: 0o600 });
    const yaml = (p: string): string => `clients:\n  - name: vpn\n    address: 192.0.2.1\n    secretFile: ${p}\n`;
    writeFileSync(join(dir, 'c.yaml'), yaml(secretPath));
    const loaded = loadConfig(join(dir, 'c.yaml'));
    assert.equal(loaded.config.clients[0]!.secret, 'secret-from-a-file-0123', 'trailing newline dropped');
    assert.deepEqual(loaded.warnings, []);
    chmodSync(secretPath, 0o644);
    assert.match(loadConfig(join(dir, 'c.yaml')).warnings[0]!, /vpn\.secret is readable by every user/);
    assert.deepEqual(problems(yaml(join(dir, 'missing'))), [`c.yaml:4: clients[0].secretFile: cannot read ${join(dir, 'missing')}: ENOENT`]);
    assert.deepEqual(problems(`clients:\n  - name: vpn\n    address: 192.0.2.1\n    secret: inline-secret-1234567\n    secretFile: ${secretPath}\n`), [
      'c.yaml:5: clients[0].secretFile: give either secret or secretFile, not both',
    ]);
  });

  test('a missing file names the file', () => {
    assert.throws(() => loadConfig('/nonexistent/otp-radius.yaml'), { message: '/nonexistent/otp-radius.yaml: cannot read config: no such file' });
  });

  test('realms name existing resolvers, one default at most, clients name existing realms', () => {
    const base = 'resolvers:\n  local: { type: file, path: users.yaml }\n';
    assert.deepEqual(problems(`${base}realms:\n  corp:\n    resolvers: [local, ldap]\n`), ['c.yaml:5: realms.corp.resolvers: unknown resolver "ldap" (resolvers: local)']);
    assert.deepEqual(problems(`${base}realms:\n  a: { resolvers: local, default: true }\n  b: { resolvers: local, default: true }\n`), [
      'c.yaml:5: realms.b.default: only one realm can be the default; a already is',
    ]);
    assert.deepEqual(problems(`${base}realms:\n  a: { resolvers: local }\n${CLIENT}    realm: b\n`), ['c.yaml:9: clients[0].realm: unknown realm "b"']);
    assert.deepEqual(problems('resolvers:\n  local: { type: ldapx, path: u.yaml }\n'), ['c.yaml:2: resolvers.local.type: expected one of "file", "ldap", "sql", got "ldapx"']);
    assert.deepEqual(problems('resolvers:\n  local: { type: file }\n'), ['c.yaml:2: resolvers.local.path: required, a non-empty string']);
  });

  test('policy, tokens and challenges: defaults and bad values', () => {
    const { config } = parseConfig(
      'policy:\n  otppin: userstore\n  replyMessages: { reject: "Access denied" }\ntokens:\n  maxFail: 5\n  totp: { window: 60 }\nchallenges: { timeout: 300 }\n',
      'c.yaml',
    );
    assert.equal(config.policy.otppin, 'userstore');
    assert.equal(config.policy.pinPosition, 'prepend');
    assert.equal(config.policy.replyMessages.reject, 'Access denied');
    assert.equal(config.policy.replyMessages.challenge.hotp, 'Please enter your OTP');
    assert.equal(config.policy.challengeTimeout, 300);
    assert.deepEqual(config.policy.challengeResponse, ['hotp', 'totp', 'ocra']);
    assert.equal(config.tokenDefaults.maxFail, 5);
    assert.equal(config.tokenDefaults.totp.window, 60);
    assert.equal(config.tokenDefaults.totp.timeStep, 30);
    assert.equal(config.tokenDefaults.hotp.window, 10);
    assert.deepEqual(problems('policy:\n  otppin: maybe\n'), ['c.yaml:2: policy.otppin: expected one of "token", "userstore", "none", got "maybe"']);
    assert.deepEqual(problems('policy:\n  challengeResponse: [hotp, push]\n'), ['c.yaml:2: policy.challengeResponse[1]: expected one of "hotp", "totp", "ocra", "email", "sms", "spass", got "push"']);
    assert.deepEqual(problems('tokens:\n  hotp: { otpLength: 5 }\n'), ['c.yaml:2: tokens.hotp.otpLength: expected a whole number from 6 to 8, got 5']);
    assert.deepEqual(problems('store:\n  sqlite: { path: "" }\n'), ['c.yaml:2: store.sqlite.path: expected a non-empty string, got ""']);
  });

  test('e-mail and SMS codes: length, validity, which tokens get one; their prompts', () => {
    const plain = parseConfig('', 'c.yaml').config;
    assert.deepEqual(plain.policy.codes, { validity: { email: 300, sms: 300 }, send: 'all', preferred: ['sms', 'email'] });
    assert.deepEqual([plain.tokenDefaults.email.otpLength, plain.tokenDefaults.sms.otpLength], [6, 6]);
    const { config } = parseConfig(
      'tokens:\n  email: { otpLength: 8, validitySeconds: 600 }\n  sms: { validitySeconds: 120 }\nchallenges:\n  send: preferred\n  preferred: [email]\npolicy:\n  replyMessages:\n    challenge: { sms: "Code sent to {destination}" }\n',
      'c.yaml',
    );
    assert.deepEqual(config.policy.codes, { validity: { email: 600, sms: 120 }, send: 'preferred', preferred: ['email', 'sms'] }, 'channels not named come last');
    assert.equal(config.tokenDefaults.email.otpLength, 8);
    assert.equal(config.tokenDefaults.sms.otpLength, 6);
    assert.equal(config.policy.replyMessages.challenge.sms, 'Code sent to {destination}');
    assert.equal(config.policy.replyMessages.challenge.email, 'A code was sent to {destination}');
    assert.deepEqual(problems('tokens:\n  sms: { validitySeconds: 5 }\n'), ['c.yaml:2: tokens.sms.validitySeconds: expected a whole number from 30 to 3600, got 5']);
    assert.deepEqual(problems('tokens:\n  email: { otpLength: 4 }\n'), ['c.yaml:2: tokens.email.otpLength: expected a whole number from 6 to 8, got 4']);
    assert.deepEqual(problems('challenges:\n  send: first\n'), ['c.yaml:2: challenges.send: expected one of "all", "preferred", got "first"']);
    assert.deepEqual(problems('challenges:\n  preferred: [fax]\n'), ['c.yaml:2: challenges.preferred[0]: expected one of "email", "sms", got "fax"']);
  });

  test('every problem is reported, not only the first', () => {
    assert.equal(problems('listen:\n  port: x\nlog:\n  level: y\n').length, 2);
  });
});
