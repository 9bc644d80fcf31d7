// The listener's pieces on their own: networks, framing, password hiding, the duplicate cache.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { addressBytes, cidrContains, parseCidr, sourceAddressBytes } from '../../src/net/cidr.ts';
import { parseConfig } from '../../src/config/load.ts';
import { decryptPassword, encryptPassword } from '../../src/radius/authenticator.ts';
import { ClientTable } from '../../src/radius/clients.ts';
import { encodeAttribute } from '../../src/radius/codec.ts';
import { assemblePacket, parsePacket, rawAttribute } from '../../src/radius/packet.ts';
import { splitText } from '../../src/radius/reply.ts';

describe('networks', () => {
  test('IPv4, IPv6 and IPv4-mapped addresses', () => {
    assert.ok(cidrContains(parseCidr('10.0.0.0/8'), addressBytes('10.200.1.1')!));
    assert.ok(!cidrContains(parseCidr('10.0.0.0/8'), addressBytes('11.0.0.1')!));
    assert.ok(cidrContains(parseCidr('10.0.0.0/8'), addressBytes('::ffff:10.1.2.3')!), 'dual-stack sockets report mapped addresses');
    assert.ok(cidrContains(parseCidr('2001:db8::/32'), addressBytes('2001:db8:1::5')!));
    assert.ok(!cidrContains(parseCidr('2001:db8::/32'), addressBytes('2001:db9::1')!));
    assert.ok(!cidrContains(parseCidr('0.0.0.0/0'), addressBytes('::1')!), 'families never mix');
    assert.ok(cidrContains(parseCidr('192.0.2.0/25'), addressBytes('192.0.2.127')!));
    assert.ok(!cidrContains(parseCidr('192.0.2.0/25'), addressBytes('192.0.2.128')!));
    assert.ok(cidrContains(parseCidr('::ffff:10.0.0.0/104'), addressBytes('10.9.9.9')!));
    assert.throws(() => parseCidr('10.0.0.0/'), /prefix length/);
    assert.throws(() => parseCidr('2001:db8::/129'), /must be 0 to 128/);
  });

  test('source addresses are remembered, give what addressBytes gives, and the memo stays bounded', () => {
    for (const a of ['10.200.1.1', '::ffff:10.1.2.3', '2001:db8:1::5', 'fe80::1%eth0', '::1']) {
      assert.deepEqual(sourceAddressBytes(a), addressBytes(a), a);
      assert.equal(sourceAddressBytes(a), sourceAddressBytes(a), `${a}: parsed once`);
    }
    assert.equal(sourceAddressBytes('not-an-address'), undefined);
    assert.equal(sourceAddressBytes('not-an-address'), undefined, 'a bad address is remembered as bad');
    // A flood of spoofed sources: far more than the memo holds, every answer still right.
    for (let i = 0; i < 10_000; i++) {
      const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      assert.deepEqual(sourceAddressBytes(a), Buffer.from([10, (i >> 16) & 255, (i >> 8) & 255, i & 255]));
    }
    assert.deepEqual(sourceAddressBytes('10.200.1.1'), Buffer.from([10, 200, 1, 1]));
  });

  test('the most specific client wins', () => {
    const { config } = parseConfig(
      `clients:
  - { name: site, address: 192.0.2.0/24, secret: site-secret-0123456789 }
  - { name: fw, address: 192.0.2.1, secret: fw-secret-0123456789ab }
  - { name: any, address: 0.0.0.0/0, secret: any-secret-0123456789a }
`,
      'c.yaml',
    );
    const table = new ClientTable(config.clients);
    assert.equal(table.lookup('192.0.2.1')?.name, 'fw');
    assert.equal(table.lookup('192.0.2.2')?.name, 'site');
    assert.equal(table.lookup('198.51.100.1')?.name, 'any');
    assert.equal(table.lookup('::1'), undefined);
    assert.equal(table.lookup('not-an-ip'), undefined);
  });
});

describe('framing', () => {
  test('a well-formed packet parses; bytes past Length are padding', () => {
    const p = assemblePacket(1, 7, randomBytes(16), [rawAttribute(1, Buffer.from('bob'))]);
    const parsed = parsePacket(Buffer.concat([p, Buffer.from([9, 9, 9])]));
    assert.ok(typeof parsed !== 'string');
    assert.equal(parsed.identifier, 7);
    assert.equal(parsed.data.length, p.length);
    assert.deepEqual(
      parsed.attributes.map((a) => [a.type, a.value.toString()]),
      [[1, 'bob']],
    );
  });

  test('bad framing has a named cause', () => {
    const p = assemblePacket(1, 7, randomBytes(16), [rawAttribute(1, Buffer.from('bob'))]);
    assert.equal(parsePacket(p.subarray(0, 10)), 'too-short');
    const long = Buffer.from(p);
    long.writeUInt16BE(p.length + 1, 2);
    assert.equal(parsePacket(long), 'bad-length');
    const overrun = Buffer.from(p);
    overrun[21] = 200;
    assert.equal(parsePacket(overrun), 'bad-attribute');
    const zero = Buffer.from(p);
    zero[21] = 0;
    assert.equal(parsePacket(zero), 'bad-attribute');
  });

  test('encoders refuse what does not fit', () => {
    assert.throws(() => rawAttribute(18, Buffer.alloc(254)), /exceeds 253/);
    assert.throws(
      () =>
        assemblePacket(
          2,
          1,
          Buffer.alloc(16),
          Array.from({ length: 20 }, () => rawAttribute(18, Buffer.alloc(250))),
        ),
      /RADIUS allows 4096/,
    );
    assert.throws(() => encodeAttribute('Class', 'x'.repeat(254)), /at most 253 fit/);
    assert.throws(() => encodeAttribute('Fortinet-Group-Name', 'x'.repeat(248)), /at most 247 fit/);
    assert.throws(() => encodeAttribute('No-Such-Attribute', 'x'), /unknown RADIUS attribute "No-Such-Attribute"/);
    assert.throws(() => encodeAttribute('Framed-IP-Address', 'not-an-ip'), /expected an IPv4 address/);
    assert.deepEqual(encodeAttribute('class', 'admins'), Buffer.concat([Buffer.from([25, 8]), Buffer.from('admins')]));
    assert.deepEqual(encodeAttribute('Session-Timeout', 3600), Buffer.from([27, 6, 0, 0, 0x0e, 0x10]));
  });

  test('Reply-Message splitting keeps UTF-8 characters whole', () => {
    const parts = splitText('€'.repeat(100));
    assert.deepEqual(
      parts.map((p) => p.length),
      [252, 48],
    );
    assert.equal(Buffer.concat(parts).toString(), '€'.repeat(100));
    assert.deepEqual(splitText(''), []);
  });
});

describe('User-Password hiding (RFC 2865 5.2)', () => {
  const auth = randomBytes(16);
  test('round trip for every length up to 128 bytes', () => {
    for (let n = 0; n <= 128; n++) {
      const pw = 'p'.repeat(n);
      const r = decryptPassword(encryptPassword(pw, 'secret-xyz', auth), 'secret-xyz', auth);
      assert.deepEqual(r, { ok: true, password: Buffer.from(pw), padding: n > 0 && n % 16 === 0 ? 'none' : 'nuls' });
    }
    assert.throws(() => encryptPassword('p'.repeat(129), 's', auth), /longer than 128/);
  });

  test('a password holding U+FFFD is passed on as its bytes', () => {
    for (const pw of ['\uFFFD', 'pin\uFFFD123456', '\uFFFD\uFFFD']) {
      assert.deepEqual(decryptPassword(encryptPassword(pw, 'secret-xyz', auth), 'secret-xyz', auth), { ok: true, password: Buffer.from(pw), padding: 'nuls' });
    }
  });

  test('padding that is not NULs is reported (it proves a wrong secret); bytes that are not UTF-8 are passed on as bytes', () => {
    const dirty = decryptPassword(encryptPassword('ab\u0000cdefghijklmn', 's3cret', auth), 's3cret', auth);
    assert.deepEqual(dirty, { ok: true, password: Buffer.from('ab'), padding: 'dirty' });
    const hidden = encryptPassword('x', 's3cret', auth);
    const latin1 = Buffer.from('caf\xe9\t123456\n', 'latin1');
    const raw = Buffer.alloc(16);
    latin1.copy(raw);
    // Encrypt raw bytes by XOR with the same keystream the text password used (its plaintext was 'x' and NULs).
    const keystream = Buffer.from(hidden.map((b, i) => b ^ (i === 0 ? 0x78 : 0)));
    const bytes = decryptPassword(Buffer.from(raw.map((b, i) => b ^ keystream[i]!)), 's3cret', auth);
    assert.deepEqual(bytes, { ok: true, password: latin1, padding: 'nuls' });
    // Under a wrong secret the bytes are random: never the password, though usually without a NUL that would prove it.
    for (let i = 0; i < 200; i++) {
      const r = decryptPassword(encryptPassword(`1234${String(i).padStart(6, '0')}`, 'right-secret', auth), 'wrong-secret', auth);
      assert.ok(r.ok);
      assert.notDeepEqual(r.password, Buffer.from(`1234${String(i).padStart(6, '0')}`));
    }
    assert.deepEqual(decryptPassword(Buffer.alloc(15), 's', auth), { ok: false, why: 'bad-length' });
    assert.deepEqual(decryptPassword(Buffer.alloc(144), 's', auth), { ok: false, why: 'bad-length' });
  });
});
