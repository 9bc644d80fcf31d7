import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileResolver } from '../../src/users/file-resolver.ts';
import { createResolver, ResolverConfigError, ResolverUnavailableError } from '../../src/users/index.ts';
import { Alias } from 'yaml';
import { parseUsersFile } from '../../src/users/users-file.ts';

// openssl passwd -6 -salt Ex8zoYNGxa3bHeFo 'correct horse'
const HASH = '$6$Ex8zoYNGxa3bHeFo$TDUUG8VZPE9NRR5RNuSWfFN8ijRpxvY4t5AAOPq0ifBUxwMVYjBlhpIyx5Yhr.bhNJ3YXhDrXnjp2sL8BQ07E1';
// slappasswd -h {SSHA} -s 'correct horse'
const SSHA = '{SSHA}MmtssMNEIMEAJAcyGd4N8S3TiH9SVz0E';

const GOOD = `users:
  - login: alice
    password: "${HASH}"
    email: alice@example.org
    phone: "+49 30 1234567"
    givenName: Alice
    surname: Example
    groups: [vpn-users, staff]
    attributes:
      department: IT
      rooms: ["101", "102"]
  - login: Bob
    id: "1002"
    password: "${SSHA}"
    groups: admins
  - login: carol
`;

async function withFile(content: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-users-'));
  try {
    const path = join(dir, 'users.yaml');
    await writeFile(path, content);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The problems of a file that must be rejected, one per line. */
async function problems(content: string, options = {}): Promise<string[]> {
  try {
    await parseUsersFile(content, 'config/users.yaml', options);
  } catch (e) {
    assert.ok(e instanceof ResolverConfigError, `expected ResolverConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('the file was accepted');
}

test('finds users by login and id, with every field and the resolver name', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    assert.equal(r.type, 'file');
    assert.equal(r.name, 'local');
    assert.equal(r.size, 3);
    assert.deepEqual(await r.findUser('alice'), {
      resolver: 'local',
      id: 'alice',
      login: 'alice',
      email: 'alice@example.org',
      phone: '+49 30 1234567',
      givenName: 'Alice',
      surname: 'Example',
      groups: ['vpn-users', 'staff'],
      attributes: { department: 'IT', rooms: ['101', '102'] },
    });
    const bob = await r.getUserById('1002');
    assert.equal(bob?.login, 'Bob');
    assert.deepEqual(bob?.groups, ['admins'], 'a single group may be written as a string');
    assert.deepEqual(await r.findUser('carol'), { resolver: 'local', id: 'carol', login: 'carol', groups: [], attributes: {} });
    assert.equal(await r.findUser('dave'), undefined);
    assert.equal(await r.getUserById('Bob'), undefined, 'Bob has id 1002, not his login');
    // No field of a user carries the password hash.
    assert.ok(!JSON.stringify(await r.listUsers()).includes('$6$'));
  });
});

test('logins are case-sensitive by default and case-insensitive on request', async () => {
  await withFile(GOOD, async (path) => {
    const strict = await FileResolver.open('local', { path });
    assert.equal(await strict.findUser('bob'), undefined);
    assert.equal((await strict.findUser('Bob'))?.id, '1002');
    const loose = await createResolver('ad', { type: 'file', path, caseInsensitive: true });
    assert.equal((await loose.findUser('bob'))?.login, 'Bob');
    assert.equal((await loose.findUser('ALICE'))?.login, 'alice');
  });
});

test('checkPassword: right and wrong passwords, no password, empty password, other resolver', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    const alice = (await r.findUser('alice'))!;
    const bob = (await r.findUser('Bob'))!;
    const carol = (await r.findUser('carol'))!;
    assert.equal(await r.checkPassword(alice, 'correct horse'), true);
    assert.equal(await r.checkPassword(alice, 'correct horsE'), false);
    assert.equal(await r.checkPassword(bob, 'correct horse'), true);
    assert.equal(await r.checkPassword(carol, ''), false);
    assert.equal(await r.checkPassword(carol, 'anything'), false, 'a user without a password never passes');
    assert.equal(await r.checkPassword(alice, ''), false);
    assert.equal(await r.checkPassword({ ...alice, resolver: 'other' }, 'correct horse'), false);
  });
});

test('an empty password is refused even when the stored hash is of the empty string', async () => {
  // glibc crypt('', '$6$emptypw') via python3
  const emptyHash = '$6$emptypw$TWmzQ8/uLn1BFSZ5Lkfum8lAba5vixF9Nl3Aiof.Praatq9nh0kkPuTdoVrIL6du0L6LAoadbPq.q.D7keveg/';
  await withFile(`users:\n  - login: e\n    password: "${emptyHash}"\n`, async (path) => {
    const r = await FileResolver.open('local', { path });
    const e = (await r.findUser('e'))!;
    assert.equal(await r.checkPassword(e, ''), false);
  });
});

test('returned users are copies', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    const a = (await r.findUser('alice'))!;
    a.groups.push('root');
    (a.attributes.rooms as string[]).push('999');
    a.login = 'mallory';
    const again = (await r.findUser('alice'))!;
    assert.deepEqual(again.groups, ['vpn-users', 'staff']);
    assert.deepEqual(again.attributes.rooms, ['101', '102']);
  });
});

test('listUsers searches login, name and email, case-insensitively, with a limit', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    assert.deepEqual(
      (await r.listUsers()).map((u) => u.login),
      ['alice', 'Bob', 'carol'],
    );
    assert.deepEqual(
      (await r.listUsers('EXAMPLE')).map((u) => u.login),
      ['alice'],
    );
    assert.deepEqual(
      (await r.listUsers('b')).map((u) => u.login),
      ['Bob'],
    );
    assert.deepEqual(
      (await r.listUsers('AR')).map((u) => u.login),
      ['carol'],
    );
    assert.deepEqual(
      (await r.listUsers('', 2)).map((u) => u.login),
      ['alice', 'Bob'],
    );
    assert.deepEqual(await r.listUsers(undefined, 0), []);
    assert.deepEqual(await r.listUsers('nobody'), []);
  });
});

test('reload picks up changes; a failed reload keeps the old users and throws', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    const alice = (await r.findUser('alice'))!;
    await writeFile(path, 'users:\n  - login: dave\n');
    await r.reload();
    assert.equal(await r.findUser('alice'), undefined);
    assert.equal((await r.findUser('dave'))?.login, 'dave');
    assert.equal(await r.checkPassword(alice, 'correct horse'), false, 'a user removed by a reload has no password any more');

    await writeFile(path, 'users:\n  - login: erin\n  - login: erin\n');
    await assert.rejects(r.reload(), (e: unknown) => e instanceof ResolverConfigError && /:3: users\[1\]\.login: "erin" is already the login of users\[0\] \(line 2\)/.test(e.message));
    assert.equal((await r.findUser('dave'))?.login, 'dave', 'old users kept');
    assert.equal(await r.findUser('erin'), undefined);

    await rm(path);
    await assert.rejects(r.reload(), new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the users file: no such file`));
    assert.equal(r.size, 1);
  });
});

test('a missing file stops open() with the file name', async () => {
  await assert.rejects(FileResolver.open('local', { path: '/nonexistent/users.yaml' }), {
    name: 'ResolverConfigError',
    message: '/nonexistent/users.yaml: cannot read the users file: no such file',
  });
});

test('after close() lookups throw ResolverUnavailableError', async () => {
  await withFile(GOOD, async (path) => {
    const r = await FileResolver.open('local', { path });
    await r.close();
    await assert.rejects(r.findUser('alice'), ResolverUnavailableError);
  });
});

test('createResolver rejects an unknown type', async () => {
  await assert.rejects(createResolver('x', { type: 'nis' } as never), {
    name: 'ResolverConfigError',
    message: 'resolver "x": unknown type "nis" (expected file, ldap or sql)',
  });
});

test('a missing login is reported with file, line and key', async () => {
  const p = await problems('users:\n  - login: alice\n\n  - email: bob@example.org\n');
  assert.deepEqual(p, ['config/users.yaml:4: users[1].login: required, a non-empty string']);
});

test('duplicate logins and ids name both entries and their lines', async () => {
  const p = await problems(`users:
  - login: alice
    id: "1"
  - login: bob
    id: "1"
  - login: alice
`);
  assert.deepEqual(p, ['config/users.yaml:5: users[1].id: "1" is already the id of users[0] (line 2)', 'config/users.yaml:6: users[2].login: "alice" is already the login of users[0] (line 2)']);
});

test('an id defaulted from a login may clash with an explicit id', async () => {
  const p = await problems('users:\n  - login: x\n    id: bob\n  - login: bob\n');
  assert.deepEqual(p, ['config/users.yaml:4: users[1].id: "bob" is already the id of users[0] (line 2) (the id defaults to the login)']);
});

test('with caseInsensitive, logins differing in case are duplicates', async () => {
  const text = 'users:\n  - login: Bob\n    id: "1"\n  - login: bob\n    id: "2"\n';
  assert.equal((await parseUsersFile(text, 'f.yaml')).length, 2);
  assert.deepEqual(await problems(text, { caseInsensitive: true }), [
    'config/users.yaml:4: users[1].login: "bob" is already the login of users[0] (line 2) as "Bob"; logins are case-insensitive here',
  ]);
});

test('wrong types, unknown keys and bad values are all reported, in file order', async () => {
  const p = await problems(`users:
  - login: carol
    id: 1001
    phone: 0301234
    pasword: x
    groups: {a: b}
  - login: " dave"
    email: dave
    attributes:
      x:
      y: [a, 2]
      z: {k: v}
  - 42
  - login: [a]
    givenName: true
`);
  assert.deepEqual(p, [
    'config/users.yaml:3: users[0].id: expected a non-empty string, got the number 1001 (put it in quotes to make it a string)',
    'config/users.yaml:4: users[0].phone: expected a non-empty string, got the number 0301234 (put it in quotes to make it a string)',
    'config/users.yaml:5: users[0].pasword: unknown key (expected login, id, password, email, phone, givenName, surname, groups, attributes)',
    'config/users.yaml:6: users[0].groups: expected a string or a list of strings, got a mapping',
    'config/users.yaml:7: users[1].login: has leading or trailing white space',
    'config/users.yaml:8: users[1].email: "dave" is not an e-mail address (expected name@domain)',
    'config/users.yaml:10: users[1].attributes.x: expected a string or a list of strings, got an empty value',
    'config/users.yaml:11: users[1].attributes.y[1]: expected a non-empty string, got the number 2 (put it in quotes to make it a string)',
    'config/users.yaml:12: users[1].attributes.z: expected a string or a list of strings, got a mapping',
    'config/users.yaml:13: users[2]: expected a mapping with at least a login, got the number 42',
    'config/users.yaml:14: users[3].login: expected a non-empty string, got a list',
    'config/users.yaml:15: users[3].givenName: expected a non-empty string, got the boolean true (put it in quotes to make it a string)',
  ]);
});

test('a plain-text or malformed password is rejected without echoing it', async () => {
  const p = await problems('users:\n  - login: a\n    password: hunter2\n  - login: b\n    password: "{SSHA}abc!"\n  - login: c\n    password: "$6$rounds=10$s$x"\n');
  assert.equal(p.length, 3);
  assert.match(p[0] ?? '', /^config\/users\.yaml:3: users\[0\]\.password: unknown hash format \(expected .*\); plain-text passwords are not accepted$/);
  assert.ok(!p[0]?.includes('hunter2'));
  assert.equal(p[1], 'config/users.yaml:5: users[1].password: {SSHA}: not valid base64');
  assert.equal(p[2], 'config/users.yaml:7: users[2].password: $6$: rounds=10: below the minimum 1000');
});

test('file shape errors: empty file, no users list, unknown top-level key, YAML syntax', async () => {
  assert.deepEqual(await problems(''), ['config/users.yaml: (top level): expected a mapping with a "users" list, got an empty file']);
  assert.deepEqual(await problems('- login: a\n'), ['config/users.yaml:1: (top level): expected a mapping with a "users" list, got a list']);
  assert.deepEqual(await problems('users:\n'), ['config/users.yaml:1: users: required, a list of users (write "users: []" for none), got an empty value']);
  assert.deepEqual(await problems('user:\n  - login: a\n'), [
    'config/users.yaml:1: user: unknown key (expected users)',
    'config/users.yaml:1: users: required, a list of users (write "users: []" for none), got nothing',
  ]);
  const syntax = await problems('users:\n  - login: a\n    login: b\n');
  assert.equal(syntax.length, 1);
  assert.match(syntax[0] ?? '', /^config\/users\.yaml:3: YAML syntax: /);
  assert.deepEqual(await parseUsersFile('users: []\n', 'f'), []);
});

test('aliases are followed', async () => {
  const entries = await parseUsersFile('groups: &g [a, b]\nusers:\n  - login: x\n    groups: *g\n', 'f').catch((e: Error) => e.message);
  // `groups` at the top level is not a known key: the alias feature does not loosen validation.
  assert.equal(entries, 'f:1: groups: unknown key (expected users)');
  const ok = await parseUsersFile('users:\n  - login: x\n    groups: &g [a, b]\n  - login: y\n    groups: *g\n', 'f');
  assert.deepEqual(ok[1]?.user.groups, ['a', 'b']);
});

test('an alias stands for the last node before it with its anchor, found without walking the document per alias', async () => {
  const text = [
    'users:',
    '  - { login: a, groups: &g [one] }',
    '  - { login: b, groups: *g, attributes: { site: &s north } }',
    '  - { login: c, groups: &g [two, three], attributes: { site: *s } }',
    '  - { login: d, groups: *g, attributes: { room: *s, rooms: [*s, x] } }',
    '  - &whole { login: e }',
  ].join('\n');
  // yaml's own Alias.resolve walks the document from its start for each alias, quadratic in a large file
  // (6,000 users sharing one group list: 56 s): it must not be used.
  const original = Alias.prototype.resolve;
  let calls = 0;
  Alias.prototype.resolve = function (this: Alias, ...args: Parameters<typeof original>) {
    calls++;
    return original.apply(this, args);
  };
  try {
    const entries = await parseUsersFile(text, 'f');
    assert.deepEqual(
      entries.map((e) => e.user.groups),
      [['one'], ['one'], ['two', 'three'], ['two', 'three'], []],
    );
    assert.deepEqual(
      entries.map((e) => e.user.attributes),
      [{}, { site: 'north' }, { site: 'north' }, { room: 'north', rooms: ['north', 'x'] }, {}],
    );
    assert.deepEqual(await problems(`${text}\n  - *whole\n  - { login: f, groups: *nowhere }\n`), [
      'config/users.yaml:6: users[5].login: "e" is already the login of users[4] (line 6)',
      'config/users.yaml:8: users[6].groups: expected a string or a list of strings, got *nowhere, an alias with no &nowhere anchor before it',
    ]);
  } finally {
    Alias.prototype.resolve = original;
  }
  assert.equal(calls, 0);
});

test('the shipped config/users.yaml loads and alice has the documented password', async () => {
  const r = await FileResolver.open('local', { path: new URL('../../config/users.yaml', import.meta.url).pathname });
  const alice = await r.findUser('alice');
  assert.ok(alice);
  assert.deepEqual(alice.groups, ['vpn-users']);
  assert.ok(alice.email);
  assert.equal(await r.checkPassword(alice, 'alice-password'), true);
  assert.equal(await r.checkPassword(alice, 'alice'), false);
});
