// The ldap resolver when things go wrong: refused service binds, dead and
// silent servers, failover over the URI list, slapd stopped or frozen
// mid-test and back again; and the cache and connection pool around it.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { captureLogs } from '../helpers/radius.ts';
import type { LdapResolver } from '../../src/users/ldap-resolver.ts';
import { ResolverUnavailableError } from '../../src/users/types.ts';
import { elapsed, silentServer, useSlapd } from './ldap-fixture.ts';
import { forwarder } from './tcp-forwarder.ts';

const ldap = useSlapd();
const resolver = ldap.resolver;

describe('ldap resolver: failures', () => {
  test('a refused service bind is unavailable, logged once with the cause', async () => {
    const logs = captureLogs();
    const r = resolver({ bindPassword: 'wrong', cacheTtl: 0 }, logs.logger);
    await assert.rejects(r.findUser('alice'), (e: unknown) => e instanceof ResolverUnavailableError && /invalid credentials/.test(e.message));
    await assert.rejects(r.findUser('bob'), ResolverUnavailableError);
    const errors = logs.lines.filter((l) => l.level === 50);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.msg, 'LDAP server refused the service bind');
    assert.equal(errors[0]!.uri, ldap.slapd.url);
    assert.equal(JSON.stringify(logs.lines).includes('wrong'), false, 'the bind password is not logged');
  });

  test('failover: a dead first URI, then the live one', async () => {
    const logs = captureLogs();
    const r = resolver({ uri: ['ldap://127.0.0.1:1', ldap.slapd.url] }, logs.logger);
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
      const r = resolver({ uri: [`ldap://127.0.0.1:${silent.port}`, ldap.slapd.url], connectTimeout: 0.3, timeout: 3 });
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
    await ldap.slapd.stop();
    try {
      const { ms, result } = await elapsed(() => r.findUser('alice'));
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof ResolverUnavailableError);
      assert.ok(ms < 1000, `took ${ms} ms`);
      await assert.rejects(r.checkPassword(alice, 'alice-pw'), ResolverUnavailableError);
      await assert.rejects(r.listUsers(), ResolverUnavailableError);
      assert.equal(logs.lines.filter((l) => l.level === 50).length, 1, JSON.stringify(logs.lines));
    } finally {
      await ldap.slapd.start();
    }
    assert.equal((await r.findUser('alice'))?.login, 'alice');
    assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
    assert.ok(logs.lines.some((l) => l.msg === 'LDAP server answers again'));
  });

  test('slapd frozen (accepts, never answers): unavailable within the timeout, then recovers', async () => {
    const r = resolver({ cacheTtl: 0, timeout: 0.8 });
    assert.ok(await r.findUser('alice'));
    await ldap.slapd.pause();
    try {
      const { ms, result } = await elapsed(() => r.findUser('bob'));
      assert.equal(result.status, 'rejected');
      assert.ok((result as PromiseRejectedResult).reason instanceof ResolverUnavailableError);
      assert.ok(ms < 1300, `took ${ms} ms`);
    } finally {
      ldap.slapd.resume();
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
    await ldap.slapd.stop();
    try {
      assert.equal((await r.findUser('bob'))?.login, 'bob');
      await assert.rejects(r.findUser('carol'), ResolverUnavailableError);
    } finally {
      await ldap.slapd.start();
    }
  });

  test('lookups one after another reuse one connection; a burst uses at most poolSize', async () => {
    const fwd = await forwarder(ldap.slapd.port);
    try {
      const r = resolver({ uri: `ldap://127.0.0.1:${fwd.port}`, poolSize: 2, cacheTtl: 0 });
      for (let i = 0; i < 20; i++) assert.ok(await r.findUser(i % 2 ? 'alice' : 'bob'));
      assert.equal(fwd.accepted, 1);
      const logins = ['alice', 'bob', 'carol', 'dave'];
      const found = await Promise.all(Array.from({ length: 40 }, (_, i) => r.findUser(logins[i % 4]!)));
      assert.deepEqual(
        found.map((u) => u?.login),
        Array.from({ length: 40 }, (_, i) => logins[i % 4]),
      );
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
    const fwd = await forwarder(ldap.slapd.port);
    const logs = captureLogs();
    try {
      const r = resolver({ uri: `ldap://127.0.0.1:${fwd.port}`, cacheTtl: 0 }, logs.logger);
      assert.ok(await r.findUser('alice'));
      // Drop every connection but keep listening, as a server closing idle connections does.
      await fwd.down();
      await fwd.up();
      assert.ok(await r.findUser('alice'));
      assert.equal(fwd.accepted, 2);
      assert.deepEqual(
        logs.lines.filter((l) => (l.level as number) >= 40),
        [],
      );
    } finally {
      await fwd.close();
    }
  });
});
