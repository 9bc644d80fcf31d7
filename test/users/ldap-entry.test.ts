// Pieces of the ldap resolver that need no server: GUIDs, DNs, group names,
// filters and URIs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstRdnValue, guidToBytes, guidToString, isUnderBase, values } from '../../src/users/ldap-entry.ts';
import { attributeProblem, parseLdapFilter, uriProblem } from '../../src/users/ldap-options.ts';

test('objectGUID: AD byte order to the canonical string and back', () => {
  // The first three fields are stored little-endian, the last two as they are.
  const bytes = Buffer.from('0403020106050807090a0b0c0d0e0f10', 'hex');
  assert.equal(guidToString(bytes), '01020304-0506-0708-090a-0b0c0d0e0f10');
  assert.deepEqual(guidToBytes('01020304-0506-0708-090a-0b0c0d0e0f10'), bytes);
  assert.deepEqual(guidToBytes('{01020304-0506-0708-090A-0B0C0D0E0F10}'), bytes);
  const random = Buffer.from('f3a9c1d2e4b50617a8b9cadbecfd0e1f', 'hex');
  assert.deepEqual(guidToBytes(guidToString(random)), random);
  assert.equal(guidToBytes('01020304-0506-0708-090a'), undefined);
  assert.equal(guidToBytes('*'), undefined);
  assert.throws(() => guidToString(Buffer.alloc(15)), /objectGUID: expected 16 bytes, got 15/);
});

test('group names from DNs: the first RDN value, escapes undone', () => {
  assert.equal(firstRdnValue('cn=vpn-admins,ou=groups,dc=example,dc=org'), 'vpn-admins');
  assert.equal(firstRdnValue('CN=Sales\\, EMEA,OU=Groups,DC=corp'), 'Sales, EMEA');
  assert.equal(firstRdnValue('cn=a\\+b+ou=x,dc=y'), 'a+b');
  assert.equal(firstRdnValue('cn=caf\\C3\\A9,dc=y'), 'café');
  assert.equal(firstRdnValue('cn=\\#hash\\\\,dc=y'), '#hash\\');
  assert.equal(firstRdnValue('plain'), 'plain');
});

test('isUnderBase ignores case and spaces after commas, and does not match a suffix of a name', () => {
  assert.equal(isUnderBase('uid=a,ou=People,DC=Example,DC=org', 'dc=example, dc=org'), true);
  assert.equal(isUnderBase('dc=example,dc=org', 'dc=example,dc=org'), true);
  assert.equal(isUnderBase('uid=a,dc=notexample,dc=org', 'dc=example,dc=org'), false);
  assert.equal(isUnderBase('uid=a,dc=other', 'dc=example,dc=org'), false);
});

test('attribute values are found without regard to case; binary values read as text', () => {
  const entry = { dn: 'uid=a', memberOf: ['cn=x', 'cn=y'], Mail: 'a@x', blob: Buffer.from('hi') };
  assert.deepEqual(values(entry, 'memberof'), ['cn=x', 'cn=y']);
  assert.deepEqual(values(entry, 'mail'), ['a@x']);
  assert.deepEqual(values(entry, 'blob'), ['hi']);
  assert.deepEqual(values(entry, 'dn'), []);
  assert.deepEqual(values(entry, 'missing'), []);
});

test('filters, attribute names and URIs are checked', () => {
  assert.ok(!('problem' in parseLdapFilter('(&(objectClass=person)(!(uid=svc-*)))')));
  assert.ok(!('problem' in parseLdapFilter('(cn=Parens \\28R Us\\29)')));
  for (const bad of ['objectClass=person', '(&(a=b)', '(a=b))', '(a=b)(c=d)', '']) {
    assert.ok('problem' in parseLdapFilter(bad), bad);
  }
  assert.equal(attributeProblem('sAMAccountName'), undefined);
  assert.equal(attributeProblem('2.5.4.3'), undefined);
  assert.equal(attributeProblem('userCertificate;binary'), undefined);
  assert.match(attributeProblem('1uid') ?? '', /not an LDAP attribute name/);
  assert.match(attributeProblem('uid)(x') ?? '', /not an LDAP attribute name/);
  assert.equal(uriProblem('ldap://dc1.corp.example:389'), undefined);
  assert.equal(uriProblem('ldaps://[::1]:636/'), undefined);
  assert.match(uriProblem('ldapi:///var/run/slapd') ?? '', /expected the scheme ldap:\/\/ or ldaps:\/\//);
  assert.equal(uriProblem('ldap://user:s3cret@host'), '"ldap://host": no user or password in the URI; use bindDn and bindPassword');
  assert.match(uriProblem('not a uri') ?? '', /is not a URI/);
});
