import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totp } from '../../src/otp/totp.ts';
import { tokenKind } from '../../src/tokens/index.ts';
import { RFC_SEED, token } from './fixtures.ts';

const kind = tokenKind('totp');
const NOW = 1_700_000_010; // step 56666667 (30 s)
const STEP = Math.floor(NOW / 30);
const code = (step: number) => totp(RFC_SEED, step * 30);
const t = (over = {}) => token({ type: 'totp', window: 180, syncWindow: 40, ...over });

test('totp: the current code and codes within window seconds either side match, with their drift', () => {
  assert.deepEqual(kind.checkOtp(t(), code(STEP), NOW), { kind: 'match', counter: STEP, drift: 0 });
  assert.deepEqual(kind.checkOtp(t(), code(STEP - 2), NOW), { kind: 'match', counter: STEP - 2, drift: -60 });
  assert.deepEqual(kind.checkOtp(t(), code(STEP + 6), NOW), { kind: 'match', counter: STEP + 6, drift: 180 });
  assert.deepEqual(kind.checkOtp(t(), code(STEP - 7), NOW), { kind: 'none' });
  assert.deepEqual(kind.checkOtp(t({ window: 30 }), code(STEP - 2), NOW), { kind: 'none' });
});

test('totp: a step at or before the last accepted one is a replay', () => {
  assert.deepEqual(kind.checkOtp(t({ counter: STEP + 1 }), code(STEP), NOW), { kind: 'replay', counter: STEP });
  assert.deepEqual(kind.checkOtp(t({ counter: STEP + 1 }), code(STEP + 1), NOW), { kind: 'match', counter: STEP + 1, drift: 30 });
});

test('totp: the learned drift moves the window', () => {
  // A token 10 minutes fast: with drift 600 its code 20 steps ahead is in the window.
  assert.deepEqual(kind.checkOtp(t(), code(STEP + 20), NOW), { kind: 'none' });
  assert.deepEqual(kind.checkOtp(t({ drift: 600 }), code(STEP + 20), NOW), { kind: 'match', counter: STEP + 20, drift: 600 });
});

test('totp: sync window search skips the normal window and answers the drift', () => {
  assert.equal(kind.searchSyncWindow(t(), code(STEP + 3), NOW), undefined);
  assert.deepEqual(kind.searchSyncWindow(t(), code(STEP + 20), NOW), { counter: STEP + 20, drift: 600 });
  assert.deepEqual(kind.searchSyncWindow(t(), code(STEP - 20), NOW), { counter: STEP - 20, drift: -600 });
  assert.equal(kind.searchSyncWindow(t(), code(STEP + 41), NOW), undefined);
});

test('totp: a sync pair shows the same clock offset, however long the user waited', () => {
  const first = t({ syncCounter: STEP + 20, syncAt: NOW });
  assert.equal(kind.followsSyncState(first, { counter: STEP + 21 }, NOW + 30), true);
  assert.equal(kind.followsSyncState(first, { counter: STEP + 23 }, NOW + 90), true, 'next code read 90 s later');
  assert.equal(kind.followsSyncState(first, { counter: STEP + 20 }, NOW + 5), false, 'the same code twice');
  assert.equal(kind.followsSyncState(first, { counter: STEP + 30 }, NOW + 30), false, 'another offset');
});

test('totp: resync from two consecutive codes', () => {
  assert.deepEqual(kind.resync(t(), code(STEP + 30), code(STEP + 31), NOW), { counter: STEP + 31, drift: 930 });
  assert.equal(kind.resync(t(), code(STEP + 30), code(STEP + 32), NOW), undefined);
});

test('totp: other time steps and 8 digits', () => {
  const seed = Buffer.from('12345678901234567890123456789012', 'ascii');
  const tok = t({ seed, algorithm: 'sha256', otpLength: 8, timeStep: 60, window: 120 });
  const step = Math.floor(NOW / 60);
  const c = totp(seed, (step - 1) * 60, { digits: 8, algorithm: 'sha256', period: 60 });
  assert.deepEqual(kind.checkOtp(tok, c, NOW), { kind: 'match', counter: step - 1, drift: -60 });
});

test('totp: tokens that share a seed Buffer but not the hash each get their own codes', () => {
  const sha256Code = totp(RFC_SEED, STEP * 30, { algorithm: 'sha256' });
  assert.notEqual(sha256Code, code(STEP));
  assert.deepEqual(kind.checkOtp(t(), code(STEP), NOW), { kind: 'match', counter: STEP, drift: 0 });
  assert.deepEqual(kind.checkOtp(t({ algorithm: 'sha256' }), sha256Code, NOW), { kind: 'match', counter: STEP, drift: 0 });
  assert.deepEqual(kind.checkOtp(t({ algorithm: 'sha256' }), code(STEP), NOW), { kind: 'none' });
  assert.deepEqual(kind.checkOtp(t(), code(STEP), NOW), { kind: 'match', counter: STEP, drift: 0 });
});
