import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Token } from '../../src/store/types.ts';
import { newToken, OWNER, SEED, tempDir } from './helpers.ts';

async function fresh() {
  const dir = tempDir();
  const path = join(dir, 'db', 'otp-radius.db');
  const keyFile = join(dir, 'keys', 'otp-radius.key');
  const store = await openStore({ sqlite: { path }, keyFile });
  return { dir, path, keyFile, store };
}

test('openStore creates the database, its directory and the key file', async () => {
  const { path, keyFile, store } = await fresh();
  assert.equal(store.description, `sqlite:${path}`);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  await store.ping();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
  await store.close();
  await store.close(); // twice is harmless
});

test('createToken fills defaults and getToken returns the same token', async () => {
  const { store } = await fresh();
  const t = await store.createToken(newToken('OATH0001', { owner: OWNER, info: { note: 'x' } }), 1_700_000_000.7);
  const expected: Token = {
    serial: 'OATH0001', type: 'hotp', seed: SEED, otpLength: 6, algorithm: 'sha1', timeStep: 30, counter: 0, drift: 0,
    window: 10, syncWindow: 100, pinHash: null, owner: OWNER, active: true, revoked: false, locked: false,
    failCount: 0, maxFail: 3, authCount: 0, maxAuth: null, successCount: 0, maxSuccess: null, validFrom: null, validUntil: null,
    lastAuth: null, lastFail: null, syncCounter: null, syncAt: null, description: '', info: { note: 'x' }, createdAt: 1_700_000_000,
  };
  assert.deepEqual(t, expected);
  assert.deepEqual(await store.getToken('OATH0001'), expected);
  assert.equal(await store.getToken('NOPE'), undefined);
  const all = await store.createToken(
    newToken('TOTP1', {
      type: 'totp', algorithm: 'sha256', counter: 55_000_000, drift: -30, pinHash: '$scrypt$x', active: false, description: 'd',
      maxAuth: 100, maxSuccess: 50, validFrom: 10, validUntil: 20, failCount: 2,
    }),
  );
  assert.deepEqual(await store.getToken('TOTP1'), all);
  assert.equal(all.counter, 55_000_000);
  assert.equal(all.drift, -30);
  assert.ok(Math.abs(all.createdAt - Date.now() / 1000) < 5);
  await store.close();
});

test('createToken refuses a duplicate serial', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('DUP1'));
  await assert.rejects(store.createToken(newToken('DUP1')), { name: 'StoreError', code: 'duplicate', message: 'token DUP1 already exists' });
  await store.close();
});

test('createToken validates at the boundary', async () => {
  const { store } = await fresh();
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ serial: '' }, /^serial: expected 1\.\.128 printable characters without spaces, got ""$/],
    [{ serial: 'a b' }, /serial: expected .* got "a b"/],
    [{ serial: 'a\u0000b' }, /serial: expected/],
    [{ serial: 'x'.repeat(129) }, /serial: expected/],
    [{ otpLength: 3 }, /^token T: otpLength: expected an integer 4\.\.10, got 3$/],
    [{ otpLength: 11 }, /otpLength: expected an integer 4\.\.10, got 11/],
    [{ type: 'sms' }, /^token T: type: expected one of hotp, totp, ocra, got "sms"$/],
    [{ algorithm: 'md5' }, /algorithm: expected one of sha1, sha256, sha512/],
    [{ seed: Buffer.alloc(0) }, /^token T: seed: expected 1\.\.1024 bytes, got 0$/],
    [{ seed: 'GEZDGNBV' }, /seed: expected a Buffer, got "GEZDGNBV"/],
    [{ timeStep: 0 }, /timeStep: expected an integer 1\.\.86400, got 0/],
    [{ counter: -1 }, /counter: expected an integer 0\.\./],
    [{ counter: 1.5 }, /counter: expected an integer/],
    [{ window: -1 }, /window: expected an integer 0\.\.1000000/],
    [{ maxFail: 0 }, /maxFail: expected an integer 1\.\.1000000, got 0/],
    [{ owner: { realm: 'r', resolver: 'x', userId: '', login: 'a' } }, /^token T: owner\.userId: must not be empty$/],
    [{ owner: 'alice' }, /owner: expected \{ realm, resolver, userId, login \} or null/],
    [{ info: { a: 1 } }, /^token T: info\.a: expected a string, got 1$/],
    [{ info: [] }, /info: expected an object of strings, got an array/],
    [{ pinHash: '' }, /pinHash: empty: use null/],
    [{ validFrom: 'soon' }, /validFrom: expected unix seconds, got "soon"/],
    [{ locked: true }, /^token T: unknown or read-only field 'locked'$/],
  ];
  for (const [extra, message] of bad) {
    await assert.rejects(store.createToken({ ...newToken('T'), ...extra } as never), (err: Error) => {
      assert.equal(err.name, 'StoreError', err.message);
      assert.match(err.message, message);
      return true;
    });
  }
  assert.deepEqual(await store.listTokens(), []);
  await store.close();
});

test('the seed is not stored in clear', async () => {
  const { path, store } = await fresh();
  const seed = Buffer.from('a distinctive seed value 0123456789');
  await store.createToken(newToken('CLEAR1', { seed }));
  await store.close();
  const raw = new Database(path, { readonly: true });
  const row = raw.prepare('SELECT seed FROM tokens WHERE serial = ?').get('CLEAR1') as { seed: string };
  raw.close();
  assert.match(row.seed, /^v1:/);
  for (const form of [seed.toString('hex'), seed.toString('base64'), seed.toString('latin1'), 'distinctive']) {
    assert.ok(!row.seed.includes(form), form);
  }
  const file = readFileSync(path);
  assert.equal(file.indexOf(seed), -1);
  if (existsSync(path + '-wal')) assert.equal(readFileSync(path + '-wal').indexOf(seed), -1);
});

test('listTokens filters and tokensOfUser', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('A1', { owner: OWNER }));
  await store.createToken(newToken('A2', { owner: { ...OWNER, realm: 'other' } }));
  await store.createToken(newToken('B1', { owner: { realm: 'corp', resolver: 'ldap1', userId: 'uid-2', login: 'bob' } }));
  await store.createToken(newToken('C1', { owner: { realm: 'corp', resolver: 'sql', userId: 'uid-1', login: 'alice' } }));
  await store.createToken(newToken('U1'));
  const serials = (ts: Token[]) => ts.map((t) => t.serial);
  assert.deepEqual(serials(await store.listTokens()), ['A1', 'A2', 'B1', 'C1', 'U1']);
  assert.deepEqual(serials(await store.listTokens({ login: 'alice' })), ['A1', 'A2', 'C1']);
  assert.deepEqual(serials(await store.listTokens({ login: 'alice', realm: 'corp' })), ['A1', 'C1']);
  assert.deepEqual(serials(await store.listTokens({ realm: 'other' })), ['A2']);
  assert.deepEqual(serials(await store.listTokens({ resolver: 'ldap1', userId: 'uid-1' })), ['A1', 'A2']);
  assert.deepEqual(serials(await store.listTokens({ unassigned: true })), ['U1']);
  assert.deepEqual(serials(await store.listTokens({ unassigned: false })), ['A1', 'A2', 'B1', 'C1', 'U1']);
  assert.deepEqual(serials(await store.listTokens({ login: 'nobody' })), []);
  assert.deepEqual(serials(await store.tokensOfUser('ldap1', 'uid-1')), ['A1', 'A2']);
  assert.deepEqual(serials(await store.tokensOfUser('sql', 'uid-1')), ['C1']);
  assert.deepEqual(await store.tokensOfUser('ldap1', 'nobody'), []);
  await assert.rejects(store.listTokens({ user: 'alice' } as never), /unknown filter field 'user'/);
  await assert.rejects(store.listTokens({ unassigned: true, login: 'alice' }), /cannot be combined/);
  await assert.rejects(store.listTokens({ login: 5 } as never), /filter login must be a string/);
  await store.close();
});

test('updateToken applies a patch, validates it, and reports a missing token', async () => {
  const { store } = await fresh();
  const before = await store.createToken(newToken('P1', { owner: OWNER }));
  assert.equal(await store.updateToken('P1', { locked: true, failCount: 9, description: 'lost', owner: null, otpLength: 8, pinHash: '$scrypt$h', validUntil: 99.9 }), true);
  const after = (await store.getToken('P1'))!;
  assert.deepEqual(after, { ...before, locked: true, failCount: 9, description: 'lost', owner: null, otpLength: 8, pinHash: '$scrypt$h', validUntil: 99 });
  assert.equal(await store.updateToken('P1', { pinHash: null, description: undefined }), true);
  assert.equal((await store.getToken('P1'))!.pinHash, null);
  assert.equal((await store.getToken('P1'))!.description, 'lost');
  assert.equal(await store.updateToken('NOPE', { locked: false }), false);
  await assert.rejects(store.updateToken('P1', { counter: 0 } as never), { code: 'invalid', message: "token P1: unknown or read-only field 'counter'" });
  await assert.rejects(store.updateToken('P1', { seed: Buffer.alloc(4) } as never), /read-only field 'seed'/);
  await assert.rejects(store.updateToken('P1', { maxFail: -1 }), /token P1: maxFail: expected an integer 1\.\.1000000, got -1/);
  await assert.rejects(store.updateToken('P1', { active: 'yes' } as never), /active: expected true or false, got "yes"/);
  assert.equal((await store.getToken('P1'))!.maxFail, 3, 'a refused patch changes nothing');
  await store.close();
});

test('deleteToken', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('D1'));
  assert.equal(await store.deleteToken('D1'), true);
  assert.equal(await store.deleteToken('D1'), false);
  assert.equal(await store.getToken('D1'), undefined);
  await store.close();
});

test('setSyncState and countAttempt', async () => {
  const { store } = await fresh();
  await store.createToken(newToken('S1'));
  await store.createToken(newToken('S2'));
  await store.setSyncState('S1', 42, 1000.5);
  let t = (await store.getToken('S1'))!;
  assert.equal(t.syncCounter, 42);
  assert.equal(t.syncAt, 1000);
  await store.setSyncState('S1', null, null);
  t = (await store.getToken('S1'))!;
  assert.equal(t.syncCounter, null);
  assert.equal(t.syncAt, null);
  await assert.rejects(store.setSyncState('S1', 5, null), /counter and at must both be null or both be set/);
  await store.setSyncState('GONE', 1, 1); // a token deleted meanwhile is not an error
  await store.countAttempt(['S1', 'S2', 'S1', 'GONE']);
  await store.countAttempt(['S1']);
  assert.equal((await store.getToken('S1'))!.authCount, 2);
  assert.equal((await store.getToken('S2'))!.authCount, 1);
  await store.countAttempt([]);
  await assert.rejects(store.countAttempt('S1' as never), /expected an array of serials/);
  await store.close();
});

test('reopening keeps the data; a wrong or missing key file is refused', async () => {
  const { dir, path, keyFile, store } = await fresh();
  await store.createToken(newToken('K1'));
  await store.close();
  const again = await openStore({ sqlite: { path }, keyFile });
  assert.deepEqual((await again.getToken('K1'))!.seed, SEED);
  await again.close();

  const otherKey = join(dir, 'other.key');
  await assert.rejects(openStore({ sqlite: { path }, keyFile: otherKey }), {
    code: 'key',
    message: `key file ${otherKey} does not exist, but ${path} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)`,
  });
  assert.equal(existsSync(otherKey), false, 'no new key file was made');
  const otherDir = tempDir();
  const wrong = (await openStore({ sqlite: { path: join(otherDir, 'x.db') }, keyFile: join(otherDir, 'x.key') }));
  await wrong.close();
  await assert.rejects(openStore({ sqlite: { path }, keyFile: join(otherDir, 'x.key') }), {
    code: 'key',
    message: `key file ${join(otherDir, 'x.key')} does not match ${path}: the database was set up with another key file`,
  });
  await assert.rejects(openSqliteStore({ path, keys: { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) } }), /the given keys does not match/);
  await assert.rejects(openSqliteStore({ path, keyFile, createKeyFile: false, keys: { seedKey: Buffer.alloc(32), pepper: Buffer.alloc(32) } }), /exactly one of keyFile and keys/);
  await assert.rejects(openStore({ sqlite: { path: join(dir, 'n.db') }, keyFile: join(dir, 'n.key'), createKeyFile: false }), /key file .*n\.key does not exist/);
});

test('stored rows are checked when read', async () => {
  const { path, store } = await fresh();
  await store.createToken(newToken('R1'));
  await store.createToken(newToken('R2'));
  const raw = new Database(path);
  raw.prepare("UPDATE tokens SET counter = 'abc' WHERE serial = 'R1'").run();
  await assert.rejects(store.getToken('R1'), { name: 'StoreError', code: 'corrupt', message: 'token R1: column counter: expected an integer, got string "abc"' });
  raw.prepare("UPDATE tokens SET counter = 0, otp_length = 99 WHERE serial = 'R1'").run();
  await assert.rejects(store.getToken('R1'), /token R1: stored value out of range: token R1: otpLength: expected an integer 4\.\.10, got 99/);
  raw.prepare("UPDATE tokens SET otp_length = 6, max_auth = 'x' WHERE serial = 'R1'").run();
  await assert.rejects(store.getToken('R1'), /token R1: column max_auth: expected an integer or NULL, got string "x"/);
  raw.prepare("UPDATE tokens SET max_auth = NULL, info = 'not json' WHERE serial = 'R1'").run();
  await assert.rejects(store.getToken('R1'), /token R1: column info: not valid JSON/);
  assert.throws(() => raw.prepare("UPDATE tokens SET info = '{}', active = 2 WHERE serial = 'R1'").run(), /CHECK constraint failed: active IN \(0, 1\)/);
  raw.prepare("UPDATE tokens SET info = '{}', seed = (SELECT seed FROM tokens WHERE serial = 'R2') WHERE serial = 'R1'").run();
  await assert.rejects(store.getToken('R1'), { code: 'key', message: 'seed of token R1 cannot be decrypted: wrong key file?' });
  assert.equal(await store.updateToken('R1', { active: false }), true, 'an administrator can still disable it');
  assert.equal(raw.prepare("SELECT active FROM tokens WHERE serial = 'R1'").pluck().get(), 0);
  await assert.rejects(store.listTokens(), /seed of token R1 cannot be decrypted/);
  raw.close();
  await store.close();
});
