// RADIUS packets out of a byte stream: split over reads, several in one
// read, a Length field that cannot be believed, a stream ended mid-packet.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRequest } from '../../src/radius/client.ts';
import { PacketStream } from '../../src/radius/tcp-framing.ts';

const a = buildRequest({ identifier: 1, secret: 'radsec', userName: 'alice', password: '1234' }).bytes;
const b = buildRequest({ identifier: 2, secret: 'radsec', userName: 'bob', password: 'a much longer password', messageAuthenticator: true }).bytes;

describe('TCP framing', () => {
  test('one packet in one read', () => {
    const s = new PacketStream();
    assert.deepEqual(s.push(a), [a]);
    assert.equal(s.partial, 0);
  });

  test('a packet split at every byte comes out whole, once', () => {
    for (let cut = 1; cut < a.length; cut++) {
      const s = new PacketStream();
      assert.deepEqual(s.push(a.subarray(0, cut)), [], `cut at ${cut}`);
      assert.equal(s.partial, cut);
      assert.deepEqual(s.push(a.subarray(cut)), [a], `cut at ${cut}`);
      assert.equal(s.partial, 0);
    }
  });

  test('byte by byte', () => {
    const s = new PacketStream();
    const out: Buffer[] = [];
    for (const byte of Buffer.concat([a, b])) {
      const r = s.push(Buffer.from([byte]));
      assert.notEqual(r, 'bad-length');
      out.push(...(r as Buffer[]));
    }
    assert.deepEqual(out, [a, b]);
  });

  test('two packets and the start of a third in one read', () => {
    const s = new PacketStream();
    assert.deepEqual(s.push(Buffer.concat([a, b, a.subarray(0, 7)])), [a, b]);
    assert.equal(s.partial, 7);
    assert.deepEqual(s.push(a.subarray(7)), [a]);
  });

  test('the packets handed out are copies: the read buffer may be reused', () => {
    const s = new PacketStream();
    const chunk = Buffer.from(a);
    const [p] = s.push(chunk) as Buffer[];
    chunk.fill(0);
    assert.deepEqual(p, a);
  });

  test('a Length below the header or above 4096 breaks the stream for good', () => {
    for (const length of [0, 19, 4097, 0xffff]) {
      const s = new PacketStream();
      const lie = Buffer.from(a);
      lie.writeUInt16BE(length, 2);
      assert.equal(s.push(lie), 'bad-length', `Length ${length}`);
      assert.equal(s.push(b), 'bad-length', 'nothing after it is read');
      assert.equal(s.partial, 0);
    }
    // Even before the rest of the header arrives.
    const s = new PacketStream();
    assert.equal(s.push(Buffer.from([1, 2, 0x20, 0])), 'bad-length');
  });

  test('a Length longer than the packet waits for bytes that are not its own, then swallows the next packet', () => {
    const s = new PacketStream();
    const lie = Buffer.from(a);
    lie.writeUInt16BE(a.length + 10, 2);
    assert.deepEqual(s.push(lie), [], 'the packet looks unfinished');
    assert.equal(s.partial, a.length);
    const out = s.push(b);
    // What follows the swallowed bytes is read as a header: it may be believed or not; the server closes the connection either way.
    const first = Array.isArray(out) ? out[0] : undefined;
    if (first) assert.deepEqual(first, Buffer.concat([lie, b.subarray(0, 10)]));
    else assert.equal(out, 'bad-length');
  });

  test('a stream that ends mid-packet leaves its bytes as partial', () => {
    const s = new PacketStream();
    assert.deepEqual(s.push(Buffer.concat([a, b.subarray(0, 30)])), [a]);
    assert.equal(s.partial, 30);
  });
});
