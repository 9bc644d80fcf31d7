// E-mail, SMS and static password token kinds, and their enrollment: the
// sent code answers only at the counter (RFC 4226 vectors as the codes), a
// static password matches any counter with no OTP, and enrollment refuses
// options that do not apply.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_TOKENS } from '../../src/model/token-defaults.ts';
import { buildToken, hasProvisioningUri, provisioningUri, tokenKind, TokenTypeError } from '../../src/tokens/index.ts';
import { token } from './fixtures.ts';

// RFC 4226 appendix D, counters 0..5.
const RFC4226 = ['755224', '287082', '359152', '969429', '338314', '254676'];

describe('e-mail and SMS tokens', () => {
  for (const type of ['email', 'sms'] as const) {
    test(`${type}: the code at the counter is the one sent; the one before it is a replay; no PIN+OTP, no sync`, () => {
      const kind = tokenKind(type);
      const t = token({ type, counter: 3 });
      assert.equal(kind.delivery?.channel, type);
      assert.equal(kind.delivery!.codeAt(t, 3), RFC4226[3]);
      assert.deepEqual(kind.challenge!.checkResponse(t, '', RFC4226[3]!, 0), { kind: 'match', counter: 3 });
      assert.deepEqual(kind.challenge!.checkResponse(t, '', RFC4226[2]!, 0), { kind: 'replay', counter: 2 });
      assert.deepEqual(kind.challenge!.checkResponse(t, '', RFC4226[4]!, 0), { kind: 'none' }, 'no look-ahead: a code not sent yet');
      assert.deepEqual(kind.challenge!.checkResponse(t, '', `${RFC4226[3]}0`, 0), { kind: 'none' });
      assert.deepEqual(kind.challenge!.checkResponse(token({ type, counter: 0 }), '', RFC4226[0]!, 0), { kind: 'match', counter: 0 });
      assert.deepEqual(kind.checkOtp(t, RFC4226[3]!, 0), { kind: 'none' }, 'a code answers only its challenge');
      assert.equal(kind.searchSyncWindow(t, RFC4226[4]!, 0), undefined);
      assert.throws(() => kind.resync(t, RFC4226[3]!, RFC4226[4]!, 0), TokenTypeError);
      assert.equal(kind.delivery!.codeAt(token({ type, otpLength: 8 }), 0), '84755224', "the token's length");
    });
  }
});

describe('static password tokens', () => {
  test('no OTP: an empty OTP part matches the current counter, anything else nothing; no challenge, no sync', () => {
    const kind = tokenKind('spass');
    const t = token({ type: 'spass', counter: 41 });
    assert.equal(kind.pinOnly, true);
    assert.deepEqual(kind.checkOtp(t, '', 0), { kind: 'match', counter: 41 });
    assert.deepEqual(kind.checkOtp(t, '123456', 0), { kind: 'none' });
    assert.equal(kind.challenge, undefined);
    assert.equal(kind.delivery, undefined);
    assert.throws(() => kind.resync(t, '1', '2', 0), /nothing to resynchronise/);
  });
});

describe('enrollment of e-mail, SMS and static password tokens', () => {
  test('a random seed, the configured length, the destination in token info, no provisioning URI', () => {
    const e = buildToken({ type: 'email', email: 'alice@example.org' }, { ...DEFAULT_TOKENS, email: { otpLength: 8 } }).token;
    assert.deepEqual([e.type, e.otpLength, e.algorithm, e.window, e.syncWindow, e.counter, e.info], ['email', 8, 'sha1', 1, 0, 0, { email: 'alice@example.org' }]);
    assert.equal(e.seed.length, 20);
    assert.match(e.serial, /^EMAIL[0-9A-F]{8}$/);
    const s = buildToken({ type: 'sms', digits: 7 }, DEFAULT_TOKENS).token;
    assert.deepEqual([s.otpLength, s.info], [7, undefined], "without --phone: the directory's number at each login");
    const p = buildToken({ type: 'spass', pinHash: 'h' }, DEFAULT_TOKENS).token;
    assert.deepEqual([p.type, p.pinHash, p.window], ['spass', 'h', 0]);
    for (const type of ['email', 'sms', 'spass'] as const) {
      assert.equal(hasProvisioningUri(type), false);
      assert.throws(() => provisioningUri(token({ type }), 'alice', 'x'), /have no provisioning URI: their seed stays on the server/);
    }
    assert.equal(hasProvisioningUri('totp'), true);
  });

  test('options of other types are refused by name', () => {
    const cases: [Parameters<typeof buildToken>[0], RegExp][] = [
      [{ type: 'email', seed: Buffer.alloc(20) }, /--seed: do not apply to email tokens/],
      [{ type: 'sms', period: 60 }, /--period: do not apply to sms tokens/],
      [{ type: 'sms', email: 'a@example.org' }, /--email: applies to e-mail tokens only, not sms/],
      [{ type: 'totp', phone: '+4915112345689' }, /--phone: applies to SMS tokens only, not totp/],
      [{ type: 'spass', digits: 8 }, /--digits: do not apply to static password tokens/],
      [{ type: 'email', digits: 5 }, /digits: expected 6, 7 or 8, got 5/],
    ];
    for (const [options, message] of cases) assert.throws(() => buildToken(options, DEFAULT_TOKENS), message);
  });
});
