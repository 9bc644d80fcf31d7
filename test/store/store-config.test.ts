// Config section `store`: SQLite by default, or PostgreSQL with its URL
// inline, from the environment, or from a file; errors name file, line, key.

import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/load.ts';
import { tempDir } from './helpers.ts';
import { configProblems as problems } from '../helpers/config.ts';

test('no store section: SQLite with its defaults', () => {
  const { config } = parseConfig('', 'c.yaml');
  assert.ok('sqlite' in config.store);
  assert.equal(config.store.sqlite.busyTimeoutMs, 5000);
  assert.match(config.store.sqlite.path, /data\/otp-radius\.db$/);
  assert.match(config.store.keyFile, /data\/otp-radius\.key$/);
});

test('postgres with defaults, and with every option', () => {
  let { config } = parseConfig('store:\n  postgres:\n    url: postgres://otp:pw@db:5432/otp\n  keyFile: /etc/otp-radius/key\n', 'c.yaml');
  assert.deepEqual(config.store, {
    postgres: { url: 'postgres://otp:pw@db:5432/otp', pool: { max: 10, idleTimeoutMs: 30000, connectionTimeoutMs: 5000 }, statementTimeoutMs: 5000 },
    keyFile: '/etc/otp-radius/key',
  });
  ({ config } = parseConfig(
    'store:\n  postgres:\n    url: postgresql://otp@db/otp?sslmode=require\n    pool: { max: 4, idleTimeoutMs: 0, connectionTimeoutMs: 2000 }\n    statementTimeoutMs: 0\n',
    'c.yaml',
  ));
  assert.deepEqual(config.store, {
    postgres: { url: 'postgresql://otp@db/otp?sslmode=require', pool: { max: 4, idleTimeoutMs: 0, connectionTimeoutMs: 2000 }, statementTimeoutMs: 0 },
    keyFile: (config.store as { keyFile: string }).keyFile,
  });
});

test('the URL from the environment or from a file', () => {
  const { config } = parseConfig('store:\n  postgres: { url: "postgres://otp:${env:PGPW}@db/otp" }\n', 'c.yaml', { PGPW: 's3cret' });
  assert.equal('postgres' in config.store && config.store.postgres.url, 'postgres://otp:s3cret@db/otp');
  assert.deepEqual(problems('store:\n  postgres:\n    url: "${env:OTP_DB_URL}"\n'), ['c.yaml:3: store.postgres.url: environment variable OTP_DB_URL is not set']);
  const dir = tempDir();
  const file = join(dir, 'db-url');
  writeFileSync(file, 'postgres://otp:from-file@db/otp\n', { mode: 0o600 });
  const fromFile = parseConfig(`store:\n  postgres:\n    urlFile: ${file}\n`, join(dir, 'c.yaml'));
  assert.equal('postgres' in fromFile.config.store && fromFile.config.store.postgres.url, 'postgres://otp:from-file@db/otp');
  assert.deepEqual(
    fromFile.warnings.filter((w) => /readable/.test(w)),
    [],
  );
  chmodSync(file, 0o644);
  assert.match(parseConfig(`store:\n  postgres:\n    urlFile: ${file}\n`, 'c.yaml').warnings.join('\n'), /db-url is readable by every user/);
  assert.deepEqual(problems(`store:\n  postgres:\n    urlFile: ${join(dir, 'none')}\n`), [`c.yaml:3: store.postgres.urlFile: cannot read ${join(dir, 'none')}: ENOENT`]);
});

test('bad postgres sections name file, line and key, and never show the password', () => {
  assert.deepEqual(problems('store:\n  postgres: {}\n'), ['c.yaml:2: store.postgres.url: required, a non-empty string (or urlFile: PATH)']);
  assert.deepEqual(problems('store:\n  postgres:\n    url: ""\n'), ['c.yaml:3: store.postgres.url: must not be empty']);
  assert.deepEqual(problems('store:\n  postgres:\n    url: mysql://u:hunter2@db/otp\n'), [
    'c.yaml:3: store.postgres.url: expected a URL postgres://[user[:password]@]host[:port]/database, got a mysql: URL',
  ]);
  assert.deepEqual(problems('store:\n  postgres:\n    url: "postgres://u:hunter2@[db/otp"\n'), [
    'c.yaml:3: store.postgres.url: not a valid URL (percent-encode special characters in the user name and password)',
  ]);
  assert.deepEqual(problems('store:\n  postgres:\n    url: db.example\n'), ['c.yaml:3: store.postgres.url: expected a URL postgres://[user[:password]@]host[:port]/database, got something else']);
  assert.deepEqual(problems('store:\n  postgres:\n    url: postgres://db/otp\n    urlFile: /x\n'), ['c.yaml:4: store.postgres.urlFile: give either url or urlFile, not both']);
  assert.deepEqual(problems('store:\n  postgres:\n    url: postgres://db/otp\n    pool: { max: 0 }\n'), ['c.yaml:4: store.postgres.pool.max: expected a whole number from 1 to 1000, got 0']);
  assert.deepEqual(problems('store:\n  postgres:\n    url: postgres://db/otp\n    pool: { size: 5 }\n'), [
    'c.yaml:4: store.postgres.pool.size: unknown key (expected one of: max, idleTimeoutMs, connectionTimeoutMs)',
  ]);
  assert.deepEqual(problems('store:\n  postgres:\n    url: postgres://db/otp\n    statementTimeoutMs: -1\n'), [
    'c.yaml:4: store.postgres.statementTimeoutMs: expected a whole number from 0 to 3600000, got -1',
  ]);
  assert.deepEqual(problems('store:\n  postgres:\n    url: postgres://db/otp\n    password: x\n'), [
    'c.yaml:4: store.postgres.password: unknown key (expected one of: url, urlFile, pool, statementTimeoutMs)',
  ]);
  for (const p of problems('store:\n  postgres:\n    url: mysql://u:hunter2@db/otp\n')) assert.doesNotMatch(p, /hunter2/);
});

test('exactly one backend', () => {
  assert.deepEqual(problems('store:\n  sqlite: { path: a.db }\n  postgres:\n    url: postgres://db/otp\n'), ['c.yaml:3: store.postgres: give either store.sqlite or store.postgres, not both']);
  assert.deepEqual(problems('store:\n  mysql: {}\n'), ['c.yaml:2: store.mysql: unknown key (expected one of: sqlite, postgres, keyFile)']);
});
