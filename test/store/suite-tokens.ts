// Tokens: create, read, filter, patch, delete, keys, and rows checked when read.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import type { Token } from '../../src/model/token.ts';
import { newToken, OWNER, SEED } from './helpers.ts';
import { openClosedAfter, withKeyFile, type StoreFactory } from './suite.ts';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function tokenSuite(factory: StoreFactory): void {
  describe(`${factory.name}: tokens`, () => {
    test('createToken fills defaults and getToken returns the same token', async () => {
      const { store } = await factory.fresh();
      const t = await store.createToken(newToken('OATH0001', { owner: OWNER, info: { note: 'x' } }), 1_700_000_000.7);
      const expected: Token = {
        serial: 'OATH0001',
        type: 'hotp',
        seed: SEED,
        otpLength: 6,
        algorithm: 'sha1',
        timeStep: 30,
        counter: 0,
        drift: 0,
        window: 10,
        syncWindow: 100,
        pinHash: null,
        owner: OWNER,
        active: true,
        pending: false,
        revoked: false,
        locked: false,
        failCount: 0,
        maxFail: 3,
        authCount: 0,
        maxAuth: null,
        successCount: 0,
        maxSuccess: null,
        validFrom: null,
        validUntil: null,
        lastAuth: null,
        lastFail: null,
        syncCounter: null,
        syncAt: null,
        description: '',
        info: { note: 'x' },
        createdAt: 1_700_000_000,
      };
      assert.deepEqual(t, expected);
      assert.deepEqual(await store.getToken('OATH0001'), expected);
      assert.equal(await store.getToken('NOPE'), undefined);
      const all = await store.createToken(
        newToken('TOTP1', {
          type: 'totp',
          algorithm: 'sha256',
          counter: 55_000_000,
          drift: -30,
          pinHash: '$scrypt$x',
          active: false,
          description: 'd',
          maxAuth: 100,
          maxSuccess: 50,
          validFrom: 10,
          validUntil: 20,
          failCount: 2,
        }),
      );
      assert.deepEqual(await store.getToken('TOTP1'), all);
      assert.equal(all.counter, 55_000_000);
      assert.equal(all.drift, -30);
      assert.ok(Math.abs(all.createdAt - Date.now() / 1000) < 5);
      // Past 32 bits: BIGINT columns come back as numbers, exactly.
      const big = await store.createToken(newToken('BIG1', { counter: 2 ** 40 + 7, maxAuth: 2 ** 53 - 1, validUntil: 9_999_999_999 }));
      assert.deepEqual(await store.getToken('BIG1'), big);
      assert.equal(await store.commitSuccess('BIG1', 2 ** 40 + 9, 1), true);
      assert.equal((await store.getToken('BIG1'))!.counter, 2 ** 40 + 10);
      await store.close();
    });

    test('createToken refuses a duplicate serial', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('DUP1'));
      await assert.rejects(store.createToken(newToken('DUP1')), { name: 'StoreError', code: 'duplicate', message: 'token DUP1 already exists' });
      assert.equal((await store.listTokens()).length, 1);
      await store.close();
    });

    test('createToken validates at the boundary', async () => {
      const { store } = await factory.fresh();
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ serial: '' }, /^serial: expected 1\.\.128 printable characters without spaces, got ""$/],
        [{ serial: 'a b' }, /serial: expected .* got "a b"/],
        [{ serial: 'a\u0000b' }, /serial: expected/],
        [{ serial: 'x'.repeat(129) }, /serial: expected/],
        [{ otpLength: 3 }, /^token T: otpLength: expected an integer 4\.\.10, got 3$/],
        [{ otpLength: 11 }, /otpLength: expected an integer 4\.\.10, got 11/],
        [{ type: 'push' }, /^token T: type: expected one of hotp, totp, ocra, email, sms, spass, got "push"$/],
        [{ algorithm: 'md5' }, /algorithm: expected one of sha1, sha256, sha512/],
        [{ seed: Buffer.alloc(0) }, /^token T: seed: expected 1\.\.1024 bytes, got 0$/],
        [{ seed: 'GEZDGNBV' }, /seed: expected a Buffer, got "GEZDGNBV"/],
        [{ timeStep: 0 }, /timeStep: expected an integer 1\.\.86400, got 0/],
        [{ counter: -1 }, /counter: expected an integer 0\.\./],
        [{ counter: 1.5 }, /counter: expected an integer/],
        [{ counter: 2 ** 53 }, /counter: expected an integer 0\.\.9007199254740991/],
        [{ window: -1 }, /window: expected an integer 0\.\.1000000/],
        [{ maxFail: 0 }, /maxFail: expected an integer 1\.\.1000000, got 0/],
        [{ owner: { realm: 'r', resolver: 'x', userId: '', login: 'a' } }, /^token T: owner\.userId: must not be empty$/],
        [{ owner: 'alice' }, /owner: expected \{ realm, resolver, userId, login \} or null/],
        [{ info: { a: 1 } }, /^token T: info\.a: expected a string, got 1$/],
        [{ info: [] }, /info: expected an object of strings, got an array/],
        [{ pinHash: '' }, /pinHash: empty: use null/],
        [{ validFrom: 'soon' }, /validFrom: expected unix seconds, got "soon"/],
        [{ locked: true }, /^token T: unknown or read-only field 'locked'$/],
      ];
      for (const [extra, message] of bad) {
        await assert.rejects(store.createToken({ ...newToken('T'), ...extra } as never), (err: Error) => {
          assert.equal(err.name, 'StoreError', err.message);
          assert.match(err.message, message);
          return true;
        });
      }
      assert.deepEqual(await store.listTokens(), []);
      await store.close();
    });

    test('the seed is not stored in clear', async () => {
      const { store, sql } = await factory.fresh();
      const seed = Buffer.from('a distinctive seed value 0123456789');
      await store.createToken(newToken('CLEAR1', { seed }));
      const [row] = await sql("SELECT seed FROM tokens WHERE serial = 'CLEAR1'");
      assert.match(String(row!.seed), /^v1:/);
      for (const form of [seed.toString('hex'), seed.toString('base64'), seed.toString('latin1'), 'distinctive']) {
        assert.ok(!String(row!.seed).includes(form), form);
      }
      await store.close();
    });

    test('the OCRA PIN hash in token info is sealed like a seed; one stored in clear by an older version is sealed at the next open', async () => {
      const f = await factory.fresh();
      const pinHash = '7110eda4d09e062aa5e4a390b0a572ac0d2c0220';
      await f.store.createToken(newToken('OCRAPIN', { type: 'ocra', info: { ocrasuite: 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1', ocraPinHash: pinHash } }));
      const [row] = await f.sql("SELECT info FROM tokens WHERE serial = 'OCRAPIN'");
      const stored = JSON.parse(String(row!.info)) as Record<string, string>;
      assert.match(stored.ocraPinHash!, /^v1:/);
      assert.ok(!String(row!.info).includes(pinHash));
      assert.equal(stored.ocrasuite, 'OCRA-1:HOTP-SHA1-6:QN08-PSHA1', 'other info stays readable');
      assert.equal((await f.store.getToken('OCRAPIN'))!.info.ocraPinHash, pinHash);
      await f.store.updateToken('OCRAPIN', { description: 'patched without the key' });
      assert.equal((await f.store.getToken('OCRAPIN'))!.info.ocraPinHash, pinHash, 'a patch keeps it sealed and readable');
      // A row as an older version wrote it: in clear.
      await f.sql(`UPDATE tokens SET info = '{"ocrasuite":"OCRA-1:HOTP-SHA1-6:QN08-PSHA1","ocraPinHash":"${pinHash}"}' WHERE serial = 'OCRAPIN'`);
      assert.equal((await f.store.getToken('OCRAPIN'))!.info.ocraPinHash, pinHash, 'read as it is until sealed');
      const again = await f.open();
      const [sealed] = await f.sql("SELECT info FROM tokens WHERE serial = 'OCRAPIN'");
      assert.ok(!String(sealed!.info).includes(pinHash), 'sealed when the store opened');
      assert.equal((await again.getToken('OCRAPIN'))!.info.ocraPinHash, pinHash);
      await f.store.close();
    });

    test('listTokens filters and tokensOfUser; order is by serial, byte by byte', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('A1', { owner: OWNER }));
      await store.createToken(newToken('A2', { owner: { ...OWNER, realm: 'other' } }));
      await store.createToken(newToken('B1', { owner: { realm: 'corp', resolver: 'ldap1', userId: 'uid-2', login: 'bob' } }));
      await store.createToken(newToken('C1', { owner: { realm: 'corp', resolver: 'sql', userId: 'uid-1', login: 'alice' } }));
      await store.createToken(newToken('U1'));
      const serials = (ts: Token[]) => ts.map((t) => t.serial);
      assert.deepEqual(serials(await store.listTokens()), ['A1', 'A2', 'B1', 'C1', 'U1']);
      assert.deepEqual(serials(await store.listTokens({ login: 'alice' })), ['A1', 'A2', 'C1']);
      assert.deepEqual(serials(await store.listTokens({ login: 'alice', realm: 'corp' })), ['A1', 'C1']);
      assert.deepEqual(serials(await store.listTokens({ realm: 'other' })), ['A2']);
      assert.deepEqual(serials(await store.listTokens({ resolver: 'ldap1', userId: 'uid-1' })), ['A1', 'A2']);
      assert.deepEqual(serials(await store.listTokens({ unassigned: true })), ['U1']);
      assert.deepEqual(serials(await store.listTokens({ unassigned: false })), ['A1', 'A2', 'B1', 'C1', 'U1']);
      assert.deepEqual(serials(await store.listTokens({ login: 'nobody' })), []);
      assert.deepEqual(serials(await store.listTokens({ login: 'ALICE' })), [], 'logins compare exactly');
      assert.deepEqual(serials(await store.tokensOfUser('ldap1', 'uid-1')), ['A1', 'A2']);
      assert.deepEqual(serials(await store.tokensOfUser('sql', 'uid-1')), ['C1']);
      assert.deepEqual(await store.tokensOfUser('ldap1', 'nobody'), []);
      await assert.rejects(store.listTokens({ user: 'alice' } as never), /unknown filter field 'user'/);
      await assert.rejects(store.listTokens({ unassigned: true, login: 'alice' }), /cannot be combined/);
      await assert.rejects(store.listTokens({ login: 5 } as never), /filter login must be a string/);
      for (const s of ['a1', 'Z9', 'é1', '_1']) await store.createToken(newToken(s));
      assert.deepEqual(serials(await store.listTokens({ unassigned: true })), ['U1', 'Z9', '_1', 'a1', 'é1'], 'not a locale order');
      await store.close();
    });

    test('countTokens counts what listTokens lists, under the same filter checks', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('A1', { owner: OWNER }));
      await store.createToken(newToken('A2', { owner: { ...OWNER, realm: 'other' } }));
      await store.createToken(newToken('U1'));
      await store.createToken(newToken('U2'));
      for (const serial of ['A2', 'U1']) await store.updateToken(serial, { locked: true });
      assert.equal(await store.countTokens(), 4);
      assert.equal(await store.countTokens({ state: 'locked' }), 2);
      assert.equal(await store.countTokens({ state: 'locked', withinRealms: ['corp'] }), 1, 'a spare token is within every realm');
      assert.equal(await store.countTokens({ login: 'alice' }), 2);
      assert.equal(await store.countTokens({ unassigned: true, limit: 1 }), 1, 'the limit bounds the count');
      assert.equal(await store.countTokens({ login: 'nobody' }), 0);
      await assert.rejects(store.countTokens({ user: 'alice' } as never), /unknown filter field 'user'/);
      await store.close();
    });

    test('updateToken applies a patch, validates it, and reports a missing token', async () => {
      const { store } = await factory.fresh();
      const before = await store.createToken(newToken('P1', { owner: OWNER }));
      assert.equal(await store.updateToken('P1', { locked: true, failCount: 9, description: 'lost', owner: null, otpLength: 8, pinHash: '$scrypt$h', validUntil: 99.9 }), true);
      const after = (await store.getToken('P1'))!;
      assert.deepEqual(after, { ...before, locked: true, failCount: 9, description: 'lost', owner: null, otpLength: 8, pinHash: '$scrypt$h', validUntil: 99 });
      assert.equal(await store.updateToken('P1', { pinHash: null, description: undefined }), true);
      assert.equal((await store.getToken('P1'))!.pinHash, null);
      assert.equal((await store.getToken('P1'))!.description, 'lost');
      assert.equal(await store.updateToken('NOPE', { locked: false }), false);
      await assert.rejects(store.updateToken('P1', { counter: 0 } as never), { code: 'invalid', message: "token P1: unknown or read-only field 'counter'" });
      await assert.rejects(store.updateToken('P1', { seed: Buffer.alloc(4) } as never), /read-only field 'seed'/);
      await assert.rejects(store.updateToken('P1', { maxFail: -1 }), /token P1: maxFail: expected an integer 1\.\.1000000, got -1/);
      await assert.rejects(store.updateToken('P1', { active: 'yes' } as never), /active: expected true or false, got "yes"/);
      assert.equal((await store.getToken('P1'))!.maxFail, 3, 'a refused patch changes nothing');
      await store.close();
    });

    test('updateToken racing recordFailure on another instance loses neither', async () => {
      const f = await factory.fresh();
      const other = await f.open();
      await f.store.createToken(newToken('UR1', { maxFail: 1000 }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? f.store.updateToken('UR1', { description: `d${i}` }) : other.recordFailure(['UR1'], i))));
      const t = (await f.store.getToken('UR1'))!;
      assert.equal(t.failCount, 10, 'a patch does not write back a stale fail counter');
      assert.match(t.description, /^d\d+$/);
      await f.store.close();
    });

    test('deleteToken', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('D1'));
      assert.equal(await store.deleteToken('D1'), true);
      assert.equal(await store.deleteToken('D1'), false);
      assert.equal(await store.getToken('D1'), undefined);
      await assert.rejects(store.deleteToken(''), /serial: expected/);
      await store.close();
    });

    test('setSyncState', async () => {
      const { store } = await factory.fresh();
      await store.createToken(newToken('S1'));
      await store.createToken(newToken('S2'));
      await store.setSyncState('S1', 42, 1000.5);
      let t = (await store.getToken('S1'))!;
      assert.equal(t.syncCounter, 42);
      assert.equal(t.syncAt, 1000);
      await store.setSyncState('S1', null, null);
      t = (await store.getToken('S1'))!;
      assert.equal(t.syncCounter, null);
      assert.equal(t.syncAt, null);
      await assert.rejects(store.setSyncState('S1', 5, null), /counter and at must both be null or both be set/);
      await store.setSyncState('GONE', 1, 1); // a token deleted meanwhile is not an error
      await store.close();
    });

    test('reopening keeps the data; a wrong or missing key file is refused', async () => {
      const f = await factory.fresh();
      await f.store.createToken(newToken('K1'));
      await f.store.close();
      const again = await f.open();
      assert.deepEqual((await again.getToken('K1'))!.seed, SEED);
      await again.close();

      const otherKey = join(f.dir, 'other.key');
      await assert.rejects(f.open({ keyFile: otherKey }), {
        code: 'key',
        message: `key file ${otherKey} does not exist, but ${f.where} holds seeds encrypted with a key file: restore that key file from backup (a new key cannot decrypt them)`,
      });
      assert.equal(existsSync(otherKey), false, 'no new key file was made');
      const xKey = join(f.dir, 'x.key');
      const unrelated = await openClosedAfter(await factory.emptyOptions(xKey));
      await unrelated.close();
      await assert.rejects(f.open({ keyFile: xKey }), {
        code: 'key',
        message: new RegExp(`^key file ${escapeRegExp(xKey)} does not match ${escapeRegExp(f.where)}: the database was set up with another key file`),
      });
      const nKey = join(f.dir, 'n.key');
      await assert.rejects(openStore(withKeyFile(await factory.emptyOptions(nKey), nKey, false)), { code: 'key', message: `key file ${nKey} does not exist` });
    });

    test('store.pins hashes with the key file pepper', async () => {
      const f = await factory.fresh();
      const hash = await f.store.pins.hash('2468');
      assert.equal(await f.store.pins.verify('2468', hash), true);
      assert.equal(await f.store.pins.verify('2469', hash), false);
      await f.store.close();
      const reopened = await f.open();
      assert.equal(await reopened.pins.verify('2468', hash), true);
      await reopened.close();
      const other = await openClosedAfter(await factory.emptyOptions(join(f.dir, 'b.key')));
      assert.equal(await other.pins.verify('2468', hash), false, 'another pepper');
      await other.close();
    });

    test('stored rows are checked when read', async () => {
      const { store, sql } = await factory.fresh();
      await store.createToken(newToken('R1'));
      await store.createToken(newToken('R2'));
      await sql("UPDATE tokens SET otp_length = 99 WHERE serial = 'R1'");
      await assert.rejects(store.getToken('R1'), { name: 'StoreError', code: 'corrupt', message: 'token R1: stored value out of range: token R1: otpLength: expected an integer 4..10, got 99' });
      await sql("UPDATE tokens SET otp_length = 6, info = 'not json' WHERE serial = 'R1'");
      await assert.rejects(store.getToken('R1'), /token R1: column info: not valid JSON/);
      await sql("UPDATE tokens SET info = '{}', seed = (SELECT seed FROM tokens WHERE serial = 'R2') WHERE serial = 'R1'");
      await assert.rejects(store.getToken('R1'), { code: 'key', message: 'seed of token R1 cannot be decrypted: wrong key file?' });
      assert.equal(await store.updateToken('R1', { active: false }), true, 'an administrator can still disable it');
      assert.equal(Number((await sql("SELECT active FROM tokens WHERE serial = 'R1'"))[0]!.active), 0);
      await assert.rejects(store.listTokens(), /seed of token R1 cannot be decrypted/);
      await store.close();
    });
  });
}
