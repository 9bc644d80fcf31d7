// The shared TokenStore suite on SQLite, and what only SQLite has: a file
// with its mode and WAL journal, column type affinity, in-memory databases.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { newToken, SEED, tempDir } from './helpers.ts';
import { challenge } from './suite-challenges.ts';
import { openClosedAfter, storeSuite, withKeyFile, type StoreFactory, type StoreFixture } from './suite.ts';

const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async fresh(): Promise<StoreFixture> {
    const dir = tempDir();
    const path = join(dir, 'db', 'otp-radius.db');
    const keyFile = join(dir, 'keys', 'otp-radius.key');
    const options = { sqlite: { path }, keyFile };
    const store = await openClosedAfter(options);
    const raw = new Database(path);
    after(() => raw.close());
    return {
      store,
      options,
      where: path,
      keyFile,
      dir,
      open: (o = {}) => openClosedAfter(withKeyFile(options, o.keyFile ?? keyFile, o.createKeyFile)),
      sql: async (text) => {
        const stmt = raw.prepare(text);
        if (stmt.reader) return stmt.all() as Record<string, unknown>[];
        stmt.run();
        return [];
      },
    };
  },
  async emptyOptions(keyFile) {
    return { sqlite: { path: join(tempDir(), 'new', 'otp-radius.db') }, keyFile };
  },
};

storeSuite(sqliteFactory);

describe('sqlite only', () => {
  test('openStore creates the database, its directory and the key file, mode 0600, in WAL mode', async () => {
    const { store, options } = await sqliteFactory.fresh();
    const path = (options as { sqlite: { path: string } }).sqlite.path;
    assert.equal(store.description, `sqlite:${path}`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(options.keyFile).mode & 0o777, 0o600);
    await store.ping();
    const raw = new Database(path, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    await store.close();
    await store.close(); // twice is harmless
  });

  test('the seed is in neither the database file nor the WAL', async () => {
    const { store, options } = await sqliteFactory.fresh();
    const path = (options as { sqlite: { path: string } }).sqlite.path;
    const seed = Buffer.from('a distinctive seed value 0123456789');
    await store.createToken(newToken('CLEAR1', { seed }));
    await store.close();
    assert.equal(readFileSync(path).indexOf(seed), -1);
    if (existsSync(`${path}-wal`)) assert.equal(readFileSync(`${path}-wal`).indexOf(seed), -1);
  });

  test('a value of the wrong type in a column is reported, not used', async () => {
    const { store, sql } = await sqliteFactory.fresh();
    await store.createToken(newToken('R1'));
    await sql("UPDATE tokens SET counter = 'abc' WHERE serial = 'R1'");
    await assert.rejects(store.getToken('R1'), { name: 'StoreError', code: 'corrupt', message: 'token R1: column counter: expected an integer, got string "abc"' });
    await sql("UPDATE tokens SET counter = 0, max_auth = 'x' WHERE serial = 'R1'");
    await assert.rejects(store.getToken('R1'), /token R1: column max_auth: expected an integer or NULL, got string "x"/);
    await assert.rejects(sql("UPDATE tokens SET max_auth = NULL, active = 2 WHERE serial = 'R1'"), /CHECK constraint failed: active IN \(0, 1\)/);
    const c = challenge(['T1'], 1000);
    await store.createChallenge(c);
    await sql("UPDATE challenges SET attempts = 'x'");
    await assert.rejects(store.getChallenge(c.transactionId), /column attempts: expected an integer, got string "x"/);
    await store.close();
  });

  test('an in-memory store with keys given directly', async () => {
    const store = await openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(32, 7), pepper: Buffer.alloc(32, 8) } });
    assert.equal(store.description, 'sqlite::memory:');
    await store.createToken(newToken('M1'));
    assert.deepEqual((await store.getToken('M1'))!.seed, SEED);
    await store.close();
    await assert.rejects(store.ping(), /not open/);
  });

  test('option checks', async () => {
    const keys = { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) };
    await assert.rejects(openSqliteStore({ path: ':memory:' }), /give exactly one of keyFile and keys/);
    await assert.rejects(openSqliteStore({ path: ':memory:', keys, busyTimeoutMs: -1 }), /busyTimeoutMs: expected an integer 0\.\.600000, got -1/);
    await assert.rejects(openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(16), pepper: Buffer.alloc(32) } }), /seed key must be 32 bytes, got 16/);
    await assert.rejects(openStore({ keyFile: 'x' } as never), /no backend in the options \(expected a 'sqlite' or 'postgres' section, got keys: keyFile\)/);
    await assert.rejects(openStore({ keyFile: 'x', sqlite: { path: ':memory:' }, postgres: { url: 'postgres://x/y' } } as never), /give one backend, not both/);
  });

  test('keys given directly must match the database', async () => {
    const { store, options } = await sqliteFactory.fresh();
    await store.close();
    const path = (options as { sqlite: { path: string } }).sqlite.path;
    await assert.rejects(openSqliteStore({ path, keys: { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) } }), /the given keys does not match/);
    await assert.rejects(openSqliteStore({ path, keyFile: options.keyFile, keys: { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) } }), /exactly one of keyFile and keys/);
    const ok = await openStore(withKeyFile(options, options.keyFile));
    await ok.close();
  });
});
