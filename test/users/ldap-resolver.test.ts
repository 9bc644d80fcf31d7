// The ldap resolver against a real slapd: lookups, login and uid attribute
// variants, groups by memberOf and by group search, user binds, TLS, the
// filter-injection attempt, and what happens when the server goes away.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server, type Socket } from 'node:net';
import { captureLogs } from '../helpers/radius.ts';
import { forwarder } from './tcp-forwarder.ts';
import { BASE_DN, DAVE_GUID, SERVICE_DN, SERVICE_PASSWORD, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { LdapResolver } from '../../src/users/ldap-resolver.ts';
import type { LdapResolverOptions } from '../../src/users/ldap-options.ts';
import { ResolverConfigError, ResolverUnavailableError } from '../../src/users/types.ts';

let slapd: Slapd;
const open: LdapResolver[] = [];

function resolver(extra: Partial<LdapResolverOptions> = {}, logger?: ReturnType<typeof captureLogs>['logger']): LdapResolver {
  const r = new LdapResolver('corp', {
    uri: slapd.url,
    bindDn: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    baseDn: BASE_DN,
    timeout: 2,
    connectTimeout: 1,
    ...extra,
  }, { logger });
  open.push(r);
  return r;
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('no address');
  return {
    port: addr.port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function elapsed<T>(f: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const t0 = performance.now();
  const [result] = await Promise.allSettled([f()]);
  return { ms: performance.now() - t0, result: result! };
}

before(async () => {
  slapd = await startSlapd();
});

after(async () => {
  for (const r of open) await r.close();
  await slapd.destroy();
});

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
    assert.equal(alice.attributes.dn, slapd.dnOf('alice'));
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
    assert.equal(bob?.id, slapd.dnOf('bob'));
    assert.equal((await r.getUserById(slapd.dnOf('bob')))?.login, 'bob');
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
    assert.throws(() => resolver({ extraAttributes: ['userPassword'] }), (e: unknown) => e instanceof ResolverConfigError && /extraAttributes\[0\]: "userPassword" holds a password/.test(e.message));
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
    assert.deepEqual((await r.listUsers()).map((u) => u.login), ['alice', 'bob', 'carol', 'dave', 'twin']);
    assert.deepEqual((await r.listUsers('example.org')).map((u) => u.login), ['alice', 'bob', 'dave']);
    assert.deepEqual((await r.listUsers('BAKER')).map((u) => u.login), ['bob']);
    assert.deepEqual((await r.listUsers('*')).map((u) => u.login), []);
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
    assert.equal(await r.checkPassword({ ...alice, attributes: { dn: slapd.dnOf('bob') } }, 'bob-pw'), false);
    assert.equal(await r.checkPassword({ ...alice, id: '00000000-0000-0000-0000-000000000000' }, 'alice-pw'), false);
  });

  test('an empty password never reaches the server, even when the server is gone', async () => {
    const r = resolver({ uri: 'ldap://127.0.0.1:1' });
    const fake = { resolver: 'corp', id: 'x', login: 'alice', groups: [], attributes: { dn: slapd.dnOf('alice') } };
    assert.equal(await r.checkPassword(fake, ''), false);
  });
});

describe('ldap resolver: TLS', () => {
  test('StartTLS with caFile', async () => {
    const r = resolver({ startTls: true, caFile: slapd.caFile });
    const alice = await r.findUser('alice');
    assert.equal(alice?.login, 'alice');
    assert.ok(alice);
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
  });

  test('ldaps:// with caFile', async () => {
    const r = resolver({ uri: slapd.ldapsUrl, caFile: slapd.caFile });
    assert.equal((await r.findUser('bob'))?.login, 'bob');
  });

  test('an unknown CA is refused unless tlsVerify is off', async () => {
    const logs = captureLogs();
    const r = resolver({ startTls: true }, logs.logger);
    await assert.rejects(r.findUser('alice'), (e: unknown) => e instanceof ResolverUnavailableError && /self-signed|certificate/i.test(e.message));
    assert.ok(logs.lines.some((l) => l.msg === 'LDAP server unreachable' && /certificate/i.test(String(l.cause))));
    const lax = resolver({ uri: slapd.ldapsUrl, tlsVerify: false });
    assert.equal((await lax.findUser('bob'))?.login, 'bob');
  });

  test('StartTLS with ldaps:// and a missing caFile are config errors', () => {
    assert.throws(() => resolver({ uri: slapd.ldapsUrl, startTls: true }), /startTls: ldaps:\/\/ is TLS already/);
    assert.throws(() => resolver({ caFile: '/nonexistent/ca.pem' }), /caFile: cannot read \/nonexistent\/ca.pem: ENOENT/);
  });
});

describe('ldap resolver: failures', () => {
  test('a refused service bind is unavailable, logged once with the cause', async () => {
    const logs = captureLogs();
    const r = resolver({ bindPassword: 'wrong', cacheTtl: 0 }, logs.logger);
    await assert.rejects(r.findUser('alice'), (e: unknown) => e instanceof ResolverUnavailableError && /invalid credentials/.test(e.message));
    await assert.rejects(r.findUser('bob'), ResolverUnavailableError);
    const errors = logs.lines.filter((l) => l.level === 50);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.msg, 'LDAP server refused the service bind');
    assert.equal(errors[0]!.uri, slapd.url);
    assert.equal(JSON.stringify(logs.lines).includes('wrong'), false, 'the bind password is not logged');
  });

  test('failover: a dead first URI, then the live one', async () => {
    const logs = captureLogs();
    const r = resolver({ uri: ['ldap://127.0.0.1:1', slapd.url] }, logs.logger);
    assert.equal((await r.findUser('alice'))?.login, 'alice');
    assert.ok(logs.lines.some((l) => l.msg === 'LDAP server unreachable' && l.uri === 'ldap://127.0.0.1:1' && /ECONNREFUSED/.test(String(l.cause))));
    // The dead server is now tried last: the next lookups do not log it again.
    const before = logs.lines.length;
    assert.equal((await r.findUser('bob'))?.login, 'bob');
    assert.equal(logs.lines.filter((l) => l.level === 50).length, logs.lines.slice(0, before).filter((l) => l.level === 50).length);
  });

  test('failover: a first server that accepts but never answers costs connectTimeout, not forever', async () => {
    const silent = await silentServer();
    try {
      const r = resolver({ uri: [`ldap://127.0.0.1:${silent.port}`, slapd.url], connectTimeout: 0.3, timeout: 3 });
      const { ms, result } = await elapsed(() => r.findUser('alice'));
      assert.equal(result.status, 'fulfilled');
      assert.equal((result as PromiseFulfilledResult<Awaited<ReturnType<LdapResolver['findUser']>>>).value?.login, 'alice');
      assert.ok(ms < 1500, `took ${ms} ms`);
    } finally {
      await silent.close();
    }
  });

  test('a server that never answers: unavailable within the timeout', async () => {
    const silent = await silentServer();
    try {
      const r = resolver({ uri: `ldap://127.0.0.1:${silent.port}`, timeout: 0.5, connectTimeout: 0.5 });
      const { ms, result } = await elapsed(() => r.findUser('alice'));
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof ResolverUnavailableError);
      assert.ok(ms < 1000, `took ${ms} ms`);
    } finally {
      await silent.close();
    }
  });

  test('slapd stopped mid-test: unavailable within the timeout; back again without a new resolver', async () => {
    const logs = captureLogs();
    const r = resolver({ cacheTtl: 0, timeout: 1 }, logs.logger);
    const alice = await r.findUser('alice');
    assert.ok(alice);
    await slapd.stop();
    try {
      const { ms, result } = await elapsed(() => r.findUser('alice'));
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof ResolverUnavailableError);
      assert.ok(ms < 1000, `took ${ms} ms`);
      await assert.rejects(r.checkPassword(alice, 'alice-pw'), ResolverUnavailableError);
      await assert.rejects(r.listUsers(), ResolverUnavailableError);
      assert.equal(logs.lines.filter((l) => l.level === 50).length, 1, JSON.stringify(logs.lines));
    } finally {
      await slapd.start();
    }
    assert.equal((await r.findUser('alice'))?.login, 'alice');
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
    assert.ok(logs.lines.some((l) => l.msg === 'LDAP server answers again'));
  });

  test('slapd frozen (accepts, never answers): unavailable within the timeout, then recovers', async () => {
    const r = resolver({ cacheTtl: 0, timeout: 0.8 });
    assert.ok(await r.findUser('alice'));
    await slapd.pause();
    try {
      const { ms, result } = await elapsed(() => r.findUser('bob'));
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof ResolverUnavailableError);
      assert.ok(ms < 1300, `took ${ms} ms`);
    } finally {
      slapd.resume();
    }
    assert.equal((await r.findUser('bob'))?.login, 'bob');
  });

  test('a wrong base DN is unavailable with the LDAP reason', async () => {
    const r = resolver({ baseDn: 'ou=nowhere,dc=example,dc=org' });
    await assert.rejects(r.findUser('alice'), /No Such Object|LDAP result 32/i);
  });

  test('a closed resolver refuses work', async () => {
    const r = resolver();
    await r.close();
    await assert.rejects(r.findUser('alice'), /closed/);
  });
});

describe('ldap resolver: cache and pool', () => {
  test('a burst of lookups for one login all get the user; cached users come back as copies', async () => {
    const r = resolver();
    const users = await Promise.all(Array.from({ length: 50 }, () => r.findUser('alice')));
    assert.ok(users.every((u) => u?.login === 'alice'));
    users[0]!.groups.push('mutated');
    assert.equal((await r.findUser('alice'))?.groups.includes('mutated'), false);
  });

  test('the cache keeps a found user while the server is down (cacheTtl), not an unknown one', async () => {
    const r = resolver({ cacheTtl: 60 });
    assert.ok(await r.findUser('bob'));
    await slapd.stop();
    try {
      assert.equal((await r.findUser('bob'))?.login, 'bob');
      await assert.rejects(r.findUser('carol'), ResolverUnavailableError);
    } finally {
      await slapd.start();
    }
  });

  test('lookups one after another reuse one connection; a burst uses at most poolSize', async () => {
    const fwd = await forwarder(slapd.port);
    try {
      const r = resolver({ uri: `ldap://127.0.0.1:${fwd.port}`, poolSize: 2, cacheTtl: 0 });
      for (let i = 0; i < 20; i++) assert.ok(await r.findUser(i % 2 ? 'alice' : 'bob'));
      assert.equal(fwd.accepted, 1);
      const logins = ['alice', 'bob', 'carol', 'dave'];
      const found = await Promise.all(Array.from({ length: 40 }, (_, i) => r.findUser(logins[i % 4]!)));
      assert.deepEqual(found.map((u) => u?.login), Array.from({ length: 40 }, (_, i) => logins[i % 4]));
      assert.ok(fwd.accepted <= 2, `${fwd.accepted} connections`);
      // Password checks bind on connections of their own, closed afterwards.
      const before = fwd.accepted;
      const alice = found[0]!;
      assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
      assert.equal(fwd.accepted, before + 1);
    } finally {
      await fwd.close();
    }
  });

  test('a pooled connection the server dropped is replaced without an error', async () => {
    const fwd = await forwarder(slapd.port);
    const logs = captureLogs();
    try {
      const r = resolver({ uri: `ldap://127.0.0.1:${fwd.port}`, cacheTtl: 0 }, logs.logger);
      assert.ok(await r.findUser('alice'));
      // Drop every connection but keep listening, as a server closing idle connections does.
      await fwd.down();
      await fwd.up();
      assert.ok(await r.findUser('alice'));
      assert.equal(fwd.accepted, 2);
      assert.deepEqual(logs.lines.filter((l) => (l.level as number) >= 40), []);
    } finally {
      await fwd.close();
    }
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
