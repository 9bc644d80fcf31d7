// A burst of PIN logins (9:00 on a Monday, one login per user) through UDP:
// every answer waits for the commit of its fail counter or counter advance,
// and that commit's fsync runs on the same libuv thread pool as the PIN
// hashes. Answers must leave as their own PIN checks finish, not all
// together once the last PIN of the burst has been hashed.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildToken } from '../../src/tokens/index.ts';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { CODE, encodeRequest, userNameAttribute } from '../../bench/packets.ts';
import { SECRET } from '../helpers/radius.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

const BURST = 64;
/** The warm-up burst and the measured one log in different users, each user once. */
const USERS = 16 + BURST;

describe('a burst of PIN logins', () => {
  let s: Stack;
  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otp-radius-burst-'));
    const usersFile = join(dir, 'many-users.yaml');
    await writeFile(usersFile, `users:\n${Array.from({ length: USERS }, (_, i) => `  - { login: u${i}, id: "${i}" }`).join('\n')}\n`);
    s = await startStack({ dir, users: `resolvers:\n  local: { type: file, path: ${usersFile} }\nrealms:\n  default: { resolvers: [local], default: true }` });
    const { store } = s.running.services;
    const pinHash = await store.pins.hash('1234');
    for (let i = 0; i < USERS; i++) {
      const owner = { realm: 'default', resolver: 'local', userId: String(i), login: `u${i}` };
      await store.createToken(buildToken({ type: 'totp', serial: `BURST-${i}`, owner, pinHash }, DEFAULT_TOKENS).token);
    }
  });
  after(async () => s.stop());

  /** Sends wrong-PIN logins of users first..first+count-1 at once; resolves to when each answer came, in ms after the send, in arrival order. */
  async function burst(first: number, count: number): Promise<number[]> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const answeredAt: number[] = [];
    const codes = new Set<number>();
    const all = new Promise<void>((resolve) =>
      socket.on('message', (msg) => {
        answeredAt.push(performance.now());
        codes.add(msg[0]!);
        if (answeredAt.length === count) resolve();
      }),
    );
    const start = performance.now();
    for (let id = 0; id < count; id++) {
      // A wrong PIN: its scrypts, then a throttle commit before the reject.
      const userName = userNameAttribute(`u${first + id}`);
      const packet = encodeRequest({ code: CODE.AccessRequest, identifier: id, authenticator: randomBytes(16), userName, password: '9999000000', messageAuthenticator: true }, SECRET);
      socket.send(packet, s.port, '127.0.0.1');
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([all, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${answeredAt.length} of ${count} answers after 20 s`)), 20_000)))]);
    } finally {
      clearTimeout(timer);
      socket.close();
    }
    assert.deepEqual([...codes], [CODE.AccessReject]);
    return answeredAt.map((t) => t - start);
  }

  test('answers leave as their PIN checks finish, not all at the end of the burst', async (t) => {
    // A first burst warms the server up, so that reading the measured one takes little next to hashing its PINs.
    await burst(0, 16);
    const times = await burst(16, BURST);
    const first = times[0]!;
    const middle = times[BURST / 2]!;
    const last = times[BURST - 1]!;
    const shown = `answers after ${first.toFixed(1)} (first), ${middle.toFixed(1)} (half) and ${last.toFixed(1)} ms (last)`;
    t.diagnostic(shown);
    // Behind the burst's PIN hashes in one queue, the first fsync ran only
    // after nearly all of them, and every answer left with the last one.
    // Measured before the fix: first, half and last within 1-4% of each other.
    assert.ok(first < last / 2, shown);
    assert.ok(middle < last * 0.85, shown);
    assert.equal(s.audits().filter((a) => a.reason === 'wrong pin').length, USERS);
  });
});
