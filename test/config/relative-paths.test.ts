// Relative paths in the config are relative to the config file's folder,
// whatever the working directory: an admin command run from /tmp opens the
// store, key file, users file and secret files the server opens.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';

const root = mkdtempSync(join(tmpdir(), 'otp-radius-relpaths-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('every relative path is taken from the config file folder, not the working directory', () => {
  const etc = join(root, 'etc');
  mkdirSync(join(etc, 'secrets'), { recursive: true });
  writeFileSync(join(etc, 'secrets', 'nas'), 'a-long-enough-shared-secret\n', { mode: 0o600 });
  writeFileSync(join(etc, 'users.yaml'), 'users: []\n');
  writeFileSync(
    join(etc, 'otp-radius.yaml'),
    [
      'clients:',
      '  - { name: nas, address: 127.0.0.1, secretFile: secrets/nas }',
      'log: { audit: ../log/audit.json }',
      'store:',
      '  sqlite: { path: ../lib/otp-radius.db }',
      '  keyFile: ../lib/otp-radius.key',
      'resolvers:',
      '  local: { type: file, path: users.yaml }',
      'realms:',
      '  default: { resolvers: [local], default: true }',
      '',
    ].join('\n'),
  );
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  const cwd = process.cwd();
  process.chdir(elsewhere);
  try {
    // Named relative to the working directory, as `--config ../etc/otp-radius.yaml` would.
    const { config } = loadConfig(relative(elsewhere, join(etc, 'otp-radius.yaml')));
    assert.ok('sqlite' in config.store);
    assert.equal(config.store.sqlite.path, join(root, 'lib', 'otp-radius.db'));
    assert.equal(config.store.keyFile, join(root, 'lib', 'otp-radius.key'));
    assert.equal(config.log.audit, join(root, 'log', 'audit.json'));
    assert.equal(config.clients[0]!.secret, 'a-long-enough-shared-secret');
    const local = config.resolvers.local;
    assert.ok(local?.type === 'file');
    assert.equal(local.path, join(etc, 'users.yaml'));
  } finally {
    process.chdir(cwd);
  }
});

test('the default store and key file lie in data/ beside the config file; stdout and stderr stay names', () => {
  const dir = join(root, 'defaults');
  mkdirSync(dir);
  writeFileSync(join(dir, 'c.yaml'), 'log: { audit: stderr }\n');
  const { config } = loadConfig(join(dir, 'c.yaml'));
  assert.ok('sqlite' in config.store);
  assert.equal(config.store.sqlite.path, join(dir, 'data', 'otp-radius.db'));
  assert.equal(config.store.keyFile, join(dir, 'data', 'otp-radius.key'));
  assert.equal(config.log.audit, 'stderr');
});

test('the shipped config names the repository data/ folder and its own users file, and draws no warning', () => {
  const repo = join(import.meta.dirname, '../..');
  const { config, warnings } = loadConfig(join(repo, 'config/otp-radius.yaml'));
  // No client the IPv4 listener can never hear (a ::1 entry was one), nothing weakened.
  assert.deepEqual(warnings, []);
  // Debian 12's radtest sends a Message-Authenticator, so the demo client can require one.
  assert.deepEqual(
    config.clients.map((c) => [c.name, c.network.text, c.requireMessageAuthenticator]),
    [['localhost', '127.0.0.1', true]],
  );
  assert.ok('sqlite' in config.store);
  assert.equal(config.store.sqlite.path, join(repo, 'data', 'otp-radius.db'));
  assert.equal(config.store.keyFile, join(repo, 'data', 'otp-radius.key'));
  assert.equal(config.resolvers.local?.type === 'file' && config.resolvers.local.path, join(repo, 'config', 'users.yaml'));
  // The self-service portal on loopback, where the quick start's first token comes from, without an enrollment code.
  assert.deepEqual(
    config.http?.listeners.map((l) => [l.address, l.port, l.serve]),
    [['127.0.0.1', 5000, ['self']]],
  );
  assert.equal(config.selfService.realms.default?.enrollmentCode, false);
});
