// The EAP packet codec, EAP-Message splitting, the TLS-method framing with
// fragmentation and reassembly, and the Diameter AVPs of TTLS.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeAvp, parseAvps, unpadPassword } from '../../src/eap/diameter.ts';
import { joinEapMessage, splitEapMessage } from '../../src/eap/eap-message.ts';
import { EAP_CODE, EAP_TYPE, encodeEap, encodeResult, nakTypes, parseEap } from '../../src/eap/packet.ts';
import { resultRequest, resultStatus } from '../../src/eap/peap.ts';
import { encodeTlsFrame, Fragmenter, fragmentDataSize, parseTlsFrame, Reassembler, TLS_FLAG } from '../../src/eap/tls-framing.ts';

describe('EAP packets', () => {
  test('a Response/Identity round-trips; padding past Length is ignored', () => {
    const bytes = encodeEap(EAP_CODE.Response, 7, EAP_TYPE.Identity, Buffer.from('alice'));
    assert.deepEqual([...bytes.subarray(0, 5)], [2, 7, 0, 10, 1]);
    const p = parseEap(Buffer.concat([bytes, Buffer.from([0, 0, 0])]));
    assert.ok(typeof p !== 'string');
    assert.equal(p.type, EAP_TYPE.Identity);
    assert.equal(p.data.toString(), 'alice');
  });

  test('malformed packets are named, not read past their end', () => {
    assert.equal(parseEap(Buffer.from([2, 1, 0])), 'too-short');
    assert.equal(parseEap(Buffer.from([2, 1, 0, 9, 1])), 'bad-length');
    assert.equal(parseEap(Buffer.from([2, 1, 0, 3])), 'bad-length');
    assert.equal(parseEap(Buffer.from([9, 1, 0, 5, 1])), 'bad-code');
    assert.equal(parseEap(Buffer.from([2, 1, 0, 4])), 'no-type');
  });

  test('Success and Failure are bare headers; a Nak lists types without zeros or repeats', () => {
    assert.deepEqual([...encodeResult(EAP_CODE.Success, 300)], [3, 44, 0, 4]);
    const nak = parseEap(encodeEap(EAP_CODE.Response, 1, EAP_TYPE.Nak, Buffer.from([25, 0, 21, 25])));
    assert.ok(typeof nak !== 'string');
    assert.deepEqual(nakTypes(nak), [25, 21]);
  });

  test('EAP-Message: split over 253-byte attributes and joined back', () => {
    const packet = Buffer.from(Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const pieces = splitEapMessage(packet);
    assert.deepEqual(
      pieces.map((p) => p.length),
      [253, 253, 253, 241],
    );
    assert.deepEqual(joinEapMessage(pieces), packet);
    assert.deepEqual(splitEapMessage(packet.subarray(0, 253)).length, 1);
  });
});

describe('TLS-method framing', () => {
  test('flags, version and length are read and written', () => {
    const frame = parseTlsFrame(encodeTlsFrame(TLS_FLAG.More, 0, Buffer.from('abc'), 9));
    assert.ok(typeof frame !== 'string');
    assert.equal(frame.flags & 0xe0, TLS_FLAG.Length | TLS_FLAG.More);
    assert.equal(frame.length, 9);
    assert.equal(frame.data.toString(), 'abc');
    assert.equal(parseTlsFrame(Buffer.from([0x80, 0, 0])), 'L flag set but no TLS message length');
  });

  test('a long message goes out in fragments: L and the length on the first, M on all but the last', () => {
    const message = Buffer.alloc(450, 7);
    const f = new Fragmenter(message, 200);
    const frames = [];
    while (!f.done) frames.push(parseTlsFrame(f.next(0)));
    assert.equal(frames.length, 3);
    const [a, b, c] = frames as Exclude<(typeof frames)[number], string>[];
    assert.equal(a!.length, 450);
    assert.ok(a!.flags & TLS_FLAG.More && b!.flags & TLS_FLAG.More && !(c!.flags & TLS_FLAG.More));
    assert.equal(b!.length, undefined);
    assert.deepEqual([a!.data.length, b!.data.length, c!.data.length], [200, 200, 50]);
    const single = parseTlsFrame(new Fragmenter(Buffer.alloc(10), 200).next(0));
    assert.ok(typeof single !== 'string' && single.length === undefined && !(single.flags & TLS_FLAG.More));
  });

  test("the peer's fragments are put back together", () => {
    const r = new Reassembler(1000);
    assert.deepEqual(r.add({ flags: TLS_FLAG.Length | TLS_FLAG.More, version: 0, length: 6, data: Buffer.from('abc') }), { done: false });
    assert.ok(r.pending);
    const done = r.add({ flags: 0, version: 0, data: Buffer.from('def') });
    assert.ok('message' in done && done.message.toString() === 'abcdef');
    assert.equal(r.pending, false);
  });

  test('reassembly limits: announced or sent beyond the maximum, beyond the announced length, empty M fragments', () => {
    assert.match((new Reassembler(100).add({ flags: TLS_FLAG.Length | TLS_FLAG.More, version: 0, length: 101, data: Buffer.alloc(1) }) as { error: string }).error, /101 bytes/);
    const r = new Reassembler(100);
    r.add({ flags: TLS_FLAG.More, version: 0, data: Buffer.alloc(60) });
    assert.match((r.add({ flags: TLS_FLAG.More, version: 0, data: Buffer.alloc(60) }) as { error: string }).error, /more than the 100 bytes/);
    const s = new Reassembler(100);
    assert.match((s.add({ flags: TLS_FLAG.Length, version: 0, length: 4, data: Buffer.alloc(5) }) as { error: string }).error, /announced as 4/);
    assert.match((new Reassembler(100).add({ flags: TLS_FLAG.More, version: 0, data: Buffer.alloc(0) }) as { error: string }).error, /empty fragment/);
  });

  test('fragment size: the configured EAP packet size, or the Framed-MTU less the EAPOL header, less our overhead', () => {
    assert.equal(fragmentDataSize(1024), 1014);
    assert.equal(fragmentDataSize(1024, 1400), 1014);
    assert.equal(fragmentDataSize(1024, 504), 490);
    assert.equal(fragmentDataSize(1024, 20), 64, 'an absurd MTU is taken as the minimum');
  });
});

describe('Diameter AVPs', () => {
  test('User-Name and a NUL-padded User-Password, with a vendor AVP, round-trip', () => {
    const bytes = Buffer.concat([
      encodeAvp({ code: 1, mandatory: true, data: Buffer.from('alice') }),
      encodeAvp({ code: 2, mandatory: true, data: Buffer.from('1234567890\0\0\0\0\0\0') }),
      encodeAvp({ code: 25, vendorId: 311, mandatory: false, data: Buffer.from([1, 2, 3]) }),
    ]);
    assert.equal(bytes.length % 4, 0);
    const avps = parseAvps(bytes);
    assert.ok(Array.isArray(avps));
    assert.deepEqual(
      avps.map((a) => [a.code, a.vendorId, a.mandatory]),
      [
        [1, undefined, true],
        [2, undefined, true],
        [25, 311, false],
      ],
    );
    assert.equal(avps[0]!.data.toString(), 'alice');
    assert.equal(unpadPassword(avps[1]!.data).toString(), '1234567890');
  });

  test('a length running past the end, or shorter than the header, is an error', () => {
    const one = encodeAvp({ code: 1, mandatory: true, data: Buffer.from('alice') });
    assert.match(parseAvps(one.subarray(0, 10)) as string, /runs past the end/);
    const short = Buffer.from(one);
    short.writeUIntBE(4, 5, 3);
    assert.match(parseAvps(short) as string, /shorter than its header/);
    assert.match(parseAvps(Buffer.alloc(5)) as string, /cut short/);
  });
});

describe('PEAP Result TLV', () => {
  test('the request is a whole Extensions packet; the status is read from a response', () => {
    const req = resultRequest(9, true);
    assert.deepEqual([...req], [1, 9, 0, 11, 33, 0x80, 3, 0, 2, 0, 1]);
    assert.equal(resultStatus(Buffer.from([0x80, 3, 0, 2, 0, 2])), 2);
    assert.equal(resultStatus(Buffer.from([0x00, 7, 0, 1, 9, 0x80, 3, 0, 2, 0, 1])), 1, 'after another TLV');
    assert.equal(resultStatus(Buffer.from([0x80, 3, 0, 9, 0])), undefined);
  });
});
