// The sql resolver on SQLite and on a real PostgreSQL: the same table, the
// same expectations. Lookups, the where clause, password formats, injection
// attempts through the login, listing, bad options; and for PostgreSQL a
// database that goes away (refused, or silent) and comes back.

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { captureLogs } from '../helpers/radius.ts';
import { forwarder } from './tcp-forwarder.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { createResolver } from '../../src/users/index.ts';
import { hashPasswordForFile } from '../../src/users/password-hash.ts';
import { shaCrypt } from '../../src/users/sha-crypt.ts';
import type { SqlResolverOptions } from '../../src/users/sql-options.ts';
import { ResolverConfigError, ResolverUnavailableError, type User, type UserResolver } from '../../src/users/types.ts';

const DDL = `CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  pw TEXT,
  mail TEXT,
  phone TEXT,
  first_name TEXT,
  last_name TEXT,
  "group" TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  department TEXT
)`;

interface Person {
  id: number;
  login: string;
  password?: string;
  hash?: string | null;
  mail?: string;
  first?: string;
  last?: string;
  groups?: string;
  active?: number;
  department?: string;
}

function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

async function people(): Promise<Person[]> {
  const bcrypt2b = bcrypt.hashSync('carol-pw', 4);
  return [
    {
      id: 1,
      login: 'alice',
      password: 'alice-pw',
      hash: await hashPasswordForFile('alice-pw', { rounds: 1000 }),
      mail: 'alice@example.org',
      first: 'Alice',
      last: 'Archer',
      groups: 'vpn-admins, staff',
      department: 'IT',
    },
    { id: 2, login: 'bob', password: 'bob-pw', hash: ssha('bob-pw'), mail: 'bob@example.org', last: 'Baker', groups: 'staff' },
    { id: 3, login: 'carol', password: 'carol-pw', hash: bcrypt2b },
    { id: 4, login: 'dave', password: 'dave-pw', hash: await argon2.hash('dave-pw', { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 }) },
    { id: 5, login: 'erin', password: 'erin-pw', hash: await shaCrypt('erin-pw', '5', 'saltsalt', 1000), active: 0 },
    { id: 6, login: 'frank', password: 'frank-pw', hash: null },
    { id: 7, login: 'grace', password: 'grace-pw', hash: 'grace-pw' },
    { id: 8, login: "o'brien", password: 'ob-pw', hash: bcrypt.hashSync('ob-pw', 4).replace(/^\$2b\$/, '$2y$') },
    { id: 9, login: 'Hank', password: 'hank-pw', hash: `{CRYPT}${await shaCrypt('hank-pw', '5', 'pepper', 1000)}`, mail: 'HANK@EXAMPLE.ORG' },
    { id: 10, login: 'x%_y', password: 'x-pw', hash: bcrypt.hashSync('x-pw', 4).replace(/^\$2b\$/, '$2a$') },
  ];
}

const INSERT = 'INSERT INTO people (id, login, pw, mail, first_name, last_name, "group", active, department) VALUES ';

function rowValues(p: Person): unknown[] {
  return [p.id, p.login, p.hash ?? null, p.mail ?? null, p.first ?? null, p.last ?? null, p.groups ?? null, p.active ?? 1, p.department ?? null];
}

const COLUMNS = { login: 'login', id: 'id', password: 'pw', email: 'mail', phone: 'phone', givenName: 'first_name', surname: 'last_name', groups: 'group' };

type Base = Pick<SqlResolverOptions, 'driver' | 'path' | 'url'>;

/** The expectations both databases must meet. */
function sharedSuite(label: string, base: () => Base, everyone: () => Person[]): void {
  const open: UserResolver[] = [];
  const make = async (extra: Partial<SqlResolverOptions> = {}): Promise<UserResolver> => {
    const r = await createResolver('db', { type: 'sql', ...base(), table: 'people', columns: COLUMNS, timeout: 2, connectTimeout: 1, ...extra });
    open.push(r);
    return r;
  };
  after(async () => {
    for (const r of open) await r.close();
  });
  const person = (login: string): Person => everyone().find((p) => p.login === login)!;

  test(`${label}: finds a user with mapped columns and comma-separated groups`, async () => {
    const r = await make({ extraColumns: ['department'] });
    assert.equal(r.type, 'sql');
    const alice = await r.findUser('alice');
    assert.deepEqual(alice, {
      resolver: 'db',
      id: '1',
      login: 'alice',
      email: 'alice@example.org',
      givenName: 'Alice',
      surname: 'Archer',
      groups: ['vpn-admins', 'staff'],
      attributes: { department: 'IT' },
    } satisfies User);
    assert.deepEqual(await r.getUserById('1'), alice);
    const carol = await r.findUser('carol');
    assert.deepEqual(carol?.groups, []);
    assert.equal(carol?.email, undefined);
    assert.equal(await r.findUser('nobody'), undefined);
    assert.equal(await r.findUser(''), undefined);
    assert.equal(await r.getUserById('999'), undefined);
    assert.equal(await r.getUserById('not-a-number'), undefined);
  });

  test(`${label}: password formats: sha512-crypt, {SSHA}, bcrypt $2b$/$2y$/$2a$, argon2id, {CRYPT}$5$`, async () => {
    const r = await make();
    for (const login of ['alice', 'bob', 'carol', 'dave', "o'brien", 'Hank', 'x%_y']) {
      const u = await r.findUser(login);
      assert.ok(u, login);
      assert.equal(await r.checkPassword(u, person(login).password!), true, `${login}: right password`);
      assert.equal(await r.checkPassword(u, 'wrong'), false, `${login}: wrong password`);
      assert.equal(await r.checkPassword(u, ''), false, `${login}: empty password`);
    }
  });

  test(`${label}: no hash, a plain-text value, another resolver's user: never a match`, async () => {
    const logs = captureLogs();
    const r = await createResolver('db', { type: 'sql', ...base(), table: 'people', columns: COLUMNS }, { logger: logs.logger });
    open.push(r);
    const frank = await r.findUser('frank');
    assert.ok(frank);
    assert.equal(await r.checkPassword(frank, 'frank-pw'), false);
    const grace = await r.findUser('grace');
    assert.ok(grace);
    assert.equal(await r.checkPassword(grace, 'grace-pw'), false);
    const warn = logs.lines.find((l) => l.msg === 'password hash in the database cannot be used');
    assert.match(String(warn?.problem), /plain-text passwords are not accepted/);
    assert.equal(JSON.stringify(logs.lines).includes('grace-pw'), false, 'the stored value is not logged');
    assert.equal(await r.checkPassword({ ...frank, resolver: 'other', id: '1' }, 'alice-pw'), false);
    // Without a password column there is nothing to check.
    const noPw = await make({ columns: { login: 'login', id: 'id' } });
    const alice = await noPw.findUser('alice');
    assert.ok(alice);
    assert.equal(await noPw.checkPassword(alice, 'alice-pw'), false);
  });

  test(`${label}: the where clause hides users from lookups, ids, passwords and listings`, async () => {
    const all = await make();
    const erin = await all.findUser('erin');
    assert.ok(erin);
    assert.equal(await all.checkPassword(erin, 'erin-pw'), true);
    const active = await make({ where: 'active = 1' });
    assert.equal(await active.findUser('erin'), undefined);
    assert.equal(await active.getUserById(erin.id), undefined);
    assert.equal(await active.checkPassword(erin, 'erin-pw'), false);
    assert.equal(
      (await active.listUsers()).some((u) => u.login === 'erin'),
      false,
    );
    assert.ok(await active.findUser('alice'));
  });

  test(`${label}: injection attempts through the login find nobody and change nothing`, async () => {
    const r = await make({ cacheTtl: 0 });
    for (const login of ["' OR '1'='1", "alice' --", "alice'; DROP TABLE people; --", '%', 'al%', 'a_ice', '" OR 1=1 --', 'alice\u0000', "o''brien"]) {
      assert.equal(await r.findUser(login), undefined, JSON.stringify(login));
    }
    assert.equal(await r.getUserById('1 OR 1=1'), undefined);
    assert.equal((await r.findUser("o'brien"))?.id, '8');
    assert.equal((await r.findUser('alice'))?.id, '1', 'the table is still there');
  });

  test(`${label}: logins match exactly unless caseInsensitive`, async () => {
    const exact = await make();
    assert.equal(await exact.findUser('hank'), undefined);
    assert.equal((await exact.findUser('Hank'))?.email, 'HANK@EXAMPLE.ORG');
    const loose = await make({ caseInsensitive: true });
    assert.equal((await loose.findUser('hank'))?.login, 'Hank');
    assert.equal((await loose.findUser('ALICE'))?.login, 'alice');
  });

  test(`${label}: listUsers searches login, mail and names (LIKE wildcards are literal), sorted, limited`, async () => {
    const r = await make();
    const logins = (us: User[]): string[] => us.map((u) => u.login);
    assert.equal((await r.listUsers()).length, everyone().length);
    assert.deepEqual(
      logins(await r.listUsers('example.org')),
      ['Hank', 'alice', 'bob'].sort((a, b) => (a < b ? -1 : 1)),
    );
    assert.deepEqual(logins(await r.listUsers('ARCHER')), ['alice']);
    assert.deepEqual(logins(await r.listUsers('%')), ['x%_y']);
    assert.deepEqual(logins(await r.listUsers('_')), ['x%_y']);
    assert.deepEqual(logins(await r.listUsers("'")), ["o'brien"]);
    assert.equal((await r.listUsers(undefined, 3)).length, 3);
    assert.deepEqual(await r.listUsers(undefined, 0), []);
    const few = await make({ sizeLimit: 2 });
    assert.equal((await few.listUsers(undefined, 50)).length, 2);
  });

  test(`${label}: a misspelt table, column or where clause stops start-up`, async () => {
    await assert.rejects(make({ table: 'peeple' }), (e: unknown) => e instanceof ResolverConfigError && /resolvers\.db: the table, a column or the where clause does not work/.test(e.message));
    await assert.rejects(make({ columns: { ...COLUMNS, email: 'email' } }), ResolverConfigError);
    await assert.rejects(make({ columns: { ...COLUMNS, password: 'password' } }), ResolverConfigError);
    await assert.rejects(make({ where: 'activ = 1' }), ResolverConfigError);
  });
}

describe('sql resolver: options', () => {
  const problems = async (o: Partial<SqlResolverOptions>): Promise<string> => {
    try {
      const r = await createResolver('db', { type: 'sql', driver: 'sqlite', path: '/nonexistent.db', table: 'people', columns: { login: 'login' }, ...o } as SqlResolverOptions & { type: 'sql' });
      await r.close();
    } catch (e) {
      assert.ok(e instanceof ResolverConfigError, String(e));
      return e.message;
    }
    assert.fail('accepted');
  };

  test('names, the where fragment and the driver settings are checked', async () => {
    assert.match(await problems({ table: 'people; drop' }), /resolvers\.db\.table: "people; drop" is not a plain table name/);
    assert.match(await problems({ table: 'a.b.c' }), /table: "a.b.c" is not a plain table name/);
    assert.match(await problems({ columns: { login: 'lo"gin' } }), /columns\.login: "lo"gin" is not a plain column name/);
    assert.match(await problems({ extraColumns: ['login', 'x y'] }), /extraColumns\[1\]: "x y" is not a plain column name/);
    assert.match(await problems({ columns: { login: 'login', password: 'pw' }, extraColumns: ['pw'] }), /extraColumns\[0\]: "pw" is the password column/);
    assert.match(await problems({ where: 'active = 1; DELETE FROM people' }), /where: must not contain ";"/);
    assert.match(await problems({ where: 'active = 1 -- hidden' }), /where: must not contain SQL comments/);
    assert.match(await problems({ where: '  ' }), /where: must not be empty/);
    assert.match(await problems({ path: undefined }), /path: required with driver sqlite/);
    assert.match(await problems({ driver: 'postgres', path: undefined }), /url: required with driver postgres/);
    assert.match(await problems({ driver: 'postgres', path: undefined, url: 'mysql://x' }), /url: expected postgres:\/\//);
    assert.match(await problems({ timeout: -1 }), /timeout: expected a number of at least 0.05/);
    assert.match(await problems({}), /resolvers\.db\.path: cannot open the SQLite database \/nonexistent\.db/);
  });
});

describe('sql resolver: SQLite', () => {
  let dir: string;
  let everyone: Person[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-radius-sql-'));
    everyone = await people();
    const db = new Database(join(dir, 'users.db'));
    db.exec(DDL);
    const insert = db.prepare(`${INSERT}(${Array(9).fill('?').join(', ')})`);
    for (const p of everyone) insert.run(...rowValues(p));
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  sharedSuite(
    'sqlite',
    () => ({ driver: 'sqlite', path: join(dir, 'users.db') }),
    () => everyone,
  );

  test('sqlite: the database is opened read-only', async () => {
    const r = await createResolver('db', { type: 'sql', driver: 'sqlite', path: join(dir, 'users.db'), table: 'people', columns: COLUMNS, where: "login <> 'x'" });
    try {
      assert.ok(await r.findUser('alice'));
    } finally {
      await r.close();
    }
    await assert.rejects(r.findUser('alice'), /closed/);
  });
});

describe('sql resolver: PostgreSQL', () => {
  let cluster: PostgresCluster;
  let url = '';
  let everyone: Person[] = [];
  before(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase();
    everyone = await people();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(DDL);
      for (const p of everyone) await client.query(`${INSERT}(${Array.from({ length: 9 }, (_, i) => `$${i + 1}`).join(', ')})`, rowValues(p));
    } finally {
      await client.end();
    }
  });
  after(async () => {
    await cluster?.stop();
  });

  sharedSuite(
    'postgres',
    () => ({ driver: 'postgres', url }),
    () => everyone,
  );

  test('postgres: a text[] group column and a schema-qualified view', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE SCHEMA dir');
      await client.query(`CREATE VIEW dir.accounts AS SELECT id, login, ARRAY['a', 'b'] AS roles FROM people`);
    } finally {
      await client.end();
    }
    const r = await createResolver('db', { type: 'sql', driver: 'postgres', url, table: 'dir.accounts', columns: { login: 'login', id: 'id', groups: 'roles' } });
    try {
      assert.deepEqual((await r.findUser('bob'))?.groups, ['a', 'b']);
    } finally {
      await r.close();
    }
  });

  test('postgres: database gone: unavailable at once, logged once; back again without a new resolver', async () => {
    const fwd = await forwarder(cluster.port);
    const logs = captureLogs();
    const r = await createResolver(
      'db',
      {
        type: 'sql',
        driver: 'postgres',
        url: `postgres://postgres@127.0.0.1:${fwd.port}/${new URL(url).pathname.slice(1)}`,
        table: 'people',
        columns: COLUMNS,
        cacheTtl: 0,
        timeout: 1,
        connectTimeout: 1,
      },
      { logger: logs.logger },
    );
    try {
      const alice = await r.findUser('alice');
      assert.ok(alice);
      await fwd.down();
      const t0 = performance.now();
      await assert.rejects(r.findUser('alice'), ResolverUnavailableError);
      await assert.rejects(r.checkPassword(alice, 'alice-pw'), ResolverUnavailableError);
      await assert.rejects(r.listUsers(), ResolverUnavailableError);
      assert.ok(performance.now() - t0 < 1500, `took ${performance.now() - t0} ms`);
      assert.equal(logs.lines.filter((l) => l.level === 50).length, 1, JSON.stringify(logs.lines));
      await fwd.up();
      assert.equal((await r.findUser('alice'))?.login, 'alice');
      assert.equal(await r.checkPassword(alice, 'alice-pw'), true);
      assert.ok(logs.lines.some((l) => l.msg === 'database answers again'));
    } finally {
      await r.close();
      await fwd.close();
    }
  });

  test('postgres: a server that accepts but never answers: unavailable within connectTimeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const logs = captureLogs();
    try {
      const t0 = performance.now();
      // Start-up does not fail on a database that is down: it logs and lookups retry.
      const r = await createResolver(
        'db',
        { type: 'sql', driver: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/x`, table: 'people', columns: COLUMNS, timeout: 0.5, connectTimeout: 0.3 },
        { logger: logs.logger },
      );
      assert.ok(logs.lines.some((l) => l.msg === 'database not reachable at start-up; lookups will retry'));
      try {
        await assert.rejects(r.findUser('alice'), ResolverUnavailableError);
      } finally {
        await r.close();
      }
      assert.ok(performance.now() - t0 < 1500, `took ${performance.now() - t0} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('postgres: the cluster stopped: unavailable within the timeout', async () => {
    const r = await createResolver('db', { type: 'sql', driver: 'postgres', url, table: 'people', columns: COLUMNS, cacheTtl: 0, timeout: 1, connectTimeout: 1 });
    try {
      assert.ok(await r.findUser('bob'));
      await cluster.stop();
      const t0 = performance.now();
      await assert.rejects(r.findUser('bob'), ResolverUnavailableError);
      assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
    } finally {
      await r.close();
    }
  });
});
