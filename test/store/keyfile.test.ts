import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatKeyFile, loadOrCreateKeyFile, parseKeyFile } from '../../src/store/keyfile.ts';
import { tempDir } from './helpers.ts';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

test('creates the key file with mode 0600 and its directory, then reads it back', () => {
  const path = join(tempDir(), 'sub', 'dir', 'otp-radius.key');
  const made = loadOrCreateKeyFile(path, { create: true });
  assert.equal(made.created, true);
  assert.equal(made.seedKey.length, 32);
  assert.equal(made.pepper.length, 32);
  assert.notDeepEqual(made.seedKey, made.pepper);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o077, 0);
  const text = readFileSync(path, 'utf8');
  assert.match(text, new RegExp(`^seed-key: ${made.seedKey.toString('hex')}$`, 'm'));
  assert.match(text, new RegExp(`^pin-pepper: ${made.pepper.toString('hex')}$`, 'm'));
  const again = loadOrCreateKeyFile(path, { create: true });
  assert.equal(again.created, false);
  assert.deepEqual(again.seedKey, made.seedKey);
  assert.deepEqual(again.pepper, made.pepper);
});

test('a missing file is an error when create is false', () => {
  const path = join(tempDir(), 'none.key');
  assert.throws(() => loadOrCreateKeyFile(path, { create: false }), { name: 'StoreError', code: 'key', message: `key file ${path} does not exist` });
});

test('refuses a key file readable by group or others and says how to fix it', () => {
  const path = join(tempDir(), 'open.key');
  writeFileSync(path, `seed-key: ${HEX_A}\npin-pepper: ${HEX_B}\n`, { mode: 0o644 });
  chmodSync(path, 0o644);
  assert.throws(() => loadOrCreateKeyFile(path, { create: true }), {
    code: 'key',
    message: `key file ${path} has mode 0644: group and others must have no access; fix it with: chmod 600 ${path}`,
  });
  chmodSync(path, 0o640);
  assert.throws(() => loadOrCreateKeyFile(path, { create: false }), /mode 0640/);
  chmodSync(path, 0o600);
  const keys = loadOrCreateKeyFile(path, { create: false });
  assert.deepEqual(keys.seedKey, Buffer.from(HEX_A, 'hex'));
  assert.deepEqual(keys.pepper, Buffer.from(HEX_B, 'hex'));
});

test('refuses a directory in place of the key file', () => {
  const dir = tempDir();
  assert.throws(() => loadOrCreateKeyFile(dir, { create: true }), /is not a regular file/);
});

test('refuses malformed key files, naming the file and line', () => {
  const path = join(tempDir(), 'bad.key');
  const cases: [string, RegExp][] = [
    ['', /no 'seed-key:' line/],
    [`seed-key: ${HEX_A}\n`, /no 'pin-pepper:' line/],
    [`seed-key: ${HEX_A.slice(2)}\npin-pepper: ${HEX_B}\n`, /line 1: seed-key must be 64 hex digits \(32 bytes\), got 62 characters/],
    [`seed-key: ${'g'.repeat(64)}\npin-pepper: ${HEX_B}\n`, /line 1: seed-key must be 64 hex digits/],
    [`seed-key: ${HEX_A}\nseed-key: ${HEX_A}\npin-pepper: ${HEX_B}\n`, /line 2: seed-key given twice/],
    [`# c\nsalt: ${HEX_A}\n`, /line 2: unknown label 'salt'/],
    [HEX_A + HEX_B, /line 1: expected 'seed-key: <hex>' or 'pin-pepper: <hex>'/],
  ];
  for (const [text, message] of cases) {
    writeFileSync(path, text, { mode: 0o600 });
    assert.throws(
      () => loadOrCreateKeyFile(path, { create: true }),
      (err: Error) => {
        assert.equal(err.name, 'StoreError');
        assert.match(err.message, message);
        assert.ok(err.message.includes(path), err.message);
        return true;
      },
    );
  }
});

test('format and parse round-trip; comments, blank lines, CRLF and label order do not matter', () => {
  const keys = { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) };
  assert.deepEqual(parseKeyFile(formatKeyFile(keys), 'x'), keys);
  const text = `\r\n# hello\r\npin-pepper: ${'02'.repeat(32)}\r\n\r\n  seed-key:${'01'.repeat(32)}  \r\n`;
  assert.deepEqual(parseKeyFile(text, 'x'), keys);
});

test('processes racing to create the key file end up with one key', async () => {
  const path = join(tempDir(), 'race.key');
  const moduleUrl = new URL('../../src/store/keyfile.ts', import.meta.url).href;
  const script = `import { loadOrCreateKeyFile } from ${JSON.stringify(moduleUrl)};
const k = loadOrCreateKeyFile(${JSON.stringify(path)}, { create: true });
process.stdout.write(JSON.stringify({ created: k.created, key: k.seedKey.toString('hex') }));`;
  const run = () =>
    new Promise<{ created: boolean; key: string }>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout))));
    });
  const results = await Promise.all(Array.from({ length: 6 }, run));
  assert.equal(results.filter((r) => r.created).length, 1);
  for (const r of results) assert.equal(r.key, loadOrCreateKeyFile(path, { create: false }).seedKey.toString('hex'));
  assert.deepEqual(readdirSync(join(path, '..')), ['race.key'], 'no temporary files left behind');
});
