// `serve` under a Type=notify unit: READY=1 reaches $NOTIFY_SOCKET (through
// Debian's systemd-notify) once, when every worker answers, and a socket that
// cannot be reached costs a warning, not the server.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { delay, freeUdpPort, SECRET } from '../helpers/radius.ts';
import { notifySocket } from '../helpers/notify-socket.ts';
import { requirePeer } from '../helpers/peers.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

function writeConfig(dir: string, port: number): string {
  const file = join(dir, 'otp-radius.yaml');
  writeFileSync(
    file,
    `listen:\n  address: 127.0.0.1\n  port: ${port}\nclients:\n  - name: local\n    address: 127.0.0.1\n    secret: ${SECRET}\nstore:\n  sqlite: { path: ${dir}/t.db }\n  keyFile: ${dir}/t.key\n`,
  );
  return file;
}

async function statusServer(port: number): Promise<number | undefined> {
  const client = new RadiusClient('127.0.0.1', port);
  try {
    const r = await client.send(buildRequest({ code: CODE.StatusServer, identifier: 7, secret: SECRET, messageAuthenticator: true }), SECRET, 1000);
    return r?.packet.code;
  } finally {
    client.close();
  }
}

function serve(config: string, workers: number, notify: string) {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--workers', String(workers)], { env: { ...process.env, NOTIFY_SOCKET: notify }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, log: () => log, exited };
}

for (const workers of [1, 2]) {
  test(`serve --workers ${workers}: READY=1 once, when the server answers`, async () => {
    requirePeer('systemd-notify', 'systemd');
    const dir = mkdtempSync(join(tmpdir(), 'otp-radius-notify-'));
    const socket = await notifySocket(dir);
    const port = await freeUdpPort();
    const s = serve(writeConfig(dir, port), workers, socket.path);
    try {
      for (let i = 0; i < 150 && !socket.messages().includes('READY=1'); i++) await delay(100);
      assert.ok(socket.messages().includes('READY=1'), `no READY=1; log:\n${s.log()}`);
      // Ready means answering: no worker may still be starting.
      for (let i = 0; i < 6; i++) assert.equal(await statusServer(port), CODE.AccessAccept);
      assert.match(s.log(), /"msg":"otp-radius started"/);
      await delay(300);
      assert.equal(socket.messages().filter((m) => m === 'READY=1').length, 1, socket.messages().join('\n'));
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      s.child.kill('SIGKILL');
      socket.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('serve: an unreachable NOTIFY_SOCKET gives a warning and the server keeps serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-notify-'));
  const port = await freeUdpPort();
  const s = serve(writeConfig(dir, port), 1, join(dir, 'no-such.sock'));
  try {
    for (let i = 0; i < 150 && !s.log().includes('could not tell systemd'); i++) await delay(100);
    assert.match(s.log(), /"level":40,.*"msg":"could not tell systemd the server is ready/);
    assert.equal(await statusServer(port), CODE.AccessAccept);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  } finally {
    s.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
