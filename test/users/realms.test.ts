import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Realms, UnknownRealmError } from '../../src/users/realms.ts';
import { AmbiguousUserError, ResolverConfigError, ResolverUnavailableError, type User, type UserResolver } from '../../src/users/types.ts';

/** A resolver whose answers the test controls: a set of logins, or a failure. */
class FakeResolver implements UserResolver {
  readonly type = 'fake';
  readonly name: string;
  logins: Set<string>;
  failure: unknown = undefined;
  calls = 0;

  constructor(name: string, logins: string[]) {
    this.name = name;
    this.logins = new Set(logins);
  }

  async findUser(login: string): Promise<User | undefined> {
    this.calls++;
    if (this.failure !== undefined) throw this.failure;
    return this.logins.has(login) ? { resolver: this.name, id: `${this.name}:${login}`, login, groups: [], attributes: {} } : undefined;
  }
  async getUserById(): Promise<User | undefined> {
    return undefined;
  }
  async checkPassword(user: User, password: string): Promise<boolean> {
    if (this.failure !== undefined) throw this.failure;
    return user.resolver === this.name && password === `${user.login}-pw`;
  }
  async listUsers(): Promise<User[]> {
    return [];
  }
  async close(): Promise<void> {}
}

function setup() {
  const ldap = new FakeResolver('ldap', ['alice', 'bob']);
  const file = new FakeResolver('file', ['carol', 'bob']);
  const other = new FakeResolver('other', ['dave']);
  const realms = new Realms({ Corp: { resolvers: ['ldap', 'file'], default: true }, lab: { resolvers: ['other'] } }, { ldap, file, other });
  return { ldap, file, other, realms };
}

function configError(fn: () => unknown): ResolverConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ResolverConfigError, `expected ResolverConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('accepted');
}

test('realms by name, case-insensitively, and the default realm', () => {
  const { realms, ldap, file } = setup();
  assert.deepEqual(realms.names, ['corp', 'lab']);
  assert.equal(realms.get('CORP')?.name, 'corp');
  assert.deepEqual(realms.get('corp')?.resolvers, [ldap, file]);
  assert.equal(realms.get('lab')?.isDefault, false);
  assert.equal(realms.get('nope'), undefined);
  assert.equal(realms.defaultRealm, 'corp');
  assert.equal(realms.get('corp')?.isDefault, true);
  assert.equal(realms.hasRealm('LAB'), true);
  assert.equal(realms.hasRealm('nope'), false);
});

test('no default realm unless one is marked', () => {
  const r = new Realms({ a: { resolvers: ['x'] } }, new Map([['x', new FakeResolver('x', [])]]));
  assert.equal(r.defaultRealm, undefined);
});

test('findUser asks every resolver of the realm and returns the one hit', async () => {
  const { realms, ldap, file, other } = setup();
  assert.equal((await realms.findUser('corp', 'alice'))?.resolver, 'ldap');
  assert.equal((await realms.findUser('Corp', 'carol'))?.resolver, 'file');
  assert.equal(await realms.findUser('corp', 'dave'), undefined, 'dave is in another realm');
  assert.equal((await realms.findUser(realms.get('lab')!, 'dave'))?.resolver, 'other');
  assert.equal(ldap.calls, 3);
  assert.equal(file.calls, 3);
  assert.equal(other.calls, 1);
});

test('a login in two resolvers of one realm is ambiguous', async () => {
  const { realms } = setup();
  await assert.rejects(realms.findUser('corp', 'bob'), (e: unknown) => {
    assert.ok(e instanceof AmbiguousUserError);
    assert.equal(e.realm, 'corp');
    assert.equal(e.login, 'bob');
    assert.deepEqual(e.resolvers, ['ldap', 'file']);
    assert.equal(e.message, 'login "bob" is found in more than one resolver of realm "corp": ldap, file');
    return true;
  });
});

test('an unavailable resolver is an error only when nobody found the user', async () => {
  const { realms, ldap } = setup();
  const cause = new Error('connect ECONNREFUSED 10.0.0.5:636');
  ldap.failure = new ResolverUnavailableError('ldap', cause);
  // carol is in the file resolver: found despite LDAP being down.
  assert.equal((await realms.findUser('corp', 'carol'))?.resolver, 'file');
  // alice lives in LDAP only: we cannot say "no such user".
  await assert.rejects(realms.findUser('corp', 'alice'), (e: unknown) => {
    assert.ok(e instanceof ResolverUnavailableError);
    assert.equal(e.resolver, 'ldap');
    assert.equal(e.cause, cause);
    assert.equal(e.message, 'resolver "ldap": unavailable: connect ECONNREFUSED 10.0.0.5:636');
    return true;
  });
  await assert.rejects(realms.findUser('corp', 'nobody'), ResolverUnavailableError);
});

test('any other failure of a resolver is reported as ResolverUnavailableError with the cause', async () => {
  const { realms, file } = setup();
  const bug = new TypeError('boom');
  file.failure = bug;
  await assert.rejects(realms.findUser('corp', 'carol'), (e: unknown) => {
    assert.ok(e instanceof ResolverUnavailableError);
    assert.equal(e.resolver, 'file');
    assert.equal(e.cause, bug);
    return true;
  });
});

test('the lookups run in parallel', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const slow = (name: string): UserResolver => {
    const r = new FakeResolver(name, []);
    r.findUser = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10));
      inFlight--;
      return undefined;
    };
    return r;
  };
  const realms = new Realms({ r: { resolvers: ['a', 'b', 'c'] } }, { a: slow('a'), b: slow('b'), c: slow('c') });
  assert.equal(await realms.findUser('r', 'x'), undefined);
  assert.equal(maxInFlight, 3);
});

test('an unknown realm name is an UnknownRealmError', async () => {
  const { realms } = setup();
  await assert.rejects(realms.findUser('elsewhere', 'alice'), (e: unknown) => e instanceof UnknownRealmError && e.message === 'unknown realm "elsewhere"');
});

test('config errors: unknown resolver, empty list, two defaults, duplicates, case clash', () => {
  const x = new FakeResolver('x', []);
  const y = new FakeResolver('y', []);
  const unknown = configError(() => new Realms({ corp: { resolvers: ['x', 'ldap2'] } }, { x, y }));
  assert.deepEqual(unknown.problems, ['realms.corp.resolvers[1]: unknown resolver "ldap2" (resolvers: x, y)']);
  assert.deepEqual(unknown.path, ['realms', 'corp', 'resolvers', 1]);

  assert.deepEqual(configError(() => new Realms({ corp: { resolvers: [] } }, { x })).problems, ['realms.corp.resolvers: an empty list; a realm needs at least one resolver']);
  const twoDefaults = configError(() => new Realms({ a: { resolvers: ['x'], default: true }, b: { resolvers: ['y'], default: true } }, { x, y }));
  assert.deepEqual(twoDefaults.problems, ['realms.b.default: only one realm can be the default; "a" already is']);
  assert.deepEqual(twoDefaults.path, ['realms', 'b', 'default']);
  assert.deepEqual(configError(() => new Realms({ a: { resolvers: ['x', 'x'] } }, { x })).problems, ['realms.a.resolvers[1]: resolver "x" is listed twice']);
  assert.deepEqual(configError(() => new Realms({ Corp: { resolvers: ['x'] }, corp: { resolvers: ['y'] } }, { x, y })).problems, [
    'realms.corp: realm names are case-insensitive and "Corp" is already defined',
  ]);
  assert.deepEqual(configError(() => new Realms({ 'a@b': { resolvers: ['x'] } }, { x })).problems, ['realms.a@b: a realm name must be non-empty and must not contain "@"']);
  assert.deepEqual(configError(() => new Realms({ a: { resolvers: ['x'] } }, {})).problems, ['realms.a.resolvers[0]: unknown resolver "x" (resolvers: none configured)']);
  // Several problems at once, all reported.
  const many = configError(() => new Realms({ a: { resolvers: [] }, b: { resolvers: ['nope'] } }, { x }));
  assert.equal(many.problems.length, 2);
  assert.equal(many.message, many.problems.join('\n'));
});

test('checkPassword goes to the resolver that found the user', async () => {
  const { realms, file } = setup();
  const carol = (await realms.findUser('corp', 'carol'))!;
  assert.equal(await realms.checkPassword(carol, 'carol-pw'), true);
  assert.equal(await realms.checkPassword(carol, 'wrong'), false);
  assert.equal(await realms.checkPassword({ ...carol, resolver: 'gone' }, 'carol-pw'), false);
  file.failure = new ResolverUnavailableError('file', new Error('timeout'));
  await assert.rejects(realms.checkPassword(carol, 'carol-pw'), ResolverUnavailableError);
});
