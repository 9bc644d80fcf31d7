// `otp-radius serve` as a process: starts, reloads on SIGHUP (keeping the
// old config when the new one is bad), drains and exits 0 on SIGTERM.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { delay, freeUdpPort, radclient, SECRET } from '../helpers/radius.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

// The store goes to a temporary directory, not to data/ of the working tree.
const STORE_DIR = mkdtempSync(join(tmpdir(), 'otp-radius-serve-store-'));

function configText(port: number, clientAddress: string): string {
  return `listen:\n  address: 127.0.0.1\n  port: ${port}\nclients:\n  - name: nas\n    address: ${clientAddress}\n    secret: ${SECRET}\nlog:\n  level: info\nstore:\n  sqlite: { path: ${STORE_DIR}/t.db }\n  keyFile: ${STORE_DIR}/t.key\n`;
}

async function status(port: number): Promise<boolean> {
  const r = await radclient(['-r', '1', '-t', '1', `127.0.0.1:${port}`, 'status', SECRET], 'Message-Authenticator = 0x00\n');
  return /Access-Accept/.test(r.stdout);
}

test('serve: SIGHUP reloads clients, a bad reload keeps the old config, SIGTERM exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-serve-'));
  const file = join(dir, 'otp-radius.yaml');
  const port = await freeUdpPort();
  writeFileSync(file, configText(port, '127.0.0.2'));
  const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 50 && !out.includes('otp-radius started'); i++) await delay(100);
    assert.match(out, /otp-radius started/);
    assert.equal(await status(port), false, '127.0.0.1 is not a client yet');

    writeFileSync(file, configText(port, '127.0.0.0/8'));
    child.kill('SIGHUP');
    for (let i = 0; i < 30 && !out.includes('config reloaded'); i++) await delay(100);
    assert.equal(await status(port), true, 'answered after reload');

    writeFileSync(file, `${configText(port, '127.0.0.0/8')}bogus: 1\n`);
    child.kill('SIGHUP');
    for (let i = 0; i < 30 && !out.includes('config reload failed'); i++) await delay(100);
    assert.match(out, /config reload failed; keeping the running config/);
    assert.match(out, /otp-radius.yaml:13: bogus: unknown key/);
    assert.equal(await status(port), true, 'still answered with the old config');

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /otp-radius stopped/);
    for (const line of out.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), `not one JSON event a line: ${line}`);
    assert.ok(!out.includes(SECRET), 'the shared secret never reaches the log');
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve: the audit file gets one line per decision, and SIGHUP reopens it after logrotate moved it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-serve-'));
  const file = join(dir, 'otp-radius.yaml');
  const audit = join(dir, 'log', 'audit.log');
  const port = await freeUdpPort();
  writeFileSync(file, configText(port, '127.0.0.0/8').replace('log:\n  level: info\n', `log:\n  level: info\n  audit: ${audit}\n`));
  const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const login = async (user: string): Promise<void> => {
    const r = await radclient(['-r', '1', '-t', '2', `127.0.0.1:${port}`, 'auth', SECRET], `User-Name = ${user}\nUser-Password = 123456\nMessage-Authenticator = 0x00\n`);
    assert.match(r.stdout, /Access-Reject/);
  };
  // The audit line is written at the end of the worker's turn, which may be just after the answer left.
  const audited = async (path: string, lines = 1): Promise<string[]> => {
    let text = '';
    for (let i = 0; i < 40; i++) {
      text = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
      if (text.split('\n').filter(Boolean).length >= lines) break;
      await delay(50);
    }
    return text.split('\n').map((l) => (JSON.parse(l) as { user: string }).user);
  };
  try {
    for (let i = 0; i < 50 && !out.includes('otp-radius started'); i++) await delay(100);
    await login('before-rotation');
    assert.deepEqual(await audited(audit), ['before-rotation']);
    assert.equal(statSync(audit).mode & 0o077, 0o040 & ~process.umask(), 'group may read, others may not');

    renameSync(audit, `${audit}.1`);
    child.kill('SIGHUP');
    for (let i = 0; i < 30 && !out.includes('config reloaded'); i++) await delay(100);
    await login('after-rotation');
    assert.deepEqual(await audited(`${audit}.1`), ['before-rotation']);
    assert.deepEqual(await audited(audit), ['after-rotation']);
    assert.ok(!out.includes('"audit":true'), 'audit events go to the file only');

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve: an invalid config stops the start with the file, line and key, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-serve-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'listen:\n  port: 1812\nclients:\n  - name: nas\n    address: 10.0.0.1\n');
  const r = spawnSync(process.execPath, [CLI, 'serve', '--config', file], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `${file}:4: clients[0].secret: required, a non-empty string (or secretFile: PATH)\notp-radius: ${file}: invalid config, not started\n`);
});

test('serve: a port in use is one clear line, exit 1', async () => {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-serve-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, configText(s.address().port, '127.0.0.1'));
  const r = spawnSync(process.execPath, [CLI, 'serve', '--config', file], { encoding: 'utf8' });
  s.close();
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^otp-radius: cannot listen on 127.0.0.1:\d+: EADDRINUSE\n$/);
});

test('config check reads the users files as a start would: their problems with file and line, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-check-'));
  const users = join(dir, 'users.yaml');
  const big = join(dir, 'big.yaml');
  const config = join(dir, 'c.yaml');
  const resolvers = `resolvers:\n  local: { type: file, path: ${users} }\n  more: { type: file, path: ${big} }\nrealms:\n  default: { resolvers: [local, more], default: true }\n`;
  writeFileSync(config, configText(1812, '10.20.0.0/16') + resolvers);
  writeFileSync(users, 'users:\n  - login: alice\n  - login: bob\n');
  // Large enough to be parsed in a child process, as a server would.
  const filler = Array.from({ length: 1500 }, (_, i) => `  - login: user${i}\n    email: user${i}@example.org\n`).join('');
  writeFileSync(big, `users:\n${filler}`);
  let r = spawnSync(process.execPath, [CLI, 'config', 'check', config], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${config}: OK (1 client, 1502 users in 2 users files)\n`);
  writeFileSync(users, 'users:\n  - login: alice\n  - login: alice\n  - login: carol\n    shoe: 42\n');
  writeFileSync(big, `users:\n${filler}  - login: user7\n`);
  r = spawnSync(process.execPath, [CLI, 'config', 'check', config], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `${users}:3: users[1].login: "alice" is already the login of users[0] (line 2)`,
    `${users}:5: users[2].shoe: unknown key (expected login, id, password, email, phone, givenName, surname, groups, attributes)`,
    `${big}:3002: users[1500].login: "user7" is already the login of users[7] (line 16)`,
  ]);
  rmSync(users);
  r = spawnSync(process.execPath, [CLI, 'config', 'check', config], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`^${users}: cannot read the users file: no such file\n`));
});

test('config check: exit 0 for a valid file, 1 with every problem, 2 for usage errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-check-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, configText(1812, '10.0.0.0/8'));
  let r = spawnSync(process.execPath, [CLI, 'config', 'check', good], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${good}: OK (1 client)\n`);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'listen:\n  port: -1\nlog:\n  level: chatty\n');
  r = spawnSync(process.execPath, [CLI, 'config', 'check', bad], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `${bad}:2: listen.port: expected a whole number from 0 to 65535, got -1`,
    `${bad}:4: log.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", got "chatty"`,
  ]);
  r = spawnSync(process.execPath, [CLI, 'config', 'check', '--nope'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'otp-radius: config check: unknown option --nope (see otp-radius config check --help)\n');
  r = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'otp-radius: unknown command "frobnicate" (see otp-radius --help)\n');
});

test('serve --debug: one process, and for a request the attributes (password not shown), realm, user, tokens, checks, decision and answer; never the PIN or the code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-debug-'));
  const port = await freeUdpPort();
  const file = join(dir, 'otp-radius.yaml');
  writeFileSync(join(dir, 'users.yaml'), 'users:\n  - { login: alice, id: "1001" }\n');
  writeFileSync(
    file,
    `listen: { address: 127.0.0.1, port: ${port} }\nclients:\n  - { name: nas, address: 127.0.0.1, secret: ${SECRET} }\n` +
      `store: { sqlite: { path: t.db }, keyFile: t.key }\nresolvers: { local: { type: file, path: users.yaml } }\nrealms: { default: { resolvers: [local], default: true } }\n`,
  );
  const seed = Buffer.from('12345678901234567890');
  const { openStore } = await import('../../src/store/index.ts');
  const { loadConfig } = await import('../../src/config/load.ts');
  const { buildToken } = await import('../../src/tokens/index.ts');
  const { DEFAULT_TOKENS } = await import('../../src/model/token-defaults.ts');
  const store = await openStore({ ...loadConfig(file).config.store, create: true });
  const owner = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
  await store.createToken(buildToken({ type: 'hotp', seed, serial: 'DEBUG-1', owner, pinHash: await store.pins.hash('4711') }, DEFAULT_TOKENS).token);
  await store.close();
  const child = spawn(process.execPath, [CLI, 'serve', '--config', file, '--debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    for (let i = 0; i < 50 && !out.includes('otp-radius started'); i++) await delay(100);
    const r = await radclient(
      ['-r', '1', '-t', '2', `127.0.0.1:${port}`, 'auth', SECRET],
      'User-Name = alice\nUser-Password = "4711755224"\nCalling-Station-Id = "02-00-5e-10-00-01"\nMessage-Authenticator = 0x00\n',
    );
    assert.match(r.stdout, /Access-Accept/);
    for (let i = 0; i < 30 && !out.includes('answer sent'); i++) await delay(100);
    const plain = stripVTControlCharacters(out);
    for (const step of ['request received', '"User-Password": "[redacted]"', 'realm', 'user found', 'token', 'otp checked', 'first factor checked', 'decision', 'answer sent', 'Access-Accept']) {
      assert.ok(plain.includes(step), `${step} missing from:\n${plain}`);
    }
    assert.ok(!plain.includes('4711'), 'the PIN never appears');
    assert.ok(!plain.includes('755224'), 'the code never appears');
    assert.ok(!plain.includes('"worker"'), 'one process: no worker label');
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
