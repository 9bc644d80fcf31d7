import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { FR_PREFIX, maxRequests, sqlModule, ssha256, tuneRadiusdConf, usersFile } from '../../bench/freeradius.ts';
import { base32Decode } from '../../src/otp/base32.ts';

test('ssha256: base64 of SHA-256(password || salt) then the salt, as rlm_pap reads SSHA2-256-Password', () => {
  const salt = Buffer.from('8bytesal');
  const raw = Buffer.from(ssha256('bench-password', salt), 'base64');
  assert.equal(raw.length, 32 + 8);
  assert.deepEqual(raw.subarray(32), salt);
  assert.deepEqual(raw.subarray(0, 32), createHash('sha256').update('bench-password').update(salt).digest());
});

test('usersFile: per user a TOTP entry with the same seed the generator uses, and three PAP entries', () => {
  const seeds = [Buffer.alloc(20, 1), Buffer.alloc(20, 2)];
  const text = usersFile(2, seeds, 'SSHA', '$6$salt$hash');
  const entries = text.split('\n').filter((l) => l.length > 0);
  assert.equal(entries.length, 8);
  const totp = entries.find((l) => l.startsWith(`${FR_PREFIX.totp}000001\t`))!;
  const secret = /TOTP-Secret := "([A-Z2-7]+)"/.exec(totp)![1]!;
  assert.deepEqual(base32Decode(secret), seeds[1]);
  assert.ok(entries.includes(`${FR_PREFIX.ssha}000000\tSSHA2-256-Password := "SSHA"`));
  assert.ok(entries.includes(`${FR_PREFIX.crypt}000001\tCrypt-Password := "$6$salt$hash"`));
  // The users whose accept writes a post-auth row (fr-pap-sql) have the same PAP password.
  assert.ok(entries.includes(`${FR_PREFIX.sqlRow}000001\tSSHA2-256-Password := "SSHA"`));
});

test('sqlModule: the stock sql module on the sqlite driver, our database file, a 5 s busy timeout', () => {
  const stock = 'sql {\n\tdialect = "sqlite"\n\tdriver = "rlm_sql_null"\n#\tdriver = "rlm_sql_${dialect}"\n\tsqlite {\n\t\tfilename = "/tmp/freeradius.db"\n\t\tbusy_timeout = 200\n\t}\n}\n';
  const text = sqlModule(stock, '/t/fr-postauth.db');
  assert.match(text, /^\tdriver = "rlm_sql_sqlite"$/m);
  assert.match(text, /^#\tdriver = "rlm_sql_\$\{dialect\}"$/m, 'comments stay as they are');
  assert.match(text, /^\t\tfilename = "\/t\/fr-postauth\.db"$/m);
  assert.match(text, /^\t\tbusy_timeout = 5000$/m);
  assert.throws(() => sqlModule(stock.replace(/\t\tbusy_timeout = 200\n/, ''), '/t/db'), /mods-available\/sql: no "busy_timeout = " line/);
  // Debian's stock file, when FreeRADIUS is installed.
  let debian: string | undefined;
  try {
    debian = readFileSync('/etc/freeradius/3.0/mods-available/sql', 'utf8');
  } catch {
    return;
  }
  assert.match(sqlModule(debian, '/t/db'), /^\s*driver = "rlm_sql_sqlite"$/m);
});

test('tuneRadiusdConf: temporary directories, max_requests for twice 256 requests a source port, no user switch', () => {
  const stock =
    'prefix = /usr\nraddbdir = /etc/freeradius/3.0\nlogdir = /var/log/freeradius\nrun_dir = ${localstatedir}/run\nmax_requests = 16384\nsecurity {\n\tuser = freerad\n\tgroup = freerad\n}\n';
  const text = tuneRadiusdConf(stock, '/t/raddb', '/t/var', 256);
  assert.match(text, /^raddbdir = \/t\/raddb$/m);
  assert.match(text, /^logdir = \/t\/var\/log$/m);
  assert.match(text, /^run_dir = \/t\/var\/run$/m);
  assert.match(text, /^max_requests = 131072$/m);
  assert.match(text, /^\t#user = freerad$/m);
  assert.equal(maxRequests(16), 16_384, 'never below the stock value');
  assert.throws(() => tuneRadiusdConf(stock.replace('max_requests = 16384\n', ''), '/t/raddb', '/t/var', 256), /radiusd.conf: no top-level "max_requests = " line/);
});
