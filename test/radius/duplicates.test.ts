import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DuplicateCache } from '../../src/radius/duplicates.ts';

const key = (port: number, id = 9, auth = Buffer.alloc(16, 1), address = '192.0.2.1') => DuplicateCache.key(address, port, id, auth)!;

/** A distinct answer per request, of varying length, so a mix-up shows. */
function answerFor(i: number): Buffer {
  const b = Buffer.alloc(20 + (i % 200));
  b.writeUInt32BE(i, 4);
  b.fill(i & 0xff, 8);
  return b;
}

describe('duplicate cache', () => {
  test('new, in progress, answered, expired', () => {
    const cache = new DuplicateCache(30);
    const k = key(5000);
    assert.equal(cache.check(k, 0), 'new');
    assert.equal(cache.check(k, 10), 'in-progress');
    cache.complete(k, Buffer.from('answer'), 20);
    assert.deepEqual(cache.check(k, 29_000), Buffer.from('answer'));
    assert.equal(cache.check(k, 30_021), 'new', 'after 30 s it is a new request');
    assert.equal(cache.check(key(5001), 30_022), 'new', 'another source port is another request');
  });

  test('every field of the key tells requests apart', () => {
    const cache = new DuplicateCache(30);
    const base = key(1812, 7, Buffer.alloc(16, 3), '10.0.0.1');
    const others = [
      key(1812, 8, Buffer.alloc(16, 3), '10.0.0.1'),
      key(1812 + 256, 7, Buffer.alloc(16, 3), '10.0.0.1'),
      key(1812, 7, Buffer.alloc(16, 4), '10.0.0.1'),
      key(1812, 7, Buffer.alloc(16, 3), '10.0.0.10'),
      key(1812, 7, Buffer.alloc(16, 3), '2001:db8::1'),
    ];
    assert.equal(new Set([base, ...others].map((k) => k.text)).size, others.length + 1);
    cache.check(base, 0);
    cache.complete(base, Buffer.from('one'), 0);
    for (const k of others) assert.equal(cache.check(k, 1), 'new');
    assert.deepEqual(cache.check(base, 2), Buffer.from('one'));
  });

  test('an IPv4 source and its IPv4-mapped IPv6 form are one source; a name is no key', () => {
    const cache = new DuplicateCache(30);
    const v4 = key(1812, 1, Buffer.alloc(16, 2), '192.0.2.7');
    cache.check(v4, 0);
    cache.complete(v4, Buffer.from('one'), 0);
    assert.deepEqual(cache.check(key(1812, 1, Buffer.alloc(16, 2), '::ffff:192.0.2.7'), 1), Buffer.from('one'));
    assert.deepEqual(cache.check(key(1812, 1, Buffer.alloc(16, 2), '::FFFF:C000:0207'), 1), Buffer.from('one'));
    assert.equal(DuplicateCache.key('nas.example', 1812, 1, Buffer.alloc(16)), undefined);
  });

  test('answers with colliding hash buckets are still told apart (the chain is walked)', () => {
    // 5,000 answers in 8,192 buckets share over a thousand chains; each must still find its own answer.
    const cache = new DuplicateCache(30);
    for (let i = 0; i < 5000; i++) {
      const k = key(i % 3, i & 255, Buffer.alloc(16, i >> 8));
      cache.check(k, 0);
      cache.complete(k, answerFor(i), 0);
    }
    for (let i = 0; i < 5000; i++) assert.deepEqual(cache.check(key(i % 3, i & 255, Buffer.alloc(16, i >> 8)), 1), answerFor(i), `answer ${i}`);
  });

  test('100,000 answers across slabs and ring growth come back byte for byte', () => {
    const cache = new DuplicateCache(30);
    const auths = Array.from({ length: 100_000 }, () => randomBytes(16));
    auths.forEach((auth, i) => {
      const k = key(i % 65536, i & 255, auth);
      assert.equal(cache.check(k, i / 10), 'new');
      cache.complete(k, answerFor(i), i / 10);
    });
    assert.equal(cache.size, 100_000);
    for (let i = 0; i < auths.length; i += 997) {
      assert.deepEqual(cache.check(key(i % 65536, i & 255, auths[i]!), 10_000), answerFor(i), `answer ${i}`);
    }
  });

  test('answers expire oldest first and their slabs are released', () => {
    const cache = new DuplicateCache(1);
    for (let i = 0; i < 5000; i++) {
      const k = key(i);
      cache.check(k, i / 10);
      cache.complete(k, answerFor(i), i / 10);
    }
    assert.ok(cache.slabBytes >= 5000 * 20, 'the answers are held');
    // Answers were sent at 0..499.9 ms with a 1 s lifetime: at 1,000 ms only the first is due.
    assert.equal(cache.check(key(0), 1_000), 'new', 'an answer 1 s old is gone');
    assert.deepEqual(cache.check(key(4999), 1_000), answerFor(4999), 'a younger one is kept');
    assert.equal(cache.check(key(60_000), 2_000), 'new');
    assert.equal(cache.size, 2, 'only the two requests in progress remain');
    assert.ok(cache.slabBytes <= 64 * 1024, `at most the current slab is held, got ${cache.slabBytes}`);
  });

  test('after a burst the ring gives its room back and keeps the answers still live', () => {
    const cache = new DuplicateCache(1);
    for (let i = 0; i < 20_000; i++) {
      cache.check(key(i), 0);
      cache.complete(key(i), answerFor(i), 0);
    }
    const burst = cache.slots;
    assert.ok(burst >= 20_000 && burst < 30_000, `grows by half, not double: ${burst} slots`);
    for (let i = 0; i < 100; i++) {
      cache.check(key(i, 1), 1_500);
      cache.complete(key(i, 1), answerFor(i + 1), 1_500);
    }
    assert.ok(cache.slots < burst / 4, `shrunk to ${cache.slots} slots`);
    for (let i = 0; i < 100; i++) assert.deepEqual(cache.check(key(i, 1), 1_600), answerFor(i + 1));
  });

  test('a request still in progress blocks retransmissions for ten lifetimes, then is handled again', () => {
    const cache = new DuplicateCache(30);
    const k = key(1);
    assert.equal(cache.check(k, 0), 'new');
    assert.equal(cache.check(k, 299_999), 'in-progress');
    assert.equal(cache.check(k, 300_001), 'new');
  });

  test('a hung request does not keep answers sent after it', () => {
    const cache = new DuplicateCache(1);
    cache.check(key(1), 0);
    for (let i = 2; i < 3000; i++) {
      cache.check(key(i), 0);
      cache.complete(key(i), answerFor(i), 0);
    }
    cache.check(key(9999), 5_000);
    assert.equal(cache.size, 2, 'the hung request and the new one');
    assert.ok(cache.slabBytes <= 64 * 1024);
    assert.equal(cache.check(key(1), 5_001), 'in-progress');
  });

  test('forget: a dropped request is handled afresh, and its old slot does not resurrect it', () => {
    const cache = new DuplicateCache(30);
    const k = key(7);
    cache.check(k, 0);
    cache.forget(k);
    assert.equal(cache.check(k, 1), 'new');
    cache.complete(k, Buffer.from('first'), 2);
    cache.forget(k);
    assert.equal(cache.check(k, 3), 'new');
    cache.complete(k, Buffer.from('second'), 4);
    // The first answer's slot expires before the second's; the key must still give the second.
    assert.deepEqual(cache.check(k, 30_003), Buffer.from('second'));
    assert.equal(cache.check(k, 30_005), 'new');
  });

  test('bounded size: the oldest answers go first', () => {
    const cache = new DuplicateCache(30, 100);
    for (let i = 0; i < 1000; i++) {
      const k = key(i, 1, Buffer.alloc(16));
      cache.check(k, 0);
      cache.complete(k, Buffer.alloc(1, i & 0xff), 0);
    }
    assert.ok(cache.size <= 101, `size ${cache.size}`);
    assert.deepEqual(cache.check(key(999, 1, Buffer.alloc(16)), 1), Buffer.alloc(1, 999 & 0xff));
    assert.equal(cache.check(key(0, 1, Buffer.alloc(16)), 1), 'new');
  });
});
