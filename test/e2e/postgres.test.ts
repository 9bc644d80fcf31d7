// Several servers on one PostgreSQL (issue 7): two `serve` processes share a
// store; an OTP raced across both is accepted once, and a challenge opened
// on one is answered on the other.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { loadConfig } from '../../src/config/load.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { buildRequest, RadiusClient, responseAttributes } from '../../src/radius/client.ts';
import { ATTR, CODE } from '../../src/radius/packet.ts';
import { openStore } from '../../src/store/index.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { freeUdpPort, SECRET } from '../helpers/radius.ts';
import { spawnServe, writeStackConfig } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');

describe('two servers, one PostgreSQL', () => {
  let pg: PostgresCluster;
  let dir: string;
  const servers: Awaited<ReturnType<typeof spawnServe>>[] = [];
  const ports: number[] = [];
  const configs: string[] = [];
  before(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('otp');
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-pg-'));
    const storeYaml = `store:\n  postgres: { url: "${url}" }\n  keyFile: ${join(dir, 'shared.key')}\n`;
    for (let i = 0; i < 2; i++) {
      const port = await freeUdpPort();
      const config = await writeStackConfig(dir, port);
      // writeStackConfig writes an SQLite store section; this test swaps it for the shared PostgreSQL.
      await writeFile(config, (await readFile(config, 'utf8')).replace(/store:\n {2}sqlite: .*\n {2}keyFile: .*\n/, storeYaml));
      if (i === 0) {
        const store = await openStore(loadConfig(config).config.store);
        const owner = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
        await store.createToken(buildToken({ type: 'hotp', seed: SEED, serial: 'PG-1', owner, pinHash: await store.pins.hash('1234') }, DEFAULT_TOKENS).token);
        await store.close();
      }
      servers.push(await spawnServe(config));
      configs.push(config);
      ports.push(port);
    }
  });
  after(async () => {
    for (const s of servers) s.child.kill('SIGKILL');
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the same OTP raced across both servers yields exactly one accept', async () => {
    const clients = ports.map((p) => new RadiusClient('127.0.0.1', p));
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => clients[i % 2]!.send(buildRequest({ identifier: i, secret: SECRET, userName: 'alice', password: `1234${hotp(SEED, 0)}` }), SECRET, 5000)),
      );
      const codes = answers.map((a) => a?.packet.code);
      assert.equal(codes.filter((c) => c === CODE.AccessAccept).length, 1, codes.join(','));
      assert.equal(codes.filter((c) => c === CODE.AccessReject).length, 39);
    } finally {
      for (const c of clients) c.close();
    }
  });

  test('a challenge created on one server is answered on the other', async () => {
    const a = new RadiusClient('127.0.0.1', ports[0]!);
    const b = new RadiusClient('127.0.0.1', ports[1]!);
    try {
      // The 39 replays above did not lock the token, but they throttle alice from this NAS: clear that first.
      const store = await openStore(loadConfig(configs[0]!).config.store);
      assert.equal((await store.getToken('PG-1'))!.locked, false);
      assert.ok((await store.clearUserThrottles('default', 'alice')) >= 1);
      await store.close();
      const challenge = await a.send(buildRequest({ identifier: 1, secret: SECRET, userName: 'alice', password: '1234' }), SECRET, 5000);
      assert.equal(challenge?.packet.code, CODE.AccessChallenge);
      const state = responseAttributes(challenge!.packet, ATTR.State)[0]!;
      const answer = await b.send(buildRequest({ identifier: 2, secret: SECRET, userName: 'alice', password: hotp(SEED, 1), state }), SECRET, 5000);
      assert.equal(answer?.packet.code, CODE.AccessAccept);
    } finally {
      a.close();
      b.close();
    }
  });
});
