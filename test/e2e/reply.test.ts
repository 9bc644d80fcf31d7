// Reply rules on the wire: a user's group becomes a Class attribute on Access-Accept.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildRequest, RadiusClient, responseAttributes } from '../../src/radius/client.ts';
import { ATTR, CODE, rawAttribute } from '../../src/radius/packet.ts';
import { delay, SECRET } from '../helpers/radius.ts';
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

test('an answer that would not fit (echoed Proxy-State) is a reject, audited as sent, and the OTP is not used up', async () => {
  const client = new RadiusClient('127.0.0.1', s.port);
  try {
    const code = await oathtool(['--hotp', SEED_HEX, '-c', '1']);
    // Proxy-State is echoed: 16 of 250 bytes leave too little room for the accept and its reply attributes.
    const states = Array.from({ length: 16 }, (_, i) => rawAttribute(ATTR.ProxyState, Buffer.alloc(250, i)));
    const big = await client.send(buildRequest({ identifier: 1, secret: SECRET, userName: 'alice', password: `1${code}`, attributes: states }), SECRET, 5000);
    assert.equal(big?.packet.code, CODE.AccessReject);
    assert.equal(responseAttributes(big!.packet, ATTR.ProxyState).length, 16, 'the reject still echoes every Proxy-State');
    await delay(100);
    assert.equal(s.audits().at(-1)!.reason, 'reply too large', 'the audit says what was sent');
    const small = await client.send(buildRequest({ identifier: 2, secret: SECRET, userName: 'alice', password: `1${code}` }), SECRET, 5000);
    assert.equal(small?.packet.code, CODE.AccessAccept, 'the same OTP still logs in: it was not used up by the answer that could not go out');
  } finally {
    client.close();
  }
});
