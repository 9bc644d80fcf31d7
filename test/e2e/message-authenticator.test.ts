// requireMessageAuthenticator: auto is learned once for the whole server:
// after one signed request, every worker drops unsigned ones, and so does
// the next start (issue 20).

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { freeUdpPort, SECRET } from '../helpers/radius.ts';
import { spawnServe, writeStackConfig } from '../helpers/stack.ts';

/** One request from a fresh socket (any worker may take it): the answer's code, or undefined when dropped. */
async function ask(port: number, signed: boolean, identifier: number): Promise<number | undefined> {
  const client = new RadiusClient('127.0.0.1', port);
  try {
    return (await client.send(buildRequest({ identifier, secret: SECRET, userName: 'nobody', password: 'x', messageAuthenticator: signed }), SECRET, 1500))?.packet.code;
  } finally {
    client.close();
  }
}

describe('requireMessageAuthenticator: auto across workers and restarts', () => {
  let dir: string;
  let port: number;
  let config: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-auto-'));
    port = await freeUdpPort();
    config = await writeStackConfig(dir, port, 'policy: { throttle: false }');
    await writeFile(config, (await readFile(config, 'utf8')).replace('requireMessageAuthenticator: false', 'requireMessageAuthenticator: auto'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('unsigned requests are answered until one signed request; then none on any worker, and none after a restart', async () => {
    let server = await spawnServe(config);
    try {
      const before = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(port, false, i)));
      assert.deepEqual(before, Array(10).fill(CODE.AccessReject), 'not learned yet: unsigned requests are answered');
      assert.equal(await ask(port, true, 50), CODE.AccessReject);
      // The learning worker tells the others through the supervisor.
      await new Promise((r) => setTimeout(r, 200));
      const unsigned = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(port, false, 100 + i)));
      assert.deepEqual(unsigned, Array(20).fill(undefined), 'every worker drops them now');
      const workers = new Set(
        server
          .output()
          .split('\n')
          .filter((l) => l.includes('"reason":"missing-message-authenticator"'))
          .map((l) => (JSON.parse(l) as { worker: number }).worker),
      );
      assert.deepEqual(workers, new Set([1, 2]), 'both workers dropped one');
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
    }
    server = await spawnServe(config);
    try {
      const afterRestart = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(port, false, 200 + i)));
      assert.deepEqual(afterRestart, Array(10).fill(undefined), 'kept across the restart');
      assert.equal(await ask(port, true, 250), CODE.AccessReject, 'signed requests are still answered');
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
