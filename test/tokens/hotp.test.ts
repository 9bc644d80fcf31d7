import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tokenKind } from '../../src/tokens/index.ts';
import { token } from './fixtures.ts';

// RFC 4226 appendix D, counters 0..9.
const RFC = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
const hotp = tokenKind('hotp');

test('hotp: accepts within the window ahead of the counter, not beyond', () => {
  assert.deepEqual(hotp.checkOtp(token(), RFC[0]!, 0), { kind: 'match', counter: 0 });
  assert.deepEqual(hotp.checkOtp(token({ window: 5 }), RFC[4]!, 0), { kind: 'match', counter: 4 });
  assert.deepEqual(hotp.checkOtp(token({ window: 5 }), RFC[5]!, 0), { kind: 'none' });
});

test('hotp: an OTP below the counter is a replay, an unknown one is none', () => {
  assert.deepEqual(hotp.checkOtp(token({ counter: 4 }), RFC[3]!, 0), { kind: 'replay', counter: 3 });
  assert.deepEqual(hotp.checkOtp(token({ counter: 4 }), RFC[4]!, 0), { kind: 'match', counter: 4 });
  assert.deepEqual(hotp.checkOtp(token(), '000000', 0), { kind: 'none' });
  assert.deepEqual(hotp.checkOtp(token(), '75522', 0), { kind: 'none' }, 'a shorter OTP never matches');
});

test('hotp: sync window search starts where the window ends', () => {
  const t = token({ window: 3, syncWindow: 8 });
  assert.equal(hotp.searchSyncWindow(t, RFC[2]!, 0), undefined, 'inside the window is not a sync case');
  assert.deepEqual(hotp.searchSyncWindow(t, RFC[5]!, 0), { counter: 5 });
  assert.equal(hotp.searchSyncWindow(t, RFC[9]!, 0), undefined, 'beyond the sync window');
});

test('hotp: the second OTP of a pair must directly follow the first', () => {
  assert.equal(hotp.followsSyncState(token({ syncCounter: 50, syncAt: 0 }), { counter: 51 }, 10), true);
  assert.equal(hotp.followsSyncState(token({ syncCounter: 50, syncAt: 0 }), { counter: 52 }, 10), false);
  assert.equal(hotp.followsSyncState(token({ syncCounter: 50, syncAt: 0 }), { counter: 50 }, 10), false);
  assert.equal(hotp.followsSyncState(token(), { counter: 1 }, 10), false);
});

test('hotp: resync finds two consecutive OTPs and answers the second one’s counter', () => {
  assert.deepEqual(hotp.resync(token({ window: 2 }), RFC[6]!, RFC[7]!, 0), { counter: 7 });
  assert.equal(hotp.resync(token({ window: 2 }), RFC[6]!, RFC[8]!, 0), undefined, 'not consecutive');
  assert.equal(hotp.resync(token({ counter: 8 }), RFC[6]!, RFC[7]!, 0), undefined, 'already used');
});

test('hotp: 8-digit and SHA256 tokens use their own length and hash', () => {
  const t = token({ otpLength: 8, algorithm: 'sha256', seed: Buffer.from('12345678901234567890123456789012', 'ascii') });
  // RFC 6238 appendix B: SHA256 at T=59 s is counter 1.
  assert.deepEqual(hotp.checkOtp(t, '46119246', 0), { kind: 'match', counter: 1 });
});
