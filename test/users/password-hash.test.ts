import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { checkPasswordHash, hashPasswordForFile, identifyHash, verifyPasswordHash, type HashScheme } from '../../src/users/password-hash.ts';
import { requirePeer } from '../helpers/peers.ts';

const PW = 'correct horse';

// [scheme, password, hash, made by]. Every hash here was produced by a tool
// other than this code, so a shared misunderstanding cannot pass.
const VECTORS: [HashScheme, string, string, string][] = [
  ['ssha', PW, '{SSHA}MmtssMNEIMEAJAcyGd4N8S3TiH9SVz0E', 'slappasswd -h {SSHA}'],
  ['sha', PW, '{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=', 'slappasswd -h {SHA}'],
  ['smd5', PW, '{SMD5}Jcr1oLJf5waTY2US8x1Cc6y7+pY=', 'slappasswd -h {SMD5}'],
  ['md5', PW, '{MD5}PLTnMmMfR+brlh80VUt83g==', 'slappasswd -h {MD5}'],
  ['sha512-crypt', PW, '{CRYPT}$6$5J462SG5Uekc6p0w$cMAsMYd1YsoDXMb9Kan7cEjjG7nzSEg8tZ6g1MNGQ6tTA9eTpjr7uaz4R3IlDLbQVCpgUr89jRJoQT74d4cJb0', "slappasswd -h {CRYPT} -c '$6$%.16s'"],
  ['sha256-crypt', PW, '{CRYPT}$5$rounds=2000$/GTFmT15$p4/F7LN7PWOJfv/nO1yl0w/7A9AbJKZ9KQcJBdLvabA', "slappasswd -h {CRYPT} -c '$5$rounds=2000$%.8s'"],
  ['ssha256', PW, '{SSHA256}CFsq5JPfiBQ0W3uR5Dnao+9mknEq9a739V+FPkJ6yjABAgMEBQYHCA==', 'python3 hashlib, 8-byte salt'],
  ['ssha512', PW, '{SSHA512}RxX5hhIRRRK2fhVkXkwzRVPVrymNjBPeOec5l5Z7HoA1jxGKFYfpQLhcljmxJcIS20C9nDeAN3dRZ7qrc68T8wABAgMEBQYHCAkKCwwNDg8=', 'python3 hashlib, 16-byte salt'],
  ['ssha512', 'pässwörd', '{SSHA512}HOR2cuO00w83NSERsvFof8GkX7cdb4iRaVOtwP2CF7nl8vPKBreN571kRTExP1SUS/rcUDLvNkkc6ufPq2OUyk5hQ2w=', 'python3 hashlib, UTF-8 password'],
  ['ssha384', PW, '{SSHA384}IXDEJAp1DE2pEeMvE7xwhr2fmni2McNhNzhemx5WJsa24mLi22T8QsDxfpg+fDXJc2FsdHk=', 'python3 hashlib'],
  ['sha256', PW, '{SHA256}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=', 'python3 hashlib'],
  ['sha512', PW, '{SHA512}VraY3v7bWkNbY0r+MyC7rz/c2SC2xQOkRvx7endrKY1HnRumqLYXgI6wv1ec6aldZoNHvKtxSQhayTyyeZUZew==', 'python3 hashlib'],
  ['md5-crypt', PW, '$1$8charsal$QinvcPq6.2trb9RDER7vm0', 'openssl passwd -1'],
  ['sha256-crypt', PW, '$5$Na0mDU1Q$XoOsTOpzs9cWxTOLU7dNETAwQBllHlz1FKw.Io32q55', 'openssl passwd -5'],
  ['sha512-crypt', PW, '$6$Ex8zoYNGxa3bHeFo$TDUUG8VZPE9NRR5RNuSWfFN8ijRpxvY4t5AAOPq0ifBUxwMVYjBlhpIyx5Yhr.bhNJ3YXhDrXnjp2sL8BQ07E1', 'openssl passwd -6'],
  ['sha512-crypt', PW, '$6$rounds=10000$roundsSALT$PO9Z7ChFXC4IBkSmLZIJXGsUZI.gzF01BmxF33f6ZNtEKmmXdNKEHwHuvy24nGLtgG7PyFlmuSvDzfRaYzzaN0', 'mkpasswd -m sha-512 -R 10000'],
  ['sha256-crypt', 'pässwörd', '$5$rounds=1000$xsaltxsa$Oy6DVVUnutWL98Py4NXSls9Hs9kHcTJM1DAs5Bf72j6', 'mkpasswd -m sha-256 -R 1000'],
  // 64-byte password: the length at which an npm sha-crypt package we tried goes wrong.
  [
    'sha512-crypt',
    'abcdefghijklmnopqrstuvwxyz012345abcdefghijklmnopqrstuvwxyz012345',
    '$6$abcdefghijklmnop$FoGkJB1YSvnHsvzD70WtPIfXG8unwryTJQM1B44GtilMTYXrjPtlSzbcVWJptokrYB./tNKoFVi/qIjDlJxyk1',
    'mkpasswd -m sha-512',
  ],
  ['sha512-crypt', '', '$6$emptypw$TWmzQ8/uLn1BFSZ5Lkfum8lAba5vixF9Nl3Aiof.Praatq9nh0kkPuTdoVrIL6du0L6LAoadbPq.q.D7keveg/', 'glibc crypt() via python3'],
  ['sha256-crypt', 'Passwort mit Leerzeichen', '$5$rounds=5000$salt$PwmDc2jywPmqJQpFjYuDTjh2wCl2xawMjJaIGqhW4X5', 'glibc crypt() via python3'],
  // jBCrypt (Damien Miller) test vectors.
  ['bcrypt', '', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.', 'jBCrypt'],
  ['bcrypt', 'a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe', 'jBCrypt'],
  ['bcrypt', 'abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i', 'jBCrypt'],
  ['bcrypt', 'abcdefghijklmnopqrstuvwxyz', '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC', 'jBCrypt'],
  ['bcrypt', '~!@#$%^&*()      ~!@#$%^&*()PNBFRD', '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO', 'jBCrypt'],
  // Openwall crypt_blowfish test vectors.
  ['bcrypt', 'U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'crypt_blowfish'],
  ['bcrypt', 'U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK', 'crypt_blowfish'],
  ['bcrypt', '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored', '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui', 'crypt_blowfish'],
  // $2b$ and $2a$ differ only for passwords of 255+ bytes, so an ASCII vector carries over.
  ['bcrypt', 'U*U', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'crypt_blowfish, $2b$ prefix'],
  ['bcrypt', PW, '$2y$05$L9C7EkwjvDqdYyrHmHrXt.fkVeEvY/ldGVghdJ5uvdlMYiHKqrG3q', 'htpasswd -nbB -C 5'],
  ['argon2id', PW, '$argon2id$v=19$m=4096,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$xLdg0jNKJ6QtaqCahBC4Dxy3cykSQdiQ3ODPAW/di5s', 'argon2 CLI -id'],
  ['argon2id', 'pässwörd', '$argon2id$v=19$m=256,t=1,p=1$dW5pY29kZXNhbHQwMDAw$Lo3a9wyytMrt+rhzSubu/EarTsyysAHXzDxdM7NCvCw', 'argon2 CLI -id'],
  ['argon2i', PW, '$argon2i$v=19$m=1024,t=3,p=1$YW5vdGhlcnNhbHQxMjM0NQ$583R5+9J2LCFiWlq9CfsN0CiUFL0SeIph1dpd/bm+WQ', 'argon2 CLI -i'],
  ['argon2d', PW, '$argon2d$v=19$m=1024,t=3,p=1$YW5vdGhlcnNhbHQxMjM0NQ$3wuH/ZO9S4in8BmuMlrIGletclbci7iM9V1DJg7Ql1A', 'argon2 CLI -d'],
];

for (const [scheme, password, hash, source] of VECTORS) {
  test(`${scheme} (${source}): right password verifies, wrong ones do not`, async () => {
    assert.equal(identifyHash(hash), scheme);
    assert.equal(await checkPasswordHash(hash), undefined);
    assert.equal(await verifyPasswordHash(password, hash), true);
    // bcrypt looks at 72 bytes only, so appending to a longer password changes nothing.
    if (scheme !== 'bcrypt' || Buffer.byteLength(password) < 72) {
      assert.equal(await verifyPasswordHash(`${password}x`, hash), false);
    }
    if (password.length > 0) {
      const flipped = String.fromCharCode(password.charCodeAt(0) ^ 1) + password.slice(1);
      assert.equal(await verifyPasswordHash(flipped, hash), false);
      assert.equal(await verifyPasswordHash(password.slice(1), hash), false);
    }
  });
}

test('LDAP scheme names are case-insensitive', async () => {
  assert.equal(await verifyPasswordHash(PW, '{ssha}MmtssMNEIMEAJAcyGd4N8S3TiH9SVz0E'), true);
  assert.equal(await verifyPasswordHash(PW, '{crypt}$1$8charsal$QinvcPq6.2trb9RDER7vm0'), true);
  assert.equal(await verifyPasswordHash(PW, '{ARGON2}$argon2i$v=19$m=1024,t=3,p=1$YW5vdGhlcnNhbHQxMjM0NQ$583R5+9J2LCFiWlq9CfsN0CiUFL0SeIph1dpd/bm+WQ'), true);
});

test('bcrypt ignores bytes after the 72nd, as every bcrypt does', async () => {
  const hash = '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui';
  assert.equal(await verifyPasswordHash('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', hash), true);
  assert.equal(await verifyPasswordHash('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345678', hash), false);
});

// [hash, expected problem (substring)]
const MALFORMED: [string, string][] = [
  ['correct horse', 'unknown hash format'],
  ['', 'unknown hash format'],
  ['{CLEARTEXT}secret', 'unknown hash scheme {CLEARTEXT}'],
  ['{SSHA}', '{SSHA}: not valid base64'],
  ['{SSHA}MmtssMNEIMEAJAcyGd4N8S3TiH9SVz0E!', '{SSHA}: not valid base64'],
  ['{SSHA}MmtssMNE', '{SSHA}: 6 bytes after base64 decoding, expected at least 20 (digest + salt)'],
  ['{SHA}L55TUjtiq8FBorTWAZ0jy6g129A=AAAA', '{SHA}: not valid base64'],
  ['{SHA}L55TUjtiq8FBorTWAZ0jy6g129AA', '{SHA}: 21 bytes after base64 decoding, expected 20'],
  ['{SHA512}QQTTb42iwlQ0n4WDZ5Pr4CngyVcGOjTJHC6SAxh7VjE=', '{SHA512}: 32 bytes after base64 decoding, expected 64'],
  ['$6$Ex8zoYNGxa3bHeFo$TDUUG8VZPE9NRR5RNuSWfFN8ijRp', '$6$: digest: expected 86 characters of [./0-9A-Za-z], got 28'],
  ['$6$Ex8zoYNGxa3bHeFo', '$6$: expected $5$ or $6$'],
  ['$6$rounds=999$salt$PO9Z7ChFXC4IBkSmLZIJXGsUZI.gzF01BmxF33f6ZNtEKmmXdNKEHwHuvy24nGLtgG7PyFlmuSvDzfRaYzzaN0', 'rounds=999: below the minimum 1000'],
  ['$6$rounds=999999999$salt$PO9Z7ChFXC4IBkSmLZIJXGsUZI.gzF01BmxF33f6ZNtEKmmXdNKEHwHuvy24nGLtgG7PyFlmuSvDzfRaYzzaN0', 'too slow to check at every login'],
  ['$5$abcdefghijklmnopq$XoOsTOpzs9cWxTOLU7dNETAwQBllHlz1FKw.Io32q55', 'salt: 17 characters, at most 16'],
  ['$1$123456789$QinvcPq6.2trb9RDER7vm0', '$1$: salt: 9 characters, at most 8'],
  ['$1$8charsal$QinvcPq6.2trb9RDER7vm', '$1$: digest: expected 22 characters'],
  ['$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s', 'bcrypt: expected $2b$'],
  ['$2a$03$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.', 'bcrypt: cost 3 outside 4..16'],
  ['$2b$31$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.', 'bcrypt: cost 31 outside 4..16'],
  ['$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'unknown hash format'],
  ['{CRYPT}abJnggxhB/yWI', '{CRYPT}unsupported crypt format (DES or unknown)'],
  ['$argon2id$v=19$m=4096,t=2,p=2$c29tZXNhbHRzb21lc2FsdA', 'argon2id: expected $argon2id$v=19$m=...'],
  ['$argon2id$v=19$m=4194304,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$xLdg0jNKJ6QtaqCahBC4Dxy3cykSQdiQ3ODPAW/di5s', 'm=4194304 KiB is above 1048576'],
  ['$argon2id$v=19$m=4096,t=1000,p=2$c29tZXNhbHRzb21lc2FsdA$xLdg0jNKJ6QtaqCahBC4Dxy3cykSQdiQ3ODPAW/di5s', 't=1000 is above 64'],
  ['$argon2id$v=19$m=x,t=2,p=2$c29tZXNhbHRzb21lc2FsdA$xLdg0jNKJ6QtaqCahBC4Dxy3cykSQdiQ3ODPAW/di5s', 'argon2id: expected'],
];

for (const [hash, problem] of MALFORMED) {
  test(`malformed hash ${JSON.stringify(hash.slice(0, 40))}: never verifies, and says why`, async () => {
    const message = await checkPasswordHash(hash);
    assert.ok(message?.includes(problem), `got ${JSON.stringify(message)}, expected it to contain ${JSON.stringify(problem)}`);
    assert.equal(await verifyPasswordHash('correct horse', hash), false);
    assert.equal(await verifyPasswordHash('', hash), false);
  });
}

test('a plain-text password is not taken for a hash, even when it matches', async () => {
  assert.equal(identifyHash('secret'), undefined);
  assert.equal(await verifyPasswordHash('secret', 'secret'), false);
  assert.match((await checkPasswordHash('secret')) ?? '', /plain-text passwords are not accepted/);
});

test('a hash whose digest was tampered with does not verify', async () => {
  const good = '$6$Ex8zoYNGxa3bHeFo$TDUUG8VZPE9NRR5RNuSWfFN8ijRpxvY4t5AAOPq0ifBUxwMVYjBlhpIyx5Yhr.bhNJ3YXhDrXnjp2sL8BQ07E1';
  const bad = `${good.slice(0, -1)}2`;
  assert.equal(await checkPasswordHash(bad), undefined);
  assert.equal(await verifyPasswordHash(PW, bad), false);
  const badSsha = '{SSHA}NmtssMNEIMEAJAcyGd4N8S3TiH9SVz0E';
  assert.equal(await verifyPasswordHash(PW, badSsha), false);
  // Changing the salt of an {SSHA} changes the result too.
  assert.equal(await verifyPasswordHash(PW, '{SSHA}MmtssMNEIMEAJAcyGd4N8S3TiH9SVz0F'), false);
});

test('hashPasswordForFile makes a $6$ hash with a fresh salt that openssl reproduces', async () => {
  const a = await hashPasswordForFile('alice-password');
  const b = await hashPasswordForFile('alice-password');
  assert.match(a, /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  assert.notEqual(a, b);
  assert.equal(await verifyPasswordHash('alice-password', a), true);
  assert.equal(await verifyPasswordHash('alice-passwort', a), false);
  const salt = a.split('$')[2] ?? '';
  requirePeer('openssl', 'openssl');
  const openssl = execFileSync('openssl', ['passwd', '-6', '-salt', salt, 'alice-password'], { encoding: 'utf8' }).trim();
  assert.equal(openssl, a);
});

test('hashPasswordForFile with rounds, and its bounds', async () => {
  const h = await hashPasswordForFile('x', { rounds: 20000 });
  assert.match(h, /^\$6\$rounds=20000\$/);
  assert.equal(await verifyPasswordHash('x', h), true);
  await assert.rejects(hashPasswordForFile('x', { rounds: 999 }), /rounds: expected an integer from 1000 to 10000000, got 999/);
  await assert.rejects(hashPasswordForFile('x', { rounds: 1.5 }), /rounds: expected an integer/);
});

test('sha-crypt lets other work run while it hashes', async () => {
  const hash = await hashPasswordForFile('x', { rounds: 20000 });
  let done = false;
  const pending = verifyPasswordHash('x', hash).then((ok) => {
    done = true;
    return ok;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(done, false, 'the event loop turned before the check finished');
  assert.equal(await pending, true);
});
