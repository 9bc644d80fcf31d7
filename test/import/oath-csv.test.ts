// `import oath-csv`: LinOTP/privacyIDEA seed files, comments, defaults, the
// hash guessed from the key length, privacyIDEA's user columns, and bad
// lines reported by number with nothing imported.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImportError } from '../../src/import/errors.ts';
import { importFileTokens } from '../../src/import/file-import.ts';
import { parseOathCsv, splitCsvLine } from '../../src/import/oath-csv.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { dump, NOW, request, services } from './helpers.ts';

const SHA1_KEY = '3132333435363738393031323334353637383930';
const SHA256_KEY = '3132333435363738393031323334353637383930313233343536373839303132';
const SHA512_KEY = SHA256_KEY + SHA256_KEY;

const GOOD = `# serial, key, type, otplen, timestep
HOTP-1, ${SHA1_KEY}
HOTP-2, ${SHA1_KEY}, hotp, 8, 17

TOTP-1, ${SHA256_KEY}, TOTP, 8, 60
TOTP-2, ${SHA512_KEY}, totp
TOTP-3, ${SHA1_KEY}, totp, 6, 30, sha256
#commented-out, ${SHA1_KEY}
OCRA-1, ${SHA256_KEY}, ocra2, OCRA-1:HOTP-SHA256-8:C-QN08, 3
OCRA-2, ${SHA1_KEY}, OCRA
`;

describe('OATH CSV', () => {
  test('defaults, types, time steps, counters, guessed and given hashes', () => {
    const tokens = parseOathCsv(GOOD, 'seeds.csv');
    assert.deepEqual(
      tokens.map((t) => [t.where, t.serial, t.type, t.otpLength ?? null, t.algorithm ?? null, t.timeStep ?? null, t.counter ?? null, t.ocrasuite ?? null]),
      [
        ['line 2', 'HOTP-1', 'hotp', 6, 'sha1', null, null, null],
        ['line 3', 'HOTP-2', 'hotp', 8, 'sha1', null, 17, null],
        ['line 5', 'TOTP-1', 'totp', 8, 'sha256', 60, null, null],
        ['line 6', 'TOTP-2', 'totp', 6, 'sha512', null, null, null],
        ['line 7', 'TOTP-3', 'totp', 6, 'sha256', 30, null, null],
        ['line 9', 'OCRA-1', 'ocra', null, null, null, 3, 'OCRA-1:HOTP-SHA256-8:C-QN08'],
        ['line 10', 'OCRA-2', 'ocra', null, null, null, null, null],
      ],
    );
    assert.equal(tokens[0]!.seed.toString('hex'), SHA1_KEY);
  });

  test('imported, the tokens have the configured defaults and produce their codes', async () => {
    const { s } = await services();
    const summary = await importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(GOOD, 'seeds.csv'), { source: 'seeds.csv', user: 'bob', now: NOW });
    assert.deepEqual([summary.created, summary.updated], [7, 0]);
    assert.deepEqual(
      summary.tokens?.map((t) => t.change),
      Array(7).fill('create'),
    );
    const h = (await s.store.getToken('HOTP-2'))!;
    assert.deepEqual([h.counter, h.window, h.maxFail, h.owner?.login, h.pinHash], [17, 10, 10, 'bob', null]);
    assert.equal((await s.store.getToken('OCRA-2'))!.info.ocrasuite, 'OCRA-1:HOTP-SHA256-8:C-QN08', 'the configured default suite');
    assert.equal((await s.auth.authenticate(request('bob', hotp(Buffer.from(SHA1_KEY, 'hex'), 0)))).decision, 'accept');
  });

  test('privacyIDEA version 2: user, resolver and realm columns', async () => {
    const { s } = await services();
    const csv = `# version: 2\nU-1, ${SHA1_KEY}, alice, local, corp, hotp, 6\nU-2, ${SHA1_KEY}, bob@corp, , , totp, 6, 30\nU-3, ${SHA1_KEY}, , , , hotp\n`;
    await importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(csv, 'v2.csv'), { source: 'v2.csv', now: NOW });
    assert.deepEqual((await s.store.getToken('U-1'))!.owner, { realm: 'corp', resolver: 'local', userId: '1001', login: 'alice' });
    assert.deepEqual((await s.store.getToken('U-2'))!.owner, { realm: 'corp', resolver: 'local', userId: '1002', login: 'bob' });
    assert.equal((await s.store.getToken('U-3'))!.owner, null);
    const wrong = `# version: 2\nU-4, ${SHA1_KEY}, alice, ldap, , hotp\nU-5, ${SHA1_KEY}, carol\nU-6, ${SHA1_KEY}, alice, , nowhere\n`;
    await assert.rejects(importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(wrong, 'v2.csv'), { source: 'v2.csv', now: NOW }), (err: ImportError) => {
      assert.deepEqual(err.problems, [
        'v2.csv: line 2: user "alice" is in resolver "local" of realm "default", not "ldap"',
        'v2.csv: line 3: user "carol" not found in realm "default"',
        'v2.csv: line 4: user alice: unknown realm "nowhere"',
      ]);
      return true;
    });
  });

  test('malformed lines are reported with their numbers and nothing is imported', async () => {
    const csv = [
      `OK-1, ${SHA1_KEY}`,
      'BAD-2, 31323g',
      `BAD-3, ${SHA1_KEY}, hotp, 9`,
      `BAD-4, ${SHA1_KEY}, yubikey`,
      `, ${SHA1_KEY}`,
      'BAD-6',
      `BAD-7, ${SHA1_KEY}, totp, 6, 30, md5`,
      `BAD-8, ${SHA1_KEY}, hotp, 6, 0, sha1, extra`,
      `"BAD-9, ${SHA1_KEY}`,
      `BAD-10, ${SHA1_KEY}, ocra2, OCRA-1:HOTP-SHA1-6:QN08, , sha1`,
    ].join('\n');
    assert.throws(
      () => parseOathCsv(csv, 'bad.csv'),
      (err: ImportError) => {
        assert.deepEqual(err.problems, [
          "bad.csv:2: seed: not valid hex (character 'g' at 5)",
          'bad.csv:3: otp length: expected a whole number 6..8, got "9"',
          'bad.csv:4: token type "yubikey": expected hotp, totp or ocra2',
          'bad.csv:5: no serial (first column)',
          'bad.csv:6: no key (second column)',
          'bad.csv:7: hash "md5": expected sha1, sha256 or sha512',
          'bad.csv:8: 7 columns, expected at most 6',
          'bad.csv:9: a quoted field is not closed',
          'bad.csv:10: an OCRA token takes its hash from the suite; leave the hash column empty',
        ]);
        return true;
      },
    );
    assert.throws(() => parseOathCsv('# only a comment\n\n', 'empty.csv'), /empty\.csv: no tokens \(only comments or blank lines\)/);
    assert.throws(() => parseOathCsv(`# version: 3\nA, ${SHA1_KEY}`, 'v3.csv'), /v3\.csv:1: OATH CSV version 3 is not supported/);
  });

  test('problems found against the store stop the run too: a duplicate serial, an unknown user, an unservable suite', async () => {
    const { s } = await services();
    const csv = `A-1, ${SHA1_KEY}\nA-2, ${SHA1_KEY}, ocra2, OCRA-1:HOTP-SHA1-6:QN08-S064\nA-1, ${SHA1_KEY}\n`;
    await assert.rejects(
      importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(csv, 'x.csv'), { source: 'x.csv', now: NOW }),
      /x\.csv: line 3: serial A-1 again \(first at line 1\)/,
    );
    await assert.rejects(
      importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(csv.split('\n').slice(0, 2).join('\n'), 'x.csv'), { source: 'x.csv', now: NOW }),
      /x\.csv: line 2: OCRA suite OCRA-1:HOTP-SHA1-6:QN08-S064: session information \(S\) cannot be exchanged over RADIUS/,
    );
    await assert.rejects(
      importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(`A-1, ${SHA1_KEY}`, 'x.csv'), { source: 'x.csv', user: 'mallory', now: NOW }),
      /x\.csv: line 1: user "mallory" not found in realm "default"/,
    );
    assert.deepEqual(await dump(s.store), []);
  });

  test('importing again updates the same tokens and keeps their PIN and state; another seed under a serial is refused', async () => {
    const { s } = await services();
    const file = `R-1, ${SHA1_KEY}, hotp, 6, 4\n`;
    await importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(file, 'r.csv'), { source: 'r.csv', user: 'alice', now: NOW });
    const pin = await s.store.pins.hash('1234');
    await s.store.updateToken('R-1', { pinHash: pin });
    await s.store.commitSuccess('R-1', 9, NOW);
    const again = await importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(file.replace(', 6, 4', ', 8, 2'), 'r.csv'), { source: 'r.csv', now: NOW });
    assert.deepEqual([again.created, again.updated], [0, 1]);
    assert.deepEqual(again.tokens, [{ serial: 'R-1', type: 'hotp', owner: 'alice@default', change: 'update' }], 'what a preview lists');
    const t = (await s.store.getToken('R-1'))!;
    assert.deepEqual([t.pinHash, t.owner?.login, t.counter, t.otpLength], [pin, 'alice', 10, 8]);
    await assert.rejects(
      importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(`R-1, ${SHA256_KEY}`, 'r.csv'), { source: 'r.csv', now: NOW }),
      /r\.csv: line 1: serial R-1 is already a token with another seed; to replace it, delete it first \(otp-radius token delete R-1\)/,
    );
    await assert.rejects(
      importFileTokens(s.store, s.realms, s.config.tokenDefaults, parseOathCsv(`R-1, ${SHA1_KEY}, totp`, 'r.csv'), { source: 'r.csv', now: NOW }),
      /serial R-1 is already a hotp token/,
    );
  });

  test('quoted fields', () => {
    assert.deepEqual(splitCsvLine(' "a,b" , "say ""hi""",c '), ['a,b', 'say "hi"', 'c']);
    assert.equal(splitCsvLine('"open'), undefined);
  });
});
