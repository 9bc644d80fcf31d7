// Issue 6's migration, shown over RADIUS: a LinOTP-shaped database (seeds
// encrypted with a known encKey, counters, a LinOTP PIN hash) is imported;
// the old PIN + next OTP is accepted through radclient, an OTP LinOTP had
// already accepted is not, and a second import changes nothing.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hotp } from '../../src/otp/hotp.ts';
import { encryptedSeed, ENC_KEY, hashedPin, RFC4226, writeSqlite } from '../import/linotp-fixture.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

describe('migration from LinOTP, over RADIUS', () => {
  let s: Stack;
  let db: string;
  let encKey: string;
  before(async () => {
    s = await startStack();
    db = join(s.dir, 'linotp.db');
    encKey = join(s.dir, 'encKey');
    await writeFile(encKey, ENC_KEY);
    // alice (user id 1001 in the stack's users file) has a LinOTP HOTP token: counter 5 is the next
    // usable one (LinOTP accepted the OTPs of counters 0..4), PIN "1234" as LinOTP hashed it.
    await writeSqlite(db, [
      {
        id: 1,
        serial: 'LSHO0001',
        type: 'HMAC',
        ...encryptedSeed(RFC4226, 'linotp2'),
        ...hashedPin('1234'),
        count: 5,
        userId: '1001',
        resClass: 'useridresolver.PasswdIdResolver.IdResolver.local',
        realms: ['myrealm'],
      },
    ]);
  });
  after(async () => s.stop());

  test('import, then the old PIN + the next OTP is accepted, a used OTP is not, a re-import changes nothing', async () => {
    const first = await s.cli(['import', 'linotp', '--db', `sqlite:${db}`, '--enckey', encKey, '--realm-map', 'myrealm=default']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const shown = JSON.parse((await s.cli(['token', 'show', 'LSHO0001', '--json'])).stdout) as { user: string; realm: string; counter: number; pin: string };
    assert.deepEqual([shown.user, shown.realm, shown.counter, shown.pin], ['alice', 'default', 5, 'set']);

    assert.equal((await s.auth('alice', `1234${hotp(RFC4226, 4)}`)).code, 'reject', 'LinOTP had accepted counter 4 already');
    assert.equal(s.audits().at(-1)!.reason, 'replay');
    assert.equal((await s.auth('alice', `9999${hotp(RFC4226, 5)}`)).code, 'reject', 'a wrong PIN against the LinOTP hash');
    const ok = await s.auth('alice', `1234${hotp(RFC4226, 5)}`);
    assert.equal(ok.code, 'accept', ok.stdout);
    const stored = await s.running.services.store.getToken('LSHO0001');
    assert.doesNotMatch(stored!.pinHash!, /^linotp/, 'the LinOTP PIN hash was replaced by ours after the first login');
    assert.equal((await s.auth('alice', `1234${hotp(RFC4226, 6)}`)).code, 'accept', 'and the PIN still works under the new hash');

    const again = await s.cli(['import', 'linotp', '--db', `sqlite:${db}`, '--enckey', encKey, '--realm-map', 'myrealm=default']);
    assert.equal(again.code, 0, again.stderr);
    const after = await s.running.services.store.getToken('LSHO0001');
    assert.equal(after!.counter, 7, 'the counter never moves back');
    assert.equal((await s.auth('alice', `1234${hotp(RFC4226, 6)}`)).code, 'reject', 'still used after the re-import');
    assert.equal((await s.auth('alice', `1234${hotp(RFC4226, 7)}`)).code, 'accept');
    assert.equal((await s.running.services.store.listTokens()).length, 1, 'no duplicate');
  });
});
