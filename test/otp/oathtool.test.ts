// Agreement with an independent implementation: OATH Toolkit's oathtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { hotp } from '../../src/otp/hotp.ts';
import { totp } from '../../src/otp/totp.ts';
import type { OtpAlgorithm } from '../../src/otp/algorithm.ts';

const CASES = 60;

/** Runs oathtool, or fails with what to install: a missing tool must never pass silently. */
function oathtool(args: string[], binary = 'oathtool'): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${binary} not found: install Debian's 'oathtool' package (apt-get install oathtool); CI installs it`);
    }
    throw err;
  }
}

test('a missing oathtool fails with an install hint', () => {
  assert.throws(() => oathtool(['--version'], '/nonexistent/oathtool'), /install Debian's 'oathtool' package/);
});

test('oathtool is installed', () => {
  assert.match(oathtool(['--version']), /oathtool \(OATH Toolkit\)/);
});

test(`HOTP agrees with oathtool --hotp on ${CASES} random seeds, counters and digits`, () => {
  for (let i = 0; i < CASES; i++) {
    const seed = randomBytes(randomInt(10, 65));
    // Small counters, counters near 2^32 and 2^53, and full 64-bit counters.
    const counter = [BigInt(randomInt(0, 1000)), BigInt(2 ** 32 + randomInt(-5, 5)), BigInt(randomInt(0, 2 ** 48 - 1)) << 5n, randomBytes(8).readBigUInt64BE()][i % 4]!;
    const digits = 6 + (i % 3); // oathtool supports 6, 7 and 8
    const expected = oathtool(['--hotp', '-c', counter.toString(), '-d', String(digits), seed.toString('hex')]);
    assert.equal(hotp(seed, counter, digits), expected, `seed ${seed.toString('hex')} counter ${counter} digits ${digits}`);
  }
});

test(`TOTP agrees with oathtool --totp on ${CASES} random seeds, times, periods, digits and sha1/sha256/sha512`, () => {
  const algorithms: OtpAlgorithm[] = ['sha1', 'sha256', 'sha512'];
  const periods = [30, 60, 15, 1, 45, 90, 120];
  for (let i = 0; i < CASES; i++) {
    const algorithm = algorithms[i % 3]!;
    const seed = randomBytes(randomInt(10, 65));
    const digits = 6 + (Math.floor(i / 3) % 3);
    const period = periods[i % periods.length]!;
    // Times up to year ~2242, past 2038 and past 2^32 seconds.
    const time = randomInt(0, 2 ** 33);
    const t0 = i % 5 === 0 ? randomInt(0, time + 1) : 0;
    const args = [`--totp=${algorithm.toUpperCase()}`, '-d', String(digits), '-s', `${period}s`, '-N', `@${time}`];
    if (t0 !== 0) args.push('-S', `@${t0}`);
    const expected = oathtool([...args, seed.toString('hex')]);
    const context = `${algorithm} seed ${seed.toString('hex')} time ${time} t0 ${t0} period ${period} digits ${digits}`;
    assert.equal(totp(seed, time, { algorithm, digits, period, t0 }), expected, context);
  }
});
