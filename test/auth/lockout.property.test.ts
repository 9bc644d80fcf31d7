// The lock and the throttle as state machines, over random sequences of
// logins (fast-check): the fail counter never passes max fail, a locked
// token accepts nothing until it is reset, a success never leaves a token
// locked, wrong PINs never touch the token, and the throttle's delay grows
// with the failures, stays within its bounds and clears by itself.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { pino } from 'pino';
import { createAuthContext, type UserDirectory } from '../../src/auth/context.ts';
import { AuthService } from '../../src/auth/service.ts';
import { attemptsAllowed, delayAfter, throttledUntil } from '../../src/auth/throttle.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { DEFAULT_POLICY, DEFAULT_THROTTLE, type ThrottlePolicy } from '../../src/model/policy.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { openSqliteStore } from '../../src/store/index.ts';
import type { User } from '../../src/users/types.ts';
import { newToken, SEED } from '../store/helpers.ts';

const policyArb: fc.Arbitrary<ThrottlePolicy> = fc
  .record({ freeAttempts: fc.integer({ min: 1, max: 10 }), firstDelaySeconds: fc.integer({ min: 1, max: 60 }), maxDelaySeconds: fc.integer({ min: 1, max: 3600 }) })
  .filter((p) => p.maxDelaySeconds >= p.firstDelaySeconds)
  .chain((p) => fc.integer({ min: p.maxDelaySeconds, max: 86400 }).map((resetAfterSeconds) => ({ ...p, resetAfterSeconds })));

test('throttle: no delay while free attempts are left, then one that doubles up to the maximum', () => {
  fc.assert(
    fc.property(policyArb, fc.integer({ min: 0, max: 200 }), (policy, failures) => {
      const d = delayAfter(failures, policy);
      if (failures < policy.freeAttempts) assert.equal(d, 0);
      else assert.ok(d >= policy.firstDelaySeconds && d <= policy.maxDelaySeconds, `delay ${d}`);
      assert.ok(delayAfter(failures + 1, policy) >= d, 'never shorter after one more failure');
    }),
  );
});

test('throttle: an attempt is judged exactly when the delay has passed, and the state is forgotten after resetAfterSeconds', () => {
  fc.assert(
    fc.property(policyArb, fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 200_000 }), (policy, failures, elapsed) => {
      const state = { failures, lastFailure: 1_000_000, refused: 0 };
      const now = state.lastFailure + elapsed;
      const until = throttledUntil(state, policy, now);
      const allowed = attemptsAllowed(state, policy, now);
      if (elapsed >= policy.resetAfterSeconds) {
        assert.equal(until, undefined);
        assert.equal(allowed, policy.freeAttempts, 'forgotten: all free attempts again');
      } else if (failures < policy.freeAttempts) {
        assert.equal(allowed, policy.freeAttempts - failures);
      } else {
        assert.equal(until === undefined, elapsed >= delayAfter(failures, policy));
        assert.equal(allowed, until === undefined ? 1 : 0);
      }
    }),
  );
});

const ALICE: User = { resolver: 'local', id: '1', login: 'alice', groups: [], attributes: {} };
const directory: UserDirectory = {
  defaultRealm: 'default',
  names: ['default'],
  hasRealm: (r) => r === 'default',
  findUser: async (_r, login) => (login === 'alice' ? ALICE : undefined),
  listUsers: async () => [ALICE],
  checkPassword: async () => false,
};

type Step = { kind: 'rightOtp' } | { kind: 'wrongOtp' } | { kind: 'wrongPin' } | { kind: 'replay' } | { kind: 'reset' } | { kind: 'wait'; seconds: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'rightOtp' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'wrongOtp' } as const), weight: 4 },
  { arbitrary: fc.constant({ kind: 'wrongPin' } as const), weight: 3 },
  { arbitrary: fc.constant({ kind: 'replay' } as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'reset' } as const), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 4000 }).map((seconds) => ({ kind: 'wait', seconds }) as const), weight: 1 },
);

test('the lock over random sequences of logins: never past max fail, nothing accepted while locked, a success never leaves it locked, wrong PINs never counted on it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (maxFail, steps) => {
      const store = await openSqliteStore({ path: ':memory:', keys: { seedKey: Buffer.alloc(32, 1), pepper: Buffer.alloc(32, 2) }, pinParams: { ln: 4, r: 8, p: 1 } });
      try {
        const clock = { now: 1_800_000_000 };
        const service = new AuthService(
          createAuthContext({
            store,
            users: directory,
            pins: store.pins,
            policy: { ...DEFAULT_POLICY, challengeResponse: [], throttle: DEFAULT_THROTTLE },
            logger: pino({ level: 'silent' }),
            now: () => clock.now,
          }),
        );
        await store.createToken(newToken('T', { syncWindow: 20, maxFail, owner: { realm: 'default', resolver: 'local', userId: '1', login: 'alice' }, pinHash: await store.pins.hash('1234') }));
        let used = -1;
        // Each kind from its own station, so the throttle of one does not hide another's effect on the lock.
        const login = (password: string, station: string): Promise<{ decision: string; reason: string }> => {
          const request: AccessRequest = { userName: 'alice', password: Buffer.from(password), nas: { client: 't', address: '127.0.0.1' }, callingStationId: `${station}-${clock.now}` };
          return service.authenticate(request);
        };
        for (const step of steps) {
          const before = (await store.getToken('T'))!;
          if (step.kind === 'wait') {
            clock.now += step.seconds;
            continue;
          }
          if (step.kind === 'reset') {
            await store.updateToken('T', { failCount: 0, locked: false });
            continue;
          }
          // A replay needs a code accepted before.
          if (step.kind === 'replay' && used < 0) continue;
          const next = before.counter;
          const d =
            step.kind === 'rightOtp'
              ? await login(`1234${hotp(SEED, next)}`, 'right')
              : step.kind === 'wrongOtp'
                ? await login(`1234${hotp(SEED, next + 50)}`, 'wrong-otp')
                : step.kind === 'wrongPin'
                  ? await login(`9999${hotp(SEED, next)}`, 'wrong-pin')
                  : await login(`1234${hotp(SEED, used)}`, 'replay');
          const after = (await store.getToken('T'))!;
          assert.ok(after.failCount <= maxFail, `fail count ${after.failCount} over max fail ${maxFail}`);
          if (before.locked) assert.notEqual(d.decision, 'accept', 'a locked token accepted');
          if (d.decision === 'accept') {
            used = next;
            assert.equal(after.locked, false, 'a success left the token locked');
            assert.equal(after.failCount, 0);
          }
          if (step.kind === 'wrongPin' || step.kind === 'replay') assert.equal(after.failCount, before.failCount, `${step.kind} counted on the token`);
          if (step.kind === 'wrongOtp' && !before.locked) assert.equal(after.failCount, before.failCount + 1, 'a wrong OTP after the right PIN counts');
          if (after.failCount === maxFail) assert.equal(after.locked, true, 'max fail reached without the lock');
        }
      } finally {
        await store.close();
      }
    }),
    { numRuns: 60 },
  );
});
