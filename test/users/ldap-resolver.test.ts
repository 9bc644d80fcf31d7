// The ldap resolver against a real slapd: lookups, login and uid attribute
// variants, groups by memberOf and by group search, user binds, TLS, the
// filter-injection attempt, and option checks.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { captureLogs } from '../helpers/radius.ts';
import { BASE_DN, DAVE_GUID, SERVICE_DN } from '../helpers/slapd.ts';
import type { LdapResolverOptions } from '../../src/users/ldap-options.ts';
import { ResolverConfigError, ResolverUnavailableError } from '../../src/users/types.ts';
import { useSlapd } from './ldap-fixture.ts';

const ldap = useSlapd();
const resolver = ldap.resolver;

describe('ldap resolver: lookups', () => {
  test('finds a user by uid with entryUUID as id, mapped attributes and memberOf groups', async () => {
    const r = resolver();
    const alice = await r.findUser('alice');
    assert.ok(alice);
    assert.equal(alice.resolver, 'corp');
    assert.equal(alice.login, 'alice');
    assert.match(alice.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(alice.email, 'alice@example.org');
    assert.equal(alice.phone, '+15550100');
    assert.equal(alice.givenName, 'Alice');
    assert.equal(alice.surname, 'Archer');
    assert.deepEqual([...alice.groups].sort(), ['staff', 'vpn-admins']);
    assert.equal(alice.attributes.dn, ldap.slapd.dnOf('alice'));
    assert.equal('userPassword' in alice.attributes, false);
    const carol = await r.findUser('carol');
    assert.ok(carol);
    assert.deepEqual(carol.groups, []);
    assert.equal(carol.email, undefined);
    assert.equal(carol.givenName, undefined);
  });

  test('getUserById finds the same user; unknown and malformed ids find nobody', async () => {
    const r = resolver();
    const alice = await r.findUser('alice');
    assert.ok(alice);
    assert.deepEqual(await r.getUserById(alice.id), alice);
    assert.equal(await r.getUserById('00000000-0000-0000-0000-000000000000'), undefined);
    assert.equal(await r.getUserById('not-a-uuid'), undefined);
    assert.equal(await r.getUserById('*'), undefined);
  });

  test('an unknown login, an empty one and a non-person entry find nobody', async () => {
    const r = resolver();
    assert.equal(await r.findUser('nobody'), undefined);
    assert.equal(await r.findUser(''), undefined);
    assert.equal(await r.findUser('x'.repeat(300)), undefined);
    // uid=printer is an account, not a person: the default userFilter leaves it out.
    assert.equal(await r.findUser('printer'), undefined);
    assert.ok(await resolver({ userFilter: '(objectClass=account)' }).findUser('printer'));
  });

  test('filter injection through the login finds nobody', async () => {
    const r = resolver();
    for (const login of ['*', '*)(uid=*', 'alice)(uid=*', '*)(|(uid=*', 'al*', 'alice\\', '(uid=alice)', 'alice\u0000']) {
      assert.equal(await r.findUser(login), undefined, `login ${JSON.stringify(login)}`);
    }
    // The same holds for a resolver whose login attribute has substring matching and a wide filter.
    const wide = resolver({ userFilter: '(objectClass=*)', loginAttribute: 'cn' });
    assert.equal(await wide.findUser('*'), undefined);
    assert.equal(await wide.findUser('Alice*'), undefined);
    assert.equal((await wide.findUser('Alice Archer'))?.login, 'Alice Archer');
  });

  test('a login held by two entries is an error, not a pick', async () => {
    const r = resolver();
    await assert.rejects(r.findUser('twin'), (e: unknown) => e instanceof ResolverUnavailableError && /more than one entry/.test(e.message));
    // Narrowing the base makes it unique again.
    const people = resolver({ baseDn: `ou=people,${BASE_DN}` });
    assert.equal((await people.findUser('twin'))?.surname, 'One');
  });

  test('login attribute variants: mail, sAMAccountName, userPrincipalName', async () => {
    const byMail = resolver({ loginAttribute: 'mail' });
    const bob = await byMail.findUser('bob@example.org');
    assert.equal(bob?.login, 'bob@example.org');
    assert.equal(bob?.surname, 'Baker');
    const bySam = resolver({ loginAttribute: 'sAMAccountName' });
    // AD logins match without case; the user's login is the directory's spelling.
    const dave = await bySam.findUser('ddunn');
    assert.equal(dave?.login, 'DDunn');
    assert.equal(dave?.givenName, 'Dave');
    assert.equal(await bySam.findUser('alice'), undefined);
    const byUpn = resolver({ loginAttribute: 'userPrincipalName' });
    assert.equal((await byUpn.findUser('dave.dunn@corp.example.org'))?.surname, 'Dunn');
  });

  test('uidAttribute objectGUID gives the canonical GUID string and finds the user by it', async () => {
    const r = resolver({ loginAttribute: 'sAMAccountName', uidAttribute: 'objectGUID' });
    const dave = await r.findUser('DDunn');
    assert.equal(dave?.id, DAVE_GUID);
    assert.equal((await r.getUserById(DAVE_GUID))?.login, 'DDunn');
    assert.equal((await r.getUserById(DAVE_GUID.toUpperCase()))?.login, 'DDunn');
    assert.equal(await r.getUserById('not-a-guid'), undefined);
    // A user without an objectGUID cannot be bound to tokens: an error, not a silent miss.
    await assert.rejects(resolver({ uidAttribute: 'objectGUID' }).findUser('alice'), /no objectGUID/);
  });

  test('uidAttribute dn: the DN is the id; ids outside the base or deleted find nobody', async () => {
    const r = resolver({ uidAttribute: 'dn' });
    const bob = await r.findUser('bob');
    assert.equal(bob?.id, ldap.slapd.dnOf('bob'));
    assert.equal((await r.getUserById(ldap.slapd.dnOf('bob')))?.login, 'bob');
    assert.equal(await r.getUserById(`uid=ghost,ou=people,${BASE_DN}`), undefined);
    assert.equal(await r.getUserById('uid=bob,dc=elsewhere'), undefined);
    // The service entry is under the base but is not a person.
    assert.equal(await r.getUserById(SERVICE_DN), undefined);
  });

  test('extra attributes are copied; password attributes are refused in the config', async () => {
    const r = resolver({ extraAttributes: ['cn', 'objectClass'] });
    const alice = await r.findUser('alice');
    assert.equal(alice?.attributes.cn, 'Alice Archer');
    assert.deepEqual(alice?.attributes.objectClass, 'inetOrgPerson');
    assert.throws(
      () => resolver({ extraAttributes: ['userPassword'] }),
      (e: unknown) => e instanceof ResolverConfigError && /extraAttributes\[0\]: "userPassword" holds a password/.test(e.message),
    );
  });

  test('groups by group search: member DN, name attribute', async () => {
    const r = resolver({ groupBaseDn: `ou=groups,${BASE_DN}` });
    assert.deepEqual((await r.findUser('alice'))?.groups.sort(), ['staff', 'vpn-admins']);
    assert.deepEqual((await r.findUser('dave'))?.groups, ['staff']);
    assert.deepEqual((await r.findUser('carol'))?.groups, []);
    const none = resolver({ groupBaseDn: `ou=groups,${BASE_DN}`, groupFilter: '(cn=vpn-*)' });
    assert.deepEqual((await none.findUser('bob'))?.groups, []);
    assert.deepEqual((await none.findUser('alice'))?.groups, ['vpn-admins']);
  });

  test('listUsers searches login, mail and names, sorted, limited', async () => {
    const r = resolver({ baseDn: `ou=people,${BASE_DN}` });
    assert.deepEqual(
      (await r.listUsers()).map((u) => u.login),
      ['alice', 'bob', 'carol', 'dave', 'twin'],
    );
    assert.deepEqual(
      (await r.listUsers('example.org')).map((u) => u.login),
      ['alice', 'bob', 'dave'],
    );
    assert.deepEqual(
      (await r.listUsers('BAKER')).map((u) => u.login),
      ['bob'],
    );
    assert.deepEqual(
      (await r.listUsers('*')).map((u) => u.login),
      [],
    );
    assert.equal((await r.listUsers(undefined, 2)).length, 2);
    assert.deepEqual(await r.listUsers(undefined, 0), []);
    assert.deepEqual((await r.listUsers('alice'))[0]?.groups.sort(), ['staff', 'vpn-admins']);
  });

  test('anonymous: no service bind, lookups and user binds still work', async () => {
    const r = resolver({ bindDn: undefined, bindPassword: undefined });
    const alice = await r.findUser('alice');
    assert.equal(alice?.email, 'alice@example.org');
    assert.ok(alice);
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
  });
});

describe('ldap resolver: password checks (userstore)', () => {
  test('right, wrong and empty passwords', async () => {
    const r = resolver();
    const alice = await r.findUser('alice');
    assert.ok(alice);
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
    assert.equal(await r.checkPassword(alice, 'wrong'), false);
    assert.equal(await r.checkPassword(alice, ''), false);
    assert.equal(await r.checkPassword(alice, 'bob-pw'), false);
    assert.equal(await r.checkPassword({ ...alice, resolver: 'other' }, 'alice-pw'), false);
  });

  test('the DN comes from the directory, not from the user object passed in', async () => {
    const r = resolver();
    const alice = await r.findUser('alice');
    assert.ok(alice);
    // A caller-changed DN must not redirect the bind to another entry.
    assert.equal(await r.checkPassword({ ...alice, attributes: { dn: ldap.slapd.dnOf('bob') } }, 'bob-pw'), false);
    assert.equal(await r.checkPassword({ ...alice, id: '00000000-0000-0000-0000-000000000000' }, 'alice-pw'), false);
  });

  test('an empty password never reaches the server, even when the server is gone', async () => {
    const r = resolver({ uri: 'ldap://127.0.0.1:1' });
    const fake = { resolver: 'corp', id: 'x', login: 'alice', groups: [], attributes: { dn: ldap.slapd.dnOf('alice') } };
    assert.equal(await r.checkPassword(fake, ''), false);
  });
});

describe('ldap resolver: TLS', () => {
  test('StartTLS with caFile', async () => {
    const r = resolver({ startTls: true, caFile: ldap.slapd.caFile });
    const alice = await r.findUser('alice');
    assert.equal(alice?.login, 'alice');
    assert.ok(alice);
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
  });

  test('ldaps:// with caFile', async () => {
    const r = resolver({ uri: ldap.slapd.ldapsUrl, caFile: ldap.slapd.caFile });
    assert.equal((await r.findUser('bob'))?.login, 'bob');
  });

  test('an unknown CA is refused unless tlsVerify is off', async () => {
    const logs = captureLogs();
    const r = resolver({ startTls: true }, logs.logger);
    await assert.rejects(r.findUser('alice'), (e: unknown) => e instanceof ResolverUnavailableError && /self-signed|certificate/i.test(e.message));
    assert.ok(logs.lines.some((l) => l.msg === 'LDAP server unreachable' && /certificate/i.test(String(l.cause))));
    const lax = resolver({ uri: ldap.slapd.ldapsUrl, tlsVerify: false });
    assert.equal((await lax.findUser('bob'))?.login, 'bob');
  });

  test('StartTLS with ldaps:// and a missing caFile are config errors', () => {
    assert.throws(() => resolver({ uri: ldap.slapd.ldapsUrl, startTls: true }), /startTls: ldaps:\/\/ is TLS already/);
    assert.throws(() => resolver({ caFile: '/nonexistent/ca.pem' }), /caFile: cannot read \/nonexistent\/ca.pem: ENOENT/);
  });
});

describe('ldap resolver: options', () => {
  test('bad options name the key', () => {
    const bad = (o: Partial<LdapResolverOptions>): string => {
      try {
        resolver(o);
      } catch (e) {
        assert.ok(e instanceof ResolverConfigError);
        return e.message;
      }
      assert.fail('accepted');
    };
    assert.match(bad({ uri: 'http://x' }), /resolvers\.corp\.uri: "http:\/\/x": expected the scheme ldap:\/\/ or ldaps:\/\//);
    assert.match(bad({ uri: 'ldap://h/dc=x?uid' }), /only scheme, host and port/);
    assert.match(bad({ uri: [] }), /at least one/);
    assert.match(bad({ userFilter: 'uid=x' }), /userFilter: "uid=x" is not an LDAP filter/);
    assert.match(bad({ userFilter: '(&(uid=x)' }), /userFilter: .* is not an LDAP filter/);
    assert.match(bad({ loginAttribute: 'u id' }), /loginAttribute: "u id" is not an LDAP attribute name/);
    assert.match(bad({ bindPassword: '' }), /bindPassword: required with bindDn/);
    assert.match(bad({ bindDn: undefined }), /bindPassword: given without bindDn/);
    assert.match(bad({ timeout: 0 }), /timeout: expected a number of at least 0.05/);
    assert.match(bad({ poolSize: 1.5 }), /poolSize: expected a whole number/);
  });
});
