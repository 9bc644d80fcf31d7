// Migration 4 (e-mail, SMS and static password tokens) on a store that
// already holds tokens and an open challenge: SQLite rebuilds the tokens
// table to change its CHECK constraint, PostgreSQL alters it; on both the
// rows, the indexes and the challenge survive, the new types are accepted
// and an unknown type is still refused.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Challenge } from '../../src/model/challenge.ts';
import type { Token } from '../../src/model/token.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.ts';
import { migratePostgres } from '../../src/store/postgres/schema.ts';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { challengeToRow, TOKEN_COLUMNS, tokenToRow } from '../../src/store/rows.ts';
import { migrateSqlite } from '../../src/store/sqlite/schema.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { TokenStore } from '../../src/store/types.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { newToken, OWNER, SEED, tempDir } from './helpers.ts';

const KEYS = { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) };
const BEFORE = MIGRATIONS.filter((m) => m.version < 4);
const NOW = 1_800_000_000;

function fullToken(serial: string, extra: Partial<Token>): Token {
  return {
    ...newToken(serial),
    counter: 7,
    drift: 0,
    pinHash: '$scrypt$placeholder',
    owner: OWNER,
    active: true,
    revoked: false,
    locked: false,
    failCount: 2,
    authCount: 9,
    maxAuth: null,
    successCount: 7,
    maxSuccess: null,
    validFrom: null,
    validUntil: null,
    lastAuth: NOW - 60,
    lastFail: NOW - 30,
    syncCounter: null,
    syncAt: null,
    pending: false,
    description: 'from before',
    info: { note: 'kept' },
    createdAt: NOW - 86400,
    ...extra,
  };
}

const OLD_TOKENS = [fullToken('HOTP-OLD', {}), fullToken('TOTP-OLD', { type: 'totp', counter: 60_000_000, drift: 30 })];
const OPEN: Challenge = {
  transactionId: 'a'.repeat(32),
  serials: ['HOTP-OLD'],
  realm: OWNER.realm,
  resolver: OWNER.resolver,
  userId: OWNER.userId,
  login: OWNER.login,
  data: '',
  createdAt: NOW,
  expiresAt: NOW + 120,
  attempts: 1,
  maxAttempts: 3,
};

const insertToken = (p: (c: string) => string): string => `INSERT INTO tokens (${TOKEN_COLUMNS.join(', ')}) VALUES (${TOKEN_COLUMNS.map(p).join(', ')})`;

/** What every backend must show after the migration. */
async function checkMigrated(store: TokenStore): Promise<void> {
  for (const old of OLD_TOKENS) {
    const t = await store.getToken(old.serial);
    assert.ok(t, `${old.serial} kept`);
    assert.deepEqual({ ...t, seed: t.seed.toString('hex') }, { ...old, seed: SEED.toString('hex') });
  }
  assert.deepEqual(
    (await store.tokensOfUser(OWNER.resolver, OWNER.userId)).map((t) => t.serial),
    ['HOTP-OLD', 'TOTP-OLD'],
    'the owner index answers',
  );
  assert.deepEqual(await store.getChallenge(OPEN.transactionId), OPEN);
  assert.deepEqual(await store.challengesOfUser(OWNER.resolver, OWNER.userId), [OPEN]);
  for (const type of ['email', 'sms', 'spass'] as const) {
    await store.createToken(newToken(`NEW-${type}`, { type, owner: OWNER }), NOW);
    assert.equal((await store.getToken(`NEW-${type}`))?.type, type);
  }
  // The answer to the open challenge still counts, and the token links still cascade.
  assert.equal((await store.recordChallengeAttempt(OPEN.transactionId))?.attempts, 2);
  assert.equal(await store.purgeChallenges(NOW + 121, 3), 1);
  assert.equal(await store.getChallenge(OPEN.transactionId), undefined);
}

describe('migration 4 on SQLite', () => {
  test('the tokens table is rebuilt with the new types: rows, indexes and challenges kept', async () => {
    const path = join(tempDir(), 'old.db');
    const db = new Database(path);
    migrateSqlite(db, path, BEFORE);
    for (const t of OLD_TOKENS) db.prepare(insertToken((c) => `@${c}`)).run(tokenToRow(t, KEYS.seedKey));
    db.prepare(
      'INSERT INTO challenges (transaction_id, serials, realm, resolver, user_id, login, data, created_at, expires_at, attempts, max_attempts, created_seq) VALUES (@transaction_id, @serials, @realm, @resolver, @user_id, @login, @data, @created_at, @expires_at, @attempts, @max_attempts, 1)',
    ).run(challengeToRow(OPEN));
    db.prepare('INSERT INTO challenge_tokens (transaction_id, serial) VALUES (?, ?)').run(OPEN.transactionId, 'HOTP-OLD');
    assert.throws(() => db.prepare(insertToken((c) => `@${c}`)).run(tokenToRow(fullToken('E', { type: 'email' }), KEYS.seedKey)), /CHECK constraint failed/, 'before: email refused');
    const indexesBefore = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' ORDER BY name").all();
    db.close();

    const store = await openSqliteStore({ path, keys: KEYS });
    after(() => store.close());
    await checkMigrated(store);

    const check = new Database(path, { readonly: true });
    after(() => check.close());
    assert.deepEqual(
      check.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      MIGRATIONS.map((m) => m.version),
    );
    assert.deepEqual(
      check.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tokens' ORDER BY name").all(),
      indexesBefore,
      'the owner indexes are there again, as they were',
    );
    assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE '%rebuilt%'").pluck().get(), 0, 'no temporary table left');
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(check.pragma('foreign_key_check'), []);
    const definition = check.prepare("SELECT sql FROM sqlite_master WHERE name = 'tokens'").pluck().get() as string;
    assert.match(definition, /CHECK \(type IN \('hotp', 'totp', 'ocra', 'email', 'sms', 'spass'\)\)/);
    assert.match(definition, /CHECK \(\(owner_realm IS NULL/, 'the other constraints kept');
    const plan = check.prepare('EXPLAIN QUERY PLAN SELECT * FROM tokens WHERE owner_resolver = ? AND owner_user_id = ?').all('a', 'b') as { detail: string }[];
    assert.match(plan.map((r) => r.detail).join(' '), /USING INDEX tokens_owner/);
  });

  test('an unknown type is still refused by the rebuilt table', async () => {
    const path = join(tempDir(), 'new.db');
    const store = await openSqliteStore({ path, keys: KEYS });
    await store.close();
    const db = new Database(path);
    after(() => db.close());
    assert.throws(() => db.prepare(insertToken((c) => `@${c}`)).run({ ...tokenToRow(fullToken('P', {}), KEYS.seedKey), type: 'push' }), /CHECK constraint failed/);
  });

  test('a rebuild refuses a table whose definition does not hold the expected text', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, 'x', MIGRATIONS);
    assert.throws(
      () =>
        migrateSqlite(db, 'x', [
          ...MIGRATIONS,
          { version: SCHEMA_VERSION + 1, name: 'again', sql: '', sqliteRebuild: [{ table: 'tokens', from: "CHECK (type IN ('hotp', 'totp', 'ocra'))", to: '' }] },
        ]),
      {
        code: 'schema',
        message: /migration \d+ \(again\) failed: rebuild: table tokens: expected CHECK \(type IN \('hotp', 'totp', 'ocra'\)\) once in its definition, found it 0 times/,
      },
    );
    db.close();
  });
});

describe('migration 4 on PostgreSQL', () => {
  let cluster: PostgresCluster;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  test('the type constraint is replaced: rows, indexes and challenges kept', async () => {
    const url = await cluster.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migratePostgres(client, 'test', BEFORE);
      const p = (names: readonly string[]) => (c: string) => `$${names.indexOf(c) + 1}`;
      for (const t of OLD_TOKENS) {
        const row = tokenToRow(t, KEYS.seedKey);
        await client.query(
          insertToken(p(TOKEN_COLUMNS)),
          TOKEN_COLUMNS.map((c) => row[c]),
        );
      }
      const c = challengeToRow(OPEN);
      await client.query(
        'INSERT INTO challenges (transaction_id, serials, realm, resolver, user_id, login, data, created_at, expires_at, attempts, max_attempts, created_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1)',
        [c.transaction_id, c.serials, c.realm, c.resolver, c.user_id, c.login, c.data, c.created_at, c.expires_at, c.attempts, c.max_attempts],
      );
      await client.query('INSERT INTO challenge_tokens (transaction_id, serial) VALUES ($1, $2)', [OPEN.transactionId, 'HOTP-OLD']);
      const emailRow = tokenToRow(fullToken('E', { type: 'email' }), KEYS.seedKey);
      await assert.rejects(
        client.query(
          insertToken(p(TOKEN_COLUMNS)),
          TOKEN_COLUMNS.map((col) => emailRow[col]),
        ),
        /tokens_type_check/,
        'before: email refused',
      );
    } finally {
      await client.end();
    }

    const store = await openPostgresStore({ url, keys: KEYS });
    after(() => store.close());
    await checkMigrated(store);

    const check = new pg.Client({ connectionString: url });
    await check.connect();
    after(() => check.end());
    const versions = (await check.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => Number(r.version));
    assert.deepEqual(
      versions,
      MIGRATIONS.map((m) => m.version),
    );
    const indexes = (await check.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename IN ('tokens', 'challenges', 'delivery_sends') ORDER BY indexname")).rows.map(
      (r) => r.indexname,
    );
    for (const name of ['tokens_owner', 'tokens_owner_login', 'tokens_pkey', 'challenges_user', 'delivery_sends_subject']) assert.ok(indexes.includes(name), `${name} in ${indexes.join(', ')}`);
    const pushRow = { ...tokenToRow(fullToken('P', {}), KEYS.seedKey), type: 'push' };
    await assert.rejects(
      check.query(
        insertToken((col) => `$${TOKEN_COLUMNS.indexOf(col as never) + 1}`),
        TOKEN_COLUMNS.map((col) => pushRow[col]),
      ),
      /tokens_type_check/,
    );
  });
});
