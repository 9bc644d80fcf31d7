// The shared-secret hashes against node:crypto's own HMAC and MD5 objects,
// for secrets around the HMAC block size and packets up to the largest.

import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { packetHmac, packetMd5, secretMd5 } from '../../src/radius/secret-hash.ts';

const SECRETS = ['s', 'testing123', 'ä-secret-with-ünïcode', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(65), 'long'.repeat(60)];
const LENGTHS = [20, 21, 64, 100, 1000, 4096];

function withField(packet: Buffer, field: Buffer, zeroAt?: number): Buffer {
  const copy = Buffer.from(packet);
  field.copy(copy, 4);
  if (zeroAt !== undefined) copy.fill(0, zeroAt, zeroAt + 16);
  return copy;
}

/** Runs `check` for every secret and packet length with a random packet and field, then checks the packet was left as it was. */
function eachCase(check: (secret: string, packet: Buffer, field: Buffer, where: string) => void): void {
  for (const secret of SECRETS) {
    for (const len of LENGTHS) {
      const packet = randomBytes(len);
      const before = Buffer.from(packet);
      check(secret, packet, randomBytes(16), `secret of ${secret.length} chars, packet of ${len}`);
      assert.deepEqual(packet, before);
    }
  }
}

describe('shared-secret hashes', () => {
  test('packetHmac is HMAC-MD5 of the edited packet, and leaves the packet as it was', () => {
    eachCase((secret, packet, field, where) => {
      const zeroAt = packet.length >= 40 ? 22 : undefined;
      const expected = createHmac('md5', secret)
        .update(withField(packet, field, zeroAt))
        .digest();
      assert.deepEqual(packetHmac(secret, packet, field, zeroAt), expected, where);
      assert.deepEqual(packetHmac(secret, packet), createHmac('md5', secret).update(packet).digest(), where);
    });
  });

  test('packetMd5 is MD5 of the packet with its authenticator field replaced, then the secret', () => {
    eachCase((secret, packet, field, where) => {
      const expected = createHash('md5').update(withField(packet, field)).update(secret, 'utf8').digest();
      assert.deepEqual(packetMd5(packet, field, secret), expected, where);
    });
  });

  test('secretMd5 is MD5 of the secret, then 16 bytes', () => {
    for (const secret of SECRETS) {
      const block = randomBytes(16);
      assert.deepEqual(secretMd5(secret, block), createHash('md5').update(secret, 'utf8').update(block).digest());
    }
  });

  test('a packet past 4096 bytes still hashes right (the reused buffer grows)', () => {
    const packet = randomBytes(9000);
    assert.deepEqual(packetHmac('testing123', packet), createHmac('md5', 'testing123').update(packet).digest());
    assert.deepEqual(
      packetMd5(packet, Buffer.alloc(16), 'testing123'),
      createHash('md5')
        .update(withField(packet, Buffer.alloc(16)))
        .update('testing123')
        .digest(),
    );
  });

  test('more secrets than the memo holds: every answer is still right', () => {
    const packet = randomBytes(60);
    for (let i = 0; i < 5000; i++) {
      const secret = `secret-${i}`;
      if (i % 97 === 0 || i > 4990) assert.deepEqual(packetHmac(secret, packet), createHmac('md5', secret).update(packet).digest(), secret);
      else packetHmac(secret, packet);
    }
    assert.deepEqual(packetHmac('secret-3', packet), createHmac('md5', 'secret-3').update(packet).digest());
  });
});
