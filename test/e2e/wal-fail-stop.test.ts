// start()'s wiring of a failed WAL fsync, in process, over a real SQLite
// store: the login waiting on the failed sync is answered with a reject, one
// fatal line names the WAL file and the errno, the RADIUS port is closed, and
// only then is StartOptions.onFatal called (serve exits there; see
// test/cli/fail-stop.test.ts for the processes).
//
// The failure is a real one that needs no broken disk: the -wal file is
// renamed after the server opened the store, so the group commit's first sync
// cannot open it (ENOENT), while SQLite keeps writing to the file it has open.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { loadConfig } from '../../src/config/load.ts';
import { start } from '../../src/server/start.ts';
import { totp } from '../../src/otp/totp.ts';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { openStore } from '../../src/store/index.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { captureLogs, delay, SECRET } from '../helpers/radius.ts';
import { writeStackConfig } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('a failed WAL fsync: the waiting login is rejected, one fatal line, the port closes, then onFatal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-failstop-'));
  dirs.push(dir);
  const configFile = await writeStackConfig(dir, 0);
  const { store: storeConfig } = loadConfig(configFile).config;
  const store = await openStore(storeConfig);
  await store.createToken(buildToken({ type: 'totp', seed: SEED, serial: 'FAIL1', owner: { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' } }, DEFAULT_TOKENS).token);
  await store.close();
  const wal = `${(storeConfig as { sqlite: { path: string } }).sqlite.path}-wal`;

  const logs = captureLogs('info');
  const fatal: { portOpen: boolean }[] = [];
  const running = await start(configFile, {
    logger: logs.logger,
    onFatal: () => {
      let portOpen = true;
      try {
        running.radius.port();
      } catch {
        portOpen = false;
      }
      fatal.push({ portOpen });
    },
  });
  const port = running.radius.port();
  const client = new RadiusClient('127.0.0.1', port);
  try {
    renameSync(wal, `${wal}.moved`);
    // A right code: only a durable counter advance may accept it, and that commit's sync fails.
    const answer = await client.send(buildRequest({ identifier: 1, secret: SECRET, userName: 'alice', password: totp(SEED, Date.now() / 1000) }), SECRET, 5000);
    assert.equal(answer?.packet.code, CODE.AccessReject, JSON.stringify(logs.lines, null, 1));
    for (let i = 0; i < 50 && fatal.length === 0; i++) await delay(20);

    assert.equal(fatal.length, 1, 'onFatal once');
    assert.equal(fatal[0]!.portOpen, false, 'onFatal comes after the RADIUS port was closed');
    const fatalLines = logs.lines.filter((l) => l.level === 60);
    assert.equal(fatalLines.length, 1, JSON.stringify(fatalLines));
    assert.equal(fatalLines[0]!.wal, wal);
    assert.equal(fatalLines[0]!.errno, 'ENOENT');
    assert.match(String(fatalLines[0]!.msg), /WAL fsync failed/);
    const audit = logs.lines.filter((l) => l.event === 'auth');
    assert.deepEqual(
      audit.map((a) => [a.decision, a.reason]),
      [['reject', 'store unavailable']],
    );

    // Nothing answers any more: the NAS retries elsewhere.
    const late = await client.send(buildRequest({ identifier: 2, secret: SECRET, userName: 'alice', password: '000000' }), SECRET, 300);
    assert.equal(late, undefined);
    await running.stop();
    assert.equal(fatal.length, 1);
    assert.equal(
      logs.lines.some((l) => l.msg === 'otp-radius stopped'),
      false,
      'the store was not closed',
    );
  } finally {
    client.close();
    await running.stop();
  }
});

test('failStop() (another process saw the fsync fail): one fatal line with its fields, the port closes, then onFatal', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-failstop-'));
  dirs.push(dir);
  const configFile = await writeStackConfig(dir, 0);
  const logs = captureLogs('info');
  let fatalCalls = 0;
  const running = await start(configFile, { logger: logs.logger, onFatal: () => fatalCalls++ });
  const client = new RadiusClient('127.0.0.1', running.radius.port());
  try {
    await Promise.all([running.failStop({ cause: 'test' }, 'told to stop'), running.failStop({ cause: 'again' }, 'told twice')]);
    assert.equal(fatalCalls, 1, 'onFatal once, however often it is asked');
    assert.throws(() => running.radius.port(), /not bound/);
    const fatalLines = logs.lines.filter((l) => l.level === 60);
    assert.deepEqual(
      fatalLines.map((l) => [l.msg, l.cause]),
      [['told to stop', 'test']],
    );
  } finally {
    client.close();
    await running.stop();
  }
  assert.equal(
    logs.lines.some((l) => l.msg === 'otp-radius stopped'),
    false,
    'the store was not closed',
  );
});
