// "An OTP is accepted once": the same valid OTP raced 50 times from two
// clients, and a retransmission of an accepted request.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totp } from '../../src/otp/totp.ts';
import { buildRequest, RadiusClient } from '../../src/radius/client.ts';
import { CODE } from '../../src/radius/packet.ts';
import { buildToken } from '../../src/tokens/index.ts';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { SECRET } from '../helpers/radius.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const SEED = Buffer.from('12345678901234567890', 'ascii');

describe('one accept per OTP', () => {
  let s: Stack;
  before(async () => {
    s = await startStack();
    const { store } = s.running.services;
    const owner = { realm: 'default', resolver: 'local', userId: '1001', login: 'alice' };
    await store.createToken(buildToken({ type: 'totp', seed: SEED, serial: 'RACE', owner, pinHash: await store.pins.hash('1234') }, DEFAULT_TOKENS).token);
  });
  after(async () => s.stop());

  test('the same OTP sent 50 times at once from two clients yields exactly one Access-Accept', async () => {
    const code = totp(SEED, Date.now() / 1000);
    const clients = [new RadiusClient('127.0.0.1', s.port), new RadiusClient('127.0.0.1', s.port)];
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const request = buildRequest({ identifier: i, secret: SECRET, userName: 'alice', password: `1234${code}` });
          return clients[i % 2]!.send(request, SECRET, 5000);
        }),
      );
      const codes = answers.map((a) => a?.packet.code);
      assert.equal(codes.filter((c) => c === undefined).length, 0, 'every request answered');
      assert.equal(codes.filter((c) => c === CODE.AccessAccept).length, 1);
      assert.equal(codes.filter((c) => c === CODE.AccessReject).length, 49);
      const reasons = s.audits().map((a) => a.reason);
      assert.equal(reasons.filter((r) => r === 'ok').length, 1);
      // From one NAS with no Calling-Station-Id the burst is one source: the throttle lets the free attempts through.
      assert.ok(reasons.filter((r) => r === 'replay').length >= 1);
      assert.equal(reasons.filter((r) => r === 'replay' || r === 'throttled').length, 49, reasons.join(','));
    } finally {
      for (const c of clients) c.close();
    }
  });

  test('a retransmitted accepted request gets the cached Accept, not a replay reject', async () => {
    // Replays do not count toward the lock (they went to the throttle of that NAS, cleared here for the next test).
    const raced = (await s.running.services.store.getToken('RACE'))!;
    assert.deepEqual([raced.locked, raced.failCount], [false, 0]);
    await s.running.services.store.clearUserThrottles('default', 'alice');
    const client = new RadiusClient('127.0.0.1', s.port);
    try {
      const code = totp(SEED, Date.now() / 1000 + 30);
      const request = buildRequest({ identifier: 77, secret: SECRET, userName: 'alice', password: `1234${code}` });
      const before = s.audits().length;
      const first = await client.send(request, SECRET, 3000);
      assert.equal(first?.packet.code, CODE.AccessAccept);
      const again = await client.send(request, SECRET, 3000);
      assert.equal(again?.packet.code, CODE.AccessAccept);
      assert.deepEqual(again!.bytes, first!.bytes, 'byte-identical answer');
      assert.equal(s.audits().length - before, 1, 'authentication ran once');
    } finally {
      client.close();
    }
  });
});
