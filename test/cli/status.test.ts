// `otp-radius status`: a Status-Server to the configured listener with the
// secret of the loopback client entry; exit 0 when answered, 1 with one line
// when not answered or when it cannot ask.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { statusTarget } from '../../src/cli/status.ts';
import { delay, freeUdpPort, SECRET } from '../helpers/radius.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'otp-radius-status-'));
after(() => rm(dir, { recursive: true, force: true }));

function config(name: string, port: number, clientAddress: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `listen:\n  address: 127.0.0.1\n  port: ${port}\nclients:\n  - name: here\n    address: ${clientAddress}\n    secret: ${SECRET}\nstore:\n  sqlite: { path: ${dir}/t.db }\n  keyFile: ${dir}/t.key\n`,
  );
  return file;
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [CLI, ...args], { timeout: 20_000 }, (_err, stdout, stderr) => done({ code: child.exitCode ?? -1, stdout, stderr }));
  });
}

test('a wildcard listener is asked on loopback', () => {
  assert.equal(statusTarget('0.0.0.0'), '127.0.0.1');
  assert.equal(statusTarget('::'), '::1');
  assert.equal(statusTarget('127.0.0.5'), '127.0.0.5');
});

test('status: 0 while the server answers, 1 with one line once it is gone', async () => {
  const port = await freeUdpPort();
  const file = config('up.yaml', port, '127.0.0.0/8');
  const server = spawn(process.execPath, [CLI, 'serve', '--config', file, '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((resolve) => server.on('exit', resolve));
  try {
    for (let i = 0; i < 100 && !log.includes('otp-radius started'); i++) await delay(100);
    const up = await cli(['status', '--config', file]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`^127\\.0\\.0\\.1:${port}: answering \\(\\d+ ms\\)\\n$`));
    assert.equal(up.stderr, '');
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
  const down = await cli(['status', '--config', file, '--timeout', '0.5']);
  assert.equal(down.code, 1);
  assert.equal(down.stdout, '');
  assert.equal(down.stderr, `otp-radius: 127.0.0.1:${port}: no answer to Status-Server within 0.5 s (client entry "here")\n`);
});

test('status: no client entry for the loopback address, a bad timeout, a bad config', async () => {
  const port = await freeUdpPort();
  const file = config('nas-only.yaml', port, '192.0.2.0/24');
  const none = await cli(['status', '--config', file]);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, `otp-radius: ${file}: no client entry for 127.0.0.1, the address status sends from: add one (with a secret of its own) to let it ask the server\n`);

  const timeout = await cli(['status', '--config', file, '--timeout', 'soon']);
  assert.equal(timeout.code, 2);
  assert.match(timeout.stderr, /^otp-radius: status: --timeout: expected seconds from 0\.1 to 60, got "soon"\n$/);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'listen:\n  port: banana\n');
  const invalid = await cli(['status', '--config', bad]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad\.yaml:2.*port/);
  assert.match(invalid.stderr, /otp-radius: .*bad\.yaml: invalid config\n$/);
});
