// `import linotp` from a LinOTP-shaped SQLite database built here: seeds
// under both paddings, counters, hashed and encrypted PINs, owners and
// realms, an OCRA2 token, unsupported types; then idempotence, dry run,
// and a damaged row that stops the whole run.

// The import runs in a time zone that is not UTC, as at a site in Germany:
// LinOTP wrote validity periods in UTC, and they must not move by the
// importing machine's offset (1 or 2 hours here).
process.env.TZ = 'Europe/Berlin';

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ImportError } from '../../src/import/errors.ts';
import { importLinotp, type LinotpImportOptions } from '../../src/import/linotp.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { ocra } from '../../src/otp/ocra.ts';
import { totp } from '../../src/otp/totp.ts';
import type { Services } from '../../src/server/services.ts';
import { dump, NOW, request, services, tempDir } from './helpers.ts';
import { ENC_KEY, encryptedSeed, hashedPin, RFC4226, RFC6238_SHA256, sampleRows, writeSqlite, type Row } from './linotp-fixture.ts';

const STEP60 = Math.floor(NOW / 60);
const linotpRows = (): Row[] => sampleRows(NOW);

async function linotpDb(rows: Row[] = linotpRows()): Promise<string> {
  const path = join(await tempDir(), 'linotp.db');
  await writeSqlite(path, rows);
  return `sqlite:${path}`;
}

function options(db: string, extra: Partial<LinotpImportOptions> = {}): LinotpImportOptions {
  return { db, encKey: ENC_KEY, encKeyFile: 'encKey', realmMap: new Map([['myrealm', 'corp']]), now: NOW, ...extra };
}

const dirOf = (s: Services) => ({ resolvers: s.resolvers, realms: s.config.realms });

describe('import linotp', () => {
  test('imports seeds, counters, PINs, owners and limits; unsupported types are listed', async () => {
    const { s } = await services();
    const summary = await importLinotp(s.store, dirOf(s), options(await linotpDb()));
    assert.equal(summary.created, 7);
    assert.equal(summary.updated, 0);
    assert.deepEqual(summary.byType, { hotp: 2, totp: 1, ocra: 1, spass: 1, email: 1, sms: 1 });
    assert.deepEqual(
      summary.notImported.map((n) => [n.serial, n.type, n.owner]),
      [['PUSH0006', 'push', '1001 (resolver local)']],
    );
    assert.equal(summary.warnings.length, 1);
    assert.match(summary.warnings[0]!, /HOTP0005: owner 4711 not found in resolver "local"/);

    const hotpToken = (await s.store.getToken('LSHO0001'))!;
    assert.equal(hotp(hotpToken.seed, 0), '755224', 'the RFC 4226 seed decrypted from LinOTP 2 padding');
    assert.equal(hotpToken.counter, 5);
    assert.deepEqual(hotpToken.owner, { realm: 'corp', resolver: 'local', userId: '1001', login: 'alice' });
    assert.match(hotpToken.pinHash!, /^linotp-sha256\$(42){16}\$[0-9a-f]{64}$/);
    assert.equal(await s.store.pins.verify('1234', hotpToken.pinHash), true);
    assert.equal(await s.store.pins.verify('1235', hotpToken.pinHash), false);
    assert.equal(hotpToken.description, 'key fob');
    assert.equal(hotpToken.createdAt, Date.UTC(2020, 0, 2, 3, 4, 5) / 1000);
    assert.equal(hotpToken.lastAuth, Date.UTC(2024, 4, 6, 7, 8, 9) / 1000);
    assert.deepEqual([hotpToken.authCount, hotpToken.successCount, hotpToken.maxAuth, hotpToken.window, hotpToken.syncWindow], [7, 5, null, 10, 1000]);

    const totpToken = (await s.store.getToken('TOTP0002'))!;
    assert.deepEqual([totpToken.type, totpToken.algorithm, totpToken.timeStep, totpToken.otpLength, totpToken.counter, totpToken.drift], ['totp', 'sha256', 60, 8, STEP60, -12]);
    assert.equal(totp(totpToken.seed, 59, { digits: 8, algorithm: 'sha256' }), '46119246', 'RFC 6238 SHA-256 vector');
    assert.equal(totpToken.window, 180, 'the wider of timeWindow (180 s) and count window x step (120 s)');
    assert.match(totpToken.pinHash!, /^\$scrypt\$/, 'an encrypted PIN is hashed in our format');
    assert.equal(await s.store.pins.verify('0000', totpToken.pinHash), true);

    const ocraToken = (await s.store.getToken('LSO20003'))!;
    assert.deepEqual([ocraToken.type, ocraToken.info.ocrasuite, ocraToken.owner, ocraToken.counter, ocraToken.otpLength], ['ocra', 'OCRA-1:HOTP-SHA1-6:QN08', null, 0, 6]);
    assert.equal(ocra('OCRA-1:HOTP-SHA1-6:QN08', ocraToken.seed, { question: '00000000' }), '237653', 'RFC 6287 one-way vector');
    assert.equal(new Date(0).getTimezoneOffset(), -60, 'the import runs in Europe/Berlin');
    assert.equal(ocraToken.validFrom, Date.UTC(2025, 1, 1, 10, 0) / 1000, 'LinOTP\'s "01/02/25 10:00" is UTC');
    assert.equal(ocraToken.validUntil, Date.UTC(2030, 11, 31, 23, 59) / 1000);
    assert.deepEqual([ocraToken.maxAuth, ocraToken.maxSuccess], [100, null]);
    assert.equal(await s.store.pins.verify('9999', ocraToken.pinHash), true, 'LinOTP 2 "@@iv:ct" PIN');

    const orphan = (await s.store.getToken('HOTP0005'))!;
    assert.deepEqual([orphan.active, orphan.locked, orphan.failCount, orphan.owner?.login], [false, true, 10, '4711']);
  });

  test('e-mail, SMS and static password tokens: seeds, counters, PINs, and the address and number from token info', async () => {
    const { s } = await services();
    await importLinotp(s.store, dirOf(s), options(await linotpDb()));
    const email = (await s.store.getToken('LSEM0010'))!;
    assert.deepEqual([email.type, email.counter, email.otpLength, email.owner?.login, email.info.email], ['email', 3, 6, 'alice', 'alice.linotp@example.org']);
    assert.equal(hotp(email.seed, 0), '755224', 'the seed LinOTP made codes from');
    assert.equal(await s.store.pins.verify('2222', email.pinHash), true);
    const sms = (await s.store.getToken('LSSM0011'))!;
    assert.deepEqual([sms.type, sms.counter, sms.otpLength, sms.owner?.login, sms.info.phone], ['sms', 11, 8, 'bob', '+49 151 12345689']);
    assert.equal(hotp(sms.seed, 0), '755224', 'LinOTP 2 padding');
    const spass = (await s.store.getToken('LSSP0004'))!;
    assert.deepEqual([spass.type, spass.owner?.login, spass.maxSuccess, spass.seed.length], ['spass', 'bob', 1, 20]);

    // The static password logs in once (LinOTP's onetime); the e-mail PIN opens its challenge (no mail server is configured here).
    assert.deepEqual(await s.auth.authenticate(request('bob', 'bob-static')), { decision: 'accept', reason: 'ok', user: 'bob', realm: 'default', serial: 'LSSP0004' });
    // Used up, the token is left out; bob's other tokens do not take that password.
    assert.equal((await s.auth.authenticate(request('bob', 'bob-static'))).reason, 'wrong pin');
    assert.equal((await s.store.getToken('LSSP0004'))!.successCount, 1);
    const mailed = await s.auth.authenticate(request('alice@corp', '2222'));
    assert.deepEqual([mailed.decision, mailed.reason, mailed.serial], ['reject', 'delivery failed: email: delivery is not configured', 'LSEM0010']);
    assert.deepEqual(mailed.deliveries, [{ serial: 'LSEM0010', channel: 'email', to: 'a***@example.org', result: 'failed', reason: 'email: delivery is not configured' }]);
  });

  test('the old PIN and the next OTP log in; an OTP LinOTP already accepted does not', async () => {
    const { s } = await services();
    await importLinotp(s.store, dirOf(s), options(await linotpDb()));
    assert.equal((await s.auth.authenticate(request('alice@corp', `1234${hotp(RFC4226, 4)}`))).decision, 'reject');
    assert.equal((await s.auth.authenticate(request('alice@corp', `1234${hotp(RFC4226, 5)}`))).decision, 'accept');
    const used = totp(RFC6238_SHA256, (STEP60 - 1) * 60, { digits: 8, algorithm: 'sha256', period: 60 });
    const next = totp(RFC6238_SHA256, STEP60 * 60, { digits: 8, algorithm: 'sha256', period: 60 });
    assert.equal((await s.auth.authenticate(request('bob', `0000${used}`))).decision, 'reject');
    assert.equal((await s.auth.authenticate(request('bob', `0000${next}`))).decision, 'accept');
  });

  test('a second import changes nothing, also after logins upgraded a PIN hash', async () => {
    const { s } = await services();
    const db = await linotpDb();
    await importLinotp(s.store, dirOf(s), options(db));
    const scrypt = await s.store.pins.hash('1234');
    await s.store.updateToken('LSHO0001', { pinHash: scrypt });
    const before = await dump(s.store);
    const again = await importLinotp(s.store, dirOf(s), options(db));
    assert.deepEqual([again.created, again.updated], [0, 7]);
    assert.deepEqual(await dump(s.store), before);
    assert.equal((await s.store.getToken('LSHO0001'))!.pinHash, scrypt);
  });

  test('a PIN changed in LinOTP since the last import replaces the one here', async () => {
    const { s } = await services();
    const rows = linotpRows();
    await importLinotp(s.store, dirOf(s), options(await linotpDb(rows)));
    await s.store.updateToken('LSHO0001', { pinHash: await s.store.pins.hash('1234') });
    Object.assign(rows[0]!, hashedPin('4321', Buffer.alloc(16, 1)));
    await importLinotp(s.store, dirOf(s), options(await linotpDb(rows)));
    const t = (await s.store.getToken('LSHO0001'))!;
    assert.equal(await s.store.pins.verify('4321', t.pinHash), true);
  });

  test('--dry-run reads and checks everything and writes nothing', async () => {
    const { s } = await services();
    const summary = await importLinotp(s.store, dirOf(s), options(await linotpDb(), { dryRun: true }));
    assert.deepEqual([summary.dryRun, summary.created], [true, 7]);
    assert.deepEqual(await dump(s.store), []);
  });

  test('one damaged row fails the whole run and nothing is written', async () => {
    const { s } = await services();
    const rows = linotpRows();
    rows.push({ id: 7, serial: 'BAD0007', ...encryptedSeed(RFC4226, 'pkcs7'), keyEnc: 'ab'.repeat(32) });
    rows.push({ id: 8, serial: 'BAD0008', ...encryptedSeed(RFC4226, 'pkcs7'), info: '{not json' });
    rows.push({ id: 9, serial: 'BAD 0009', ...encryptedSeed(RFC4226, 'pkcs7') });
    await assert.rejects(importLinotp(s.store, dirOf(s), options(await linotpDb(rows))), (err: ImportError) => {
      assert.deepEqual(err.problems, [
        'token BAD0007: LinOtpKeyEnc: does not decrypt with slot 0 of the encKey (wrong encKey, or a damaged value)',
        `token BAD0008: LinOtpTokenInfo: not JSON (${jsonError('{not json')})`,
        'token BAD 0009: serial: expected 1..128 printable characters without spaces, got "BAD 0009"',
      ]);
      return true;
    });
    assert.deepEqual(await dump(s.store), []);
    // Values LinOTP allows but this store does not are named before anything is written, too.
    const big = linotpRows()
      .filter((r) => r.id === 1 || r.id === 5)
      .map((r) => ({ ...r, maxFail: 2_000_000 }));
    await assert.rejects(importLinotp(s.store, dirOf(s), options(await linotpDb(big))), (err: ImportError) => {
      assert.deepEqual(err.problems, ['token LSHO0001: maxFail: expected an integer 1..1000000, got 2000000', 'token HOTP0005: maxFail: expected an integer 1..1000000, got 2000000']);
      return true;
    });
    assert.deepEqual(await dump(s.store), []);
  });

  test('a wrong encKey, an unknown resolver and bad maps are refused with what to do', async () => {
    const { s } = await services();
    const db = await linotpDb();
    await assert.rejects(importLinotp(s.store, dirOf(s), options(db, { encKey: Buffer.alloc(96, 1) })), /token LSHO0001: LinOtpKeyEnc: does not decrypt/);
    await assert.rejects(importLinotp(s.store, dirOf(s), options(db, { encKey: Buffer.alloc(50) })), /encKey: expected LinOTP's encKey, a multiple of 32 bytes \(usually 96\), got 50 bytes/);
    const elsewhere = linotpRows().map((r) => (r.userId ? { ...r, resClass: 'useridresolver.LDAPIdResolver.IdResolver.corp-ldap' } : r));
    const otherDb = await linotpDb(elsewhere);
    await assert.rejects(
      importLinotp(s.store, dirOf(s), options(otherDb)),
      /LinOTP resolver "corp-ldap" \(owner of 6 tokens, e\.g\. LSHO0001\) is not a resolver of the config: configure it under that name or give --resolver-map corp-ldap=NAME/,
    );
    const mapped = await importLinotp(s.store, dirOf(s), options(otherDb, { resolverMap: new Map([['corp-ldap', 'local']]), dryRun: true }));
    assert.equal(mapped.created, 7);
    await assert.rejects(
      importLinotp(s.store, dirOf(s), options(db, { realmMap: new Map([['myrealm', 'nope']]) })),
      /--realm-map myrealm=nope: no realm "nope" in the config \(realms: default, corp\)/,
    );
    assert.deepEqual(await dump(s.store), []);
  });

  test('OCRA2 tokens still in enrollment, suites this server cannot serve and unknown hashes are listed', async () => {
    const { s } = await services();
    const seed = encryptedSeed(RFC4226, 'pkcs7');
    const rows: Row[] = [
      { id: 1, serial: 'OC1', type: 'ocra2', ...seed, info: { ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QA64', rollout: '1', sharedSecret: 'x' } },
      { id: 2, serial: 'OC2', type: 'ocra2', ...seed, info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08-S064' } },
      { id: 3, serial: 'HM3', type: 'hmac', ...seed, info: { hashlib: 'sha384' } },
      { id: 4, serial: 'HM4', type: 'hmac', ...seed },
    ];
    const summary = await importLinotp(s.store, dirOf(s), options(await linotpDb(rows)));
    assert.deepEqual(
      summary.notImported.map((n) => [n.serial, n.reason]),
      [
        ['OC1', 'OCRA2 enrollment not completed (rollout in token info)'],
        ['OC2', 'OCRA suite OCRA-1:HOTP-SHA1-6:QN08-S064: session information (S) cannot be exchanged over RADIUS'],
        ['HM3', 'hash algorithm "sha384" is not supported (sha1, sha256, sha512)'],
      ],
    );
    assert.equal(summary.created, 1);
  });

  test('a realm that does not hold the resolver falls back to the default realm with a warning', async () => {
    const { s } = await services();
    const rows = linotpRows().filter((r) => r.id === 1);
    const summary = await importLinotp(s.store, dirOf(s), options(await linotpDb(rows), { realmMap: new Map() }));
    assert.equal((await s.store.getToken('LSHO0001'))!.owner?.realm, 'default');
    assert.deepEqual(summary.warnings, ['LSHO0001: none of its realms (myrealm) holds resolver "local" here; put in realm "default"']);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}
