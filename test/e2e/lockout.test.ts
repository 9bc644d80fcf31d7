// Locks that hold under a burst, and a throttle an attacker cannot turn
// against the user (issue 20), against real `serve` processes: two workers
// on SQLite, and two servers on one PostgreSQL.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { ATTR, CODE, rawAttribute } from '../../src/radius/packet.ts';
import { openStore, type KeyedTokenStore } from '../../src/store/index.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { delay, freeUdpPort, SECRET } from '../helpers/radius.ts';
import { spawnServe, writeStackConfig } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');
const OWNER = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
const MAX_FAIL = 10;

type Server = Awaited<ReturnType<typeof spawnServe>>;

function audits(servers: Server[]): Record<string, unknown>[] {
  return servers.flatMap((s) =>
    s
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'auth'),
  );
}

/** The audit lines once there are at least `count` (a worker writes them at the end of its turn). */
async function auditsAtLeast(servers: Server[], count: number): Promise<Record<string, unknown>[]> {
  let lines = audits(servers);
  for (let i = 0; i < 200 && lines.length < count; i++) {
    await delay(50);
    lines = audits(servers);
  }
  return lines;
}

/** One request from its own socket (so the kernel spreads them over the workers), from a station, with a NAS-Identifier naming it in the audit. */
async function login(port: number, password: string, station: string, identifier = 1, name = 'nas'): Promise<number | undefined> {
  const client = new RadiusClient('127.0.0.1', port);
  try {
    const attributes = [rawAttribute(ATTR.CallingStationId, Buffer.from(station)), rawAttribute(ATTR.NasIdentifier, Buffer.from(name))];
    const request = buildRequest({ identifier, secret: SECRET, userName: 'alice', password, attributes });
    return (await client.send(request, SECRET, 10_000))?.packet.code;
  } finally {
    client.close();
  }
}

/**
 * 200 wrong OTPs after the right PIN and the right OTP as request 100, all at
 * once from 201 sockets spread over `ports`; then what the audit and the
 * store say.
 */
async function burst(ports: number[], servers: Server[], store: () => Promise<KeyedTokenStore>, station: (i: number) => string): Promise<void> {
  const right = hotp(SEED, 0);
  const wrongs = Array.from({ length: 201 }, (_, i) => String(100000 + i)).filter((c) => c !== right);
  const passwords = [...wrongs.slice(0, 99), right, ...wrongs.slice(99, 200)].map((otp) => `1234${otp}`);
  const codes = await Promise.all(passwords.map((p, i) => login(ports[i % ports.length]!, p, station(i), i % 256, `request-${i}`)));
  assert.equal(codes.filter((c) => c === undefined).length, 0, 'every request answered');
  assert.equal(codes.filter((c) => c === CODE.AccessAccept).length, 0, 'no accept once the lock is in reach');
  const lines = await auditsAtLeast(servers, passwords.length);
  const judged = lines.filter((l) => String(l.reason).startsWith('wrong otp'));
  assert.ok(judged.length <= MAX_FAIL, `at most max fail judged, got ${judged.length}`);
  const t = (await (await store()).getToken('BURST'))!;
  assert.ok(t.failCount <= MAX_FAIL, `fail count ${t.failCount} never above max fail`);
  assert.equal(t.locked, true);
  assert.equal(t.successCount, 0);
  const theRightOne = lines.find((l) => l.nasIdentifier === 'request-99');
  assert.ok(theRightOne, 'the right one was audited');
  assert.match(String(theRightOne.reason), /^(locked|throttled)$/, 'refused without its OTP being judged');
}

describe('a burst against one token: serve --workers 2 on SQLite', () => {
  let dir: string;
  let port: number;
  let server: Server;
  let config: string;
  let store: KeyedTokenStore | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-lockout-'));
    port = await freeUdpPort();
    config = await writeStackConfig(dir, port, `tokens: { maxFail: ${MAX_FAIL} }`);
    const s = await openStore(loadConfig(config).config.store);
    await s.createToken(buildToken({ type: 'hotp', seed: SEED, serial: 'BURST', owner: OWNER, pinHash: await s.pins.hash('1234') }, DEFAULT_TOKENS).token);
    await s.close();
    server = await spawnServe(config);
  });
  after(async () => {
    server.child.kill('SIGKILL');
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('200 wrong OTPs with the right PIN and the right OTP among them, each from its own station: no more than max fail judged, the right one locked', async () => {
    const open = async (): Promise<KeyedTokenStore> => (store ??= await openStore(loadConfig(config).config.store));
    await burst([port], [server], open, (i) => `station-${i}`);
    const t = (await open()).getToken('BURST');
    assert.equal((await t)!.failCount, MAX_FAIL, 'exactly max fail: the lock holds across both workers');
  });
});

describe('a burst against one token: two servers on one PostgreSQL, and the throttle on', () => {
  let pg: PostgresCluster;
  let dir: string;
  const servers: Server[] = [];
  const ports: number[] = [];
  let config: string;
  let store: KeyedTokenStore | undefined;
  before(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('lockout');
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-lockout-pg-'));
    const storeYaml = `store:\n  postgres: { url: "${url}" }\n  keyFile: ${join(dir, 'shared.key')}\n`;
    for (let i = 0; i < 2; i++) {
      const port = await freeUdpPort();
      config = await writeStackConfig(dir, port, `tokens: { maxFail: ${MAX_FAIL} }`);
      await writeFile(config, (await readFile(config, 'utf8')).replace(/store:\n {2}sqlite: .*\n {2}keyFile: .*\n/, storeYaml));
      if (i === 0) {
        const s = await openStore(loadConfig(config).config.store);
        await s.createToken(buildToken({ type: 'hotp', seed: SEED, serial: 'BURST', owner: OWNER, pinHash: await s.pins.hash('1234') }, DEFAULT_TOKENS).token);
        await s.close();
      }
      servers.push(await spawnServe(config));
      ports.push(port);
    }
  });
  after(async () => {
    for (const s of servers) s.child.kill('SIGKILL');
    await store?.close();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the same burst from one station, split over both servers: no accept, at most max fail judged, the fail count at most max fail', async () => {
    await burst(
      ports,
      servers,
      async () => (store ??= await openStore(loadConfig(config).config.store)),
      () => 'one-station',
    );
    const reasons = new Set(audits(servers).map((l) => l.reason));
    assert.ok(reasons.has('throttled'), 'a burst from one station is mostly throttled');
  });
});

describe('the throttle: wrong PINs from one station do not stop the user at another, and it clears by itself', () => {
  let dir: string;
  let port: number;
  let server: Server;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-throttle-'));
    port = await freeUdpPort();
    const config = await writeStackConfig(dir, port, 'policy:\n  throttle: { freeAttempts: 3, firstDelaySeconds: 5, maxDelaySeconds: 5, resetAfterSeconds: 60 }');
    const s = await openStore(loadConfig(config).config.store);
    await s.createToken(buildToken({ type: 'hotp', seed: SEED, serial: 'USER', owner: OWNER, pinHash: await s.pins.hash('1234') }, DEFAULT_TOKENS).token);
    await s.close();
    server = await spawnServe(config);
  });
  after(async () => {
    server.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('30 wrong PINs from one station; the real user from another logs in; the attacker station is throttled, then judged again after the delay', async () => {
    for (let i = 0; i < 30; i++) assert.equal(await login(port, `0000${hotp(SEED, 0)}`, 'attacker', i), CODE.AccessReject);
    const attackerReasons = (await auditsAtLeast([server], 30)).filter((l) => l.callingStationId === 'attacker').map((l) => l.reason);
    assert.equal(attackerReasons.filter((r) => r === 'wrong pin').length <= 4, true, attackerReasons.join(','));
    assert.ok(attackerReasons.filter((r) => r === 'throttled').length >= 26);
    assert.equal(await login(port, `1234${hotp(SEED, 0)}`, 'the-real-user'), CODE.AccessAccept, 'the real user is not affected');
    // The delay runs from the last counted failure: 5 s leaves a loaded machine time for the 31 logins before this one.
    assert.equal(await login(port, `1234${hotp(SEED, 1)}`, 'attacker'), CODE.AccessReject, 'even the right password waits at the throttled station');
    await delay(5300);
    assert.equal(await login(port, `1234${hotp(SEED, 1)}`, 'attacker'), CODE.AccessAccept, 'after the delay it is judged again, and a success clears it');
    for (let i = 0; i < 3; i++) assert.equal(await login(port, `0000${hotp(SEED, 2)}`, 'attacker', 100 + i), CODE.AccessReject);
    const last = (await auditsAtLeast([server], 36))
      .filter((l) => l.callingStationId === 'attacker')
      .slice(-3)
      .map((l) => l.reason);
    assert.deepEqual(last, ['wrong pin', 'wrong pin', 'wrong pin'], 'the success cleared the count: three free attempts again');
  });
});
