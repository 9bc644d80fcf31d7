import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replyAttributes, type ReplyRule } from '../../src/auth/reply-rules.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { User } from '../../src/users/types.ts';

const alice: User = { resolver: 'ldap', id: 'u1', login: 'alice', email: 'alice@example.org', groups: ['VPN-Admins', 'staff'], attributes: { department: 'IT' } };

test('rules by group and realm, placeholders, one attribute per group', () => {
  const rules: ReplyRule[] = [
    {
      group: 'vpn-admins',
      attributes: [
        { name: 'Class', values: ['admins'] },
        { name: 'Fortinet-Group-Name', values: ['{group}'] },
      ],
    },
    { group: 'nobody', attributes: [{ name: 'Class', values: ['never'] }] },
    { realm: 'other', attributes: [{ name: 'Class', values: ['never'] }] },
    {
      attributes: [
        { name: 'Filter-Id', values: ['vpn-{login}-{department}'] },
        { name: 'Class', values: ['grp:{group}'] },
      ],
    },
    { attributes: [{ name: 'Reply-Message', values: ['call {phone}'] }] },
  ];
  assert.deepEqual(replyAttributes(rules, alice, 'corp'), [
    { name: 'Class', value: 'admins' },
    { name: 'Fortinet-Group-Name', value: 'VPN-Admins' },
    { name: 'Filter-Id', value: 'vpn-alice-IT' },
    { name: 'Class', value: 'grp:VPN-Admins' },
    { name: 'Class', value: 'grp:staff' },
  ]);
});

test('config: reply rules are checked against the dictionaries at start-up, with the line', () => {
  const base = 'clients: []\nrealms: {}\n';
  const ok = parseConfig(`${base}reply:\n  - group: vpn-admins\n    attributes:\n      Class: admins\n      Session-Timeout: 3600\n      Cisco-AVPair: [a=1, b=2]\n`, 'c.yaml');
  assert.deepEqual(ok.config.reply, [
    {
      group: 'vpn-admins',
      attributes: [
        { name: 'Class', values: ['admins'] },
        { name: 'Session-Timeout', values: ['3600'] },
        { name: 'Cisco-AVPair', values: ['a=1', 'b=2'] },
      ],
    },
  ]);
  assert.throws(() => parseConfig(`${base}reply:\n  - attributes:\n      Klass: admins\n`, 'c.yaml'), /c\.yaml:5: reply\[0\]\.attributes\.Klass: unknown RADIUS attribute "Klass"/);
  assert.throws(
    () => parseConfig(`${base}reply:\n  - attributes:\n      Framed-IP-Address: not-an-ip\n`, 'c.yaml'),
    /c\.yaml:5: reply\[0\]\.attributes\.Framed-IP-Address: expected an IPv4 address, got "not-an-ip"$/,
  );
  const tagged = parseConfig(`${base}reply:\n  - attributes:\n      Tunnel-Type:1: VLAN\n      Tunnel-Private-Group-Id:1: 42\n`, 'c.yaml');
  assert.deepEqual(tagged.config.reply[0]!.attributes, [
    { name: 'Tunnel-Type:1', values: ['VLAN'] },
    { name: 'Tunnel-Private-Group-Id:1', values: ['42'] },
  ]);
  assert.throws(() => parseConfig(`${base}reply:\n  - attributes:\n      Class:1: x\n`, 'c.yaml'), /c\.yaml:5: reply\[0\]\.attributes\.Class:1: Class takes no tag/);
  assert.throws(() => parseConfig(`${base}reply:\n  - attributes:\n      Tunnel-Type:32: VLAN\n`, 'c.yaml'), /Tunnel-Type:32: tag: expected 1 to 31, got 32/);
  assert.throws(() => parseConfig(`${base}reply:\n  - realm: nowhere\n    attributes: { Class: x }\n`, 'c.yaml'), /reply\[0\]\.realm: unknown realm "nowhere"/);
});

test('compat: linotp gives the plugin’s Reply-Message texts unless policy sets its own', () => {
  const base = 'clients: []\ncompat: linotp\n';
  const { config } = parseConfig(base, 'c.yaml');
  assert.equal(config.policy.replyMessages.accept, 'LinOTP access granted');
  assert.equal(config.policy.replyMessages.reject, 'LinOTP server denied access!');
  const own = parseConfig(`${base}policy:\n  replyMessages:\n    reject: Access denied\n`, 'c.yaml').config;
  assert.equal(own.policy.replyMessages.reject, 'Access denied');
  assert.equal(own.policy.replyMessages.accept, 'LinOTP access granted');
  assert.throws(() => parseConfig('clients: []\ncompat: freeradius\n', 'c.yaml'), /c\.yaml:2: compat: expected one of "linotp", got "freeradius"/);
  assert.equal(parseConfig('clients: []\n', 'c.yaml').config.policy.replyMessages.accept, undefined);
});
