// Reply rules on the wire: a user's group becomes a Class attribute on Access-Accept.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startStack, oathtool, type Stack } from '../helpers/stack.ts';

const SEED_HEX = '3132333435363738393031323334353637383930';
let s: Stack;
before(async () => {
  s = await startStack({ yaml: 'reply:\n  - group: vpn-users\n    attributes:\n      Class: vpn\n      Fortinet-Group-Name: "{group}"\n  - attributes:\n      Filter-Id: "user-{login}"\n' });
  assert.equal((await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--pin', '1', '--seed-hex', SEED_HEX, '--no-qr'])).code, 0);
  assert.equal((await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'hotp', '--pin', '2', '--seed-hex', SEED_HEX, '--no-qr'])).code, 0);
});
after(async () => s.stop());

test('a group member gets the mapped Class and vendor attribute; every user the Filter-Id; a reject gets none', async () => {
  const code = await oathtool(['--hotp', SEED_HEX, '-c', '0']);
  const a = await s.auth('alice', `1${code}`);
  assert.equal(a.code, 'accept');
  assert.match(a.stdout, /Class = 0x76706e/);
  assert.match(a.stdout, /Fortinet-Group-Name = "vpn-users"/);
  assert.match(a.stdout, /Filter-Id = "user-alice"/);
  const b = await s.auth('bob', `2${code}`);
  assert.equal(b.code, 'accept');
  assert.doesNotMatch(b.stdout, /Class|Fortinet/);
  assert.match(b.stdout, /Filter-Id = "user-bob"/);
  const r = await s.auth('alice', `1${code}`);
  assert.equal(r.code, 'reject');
  assert.doesNotMatch(r.stdout, /Filter-Id/);
});
