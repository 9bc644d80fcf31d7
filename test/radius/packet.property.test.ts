// Property tests of RADIUS framing and integrity with the test client's
// builder: a built request parses back to what was put in, its password
// decrypts back, its Message-Authenticator verifies and any changed byte
// breaks it; an answer built for it verifies with the client's check; and
// no byte string makes the parser throw or hand out an attribute that does
// not lie inside the packet.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decryptPassword, verifyRequestMessageAuthenticator, verifyResponse } from '../../src/radius/authenticator.ts';
import { buildRequest, type RequestSpec } from '../../src/radius/client.ts';
import { ATTR, CODE, MAX_PACKET_LENGTH, parsePacket, rawAttribute, type RawPacket } from '../../src/radius/packet.ts';
import { encodeReply } from '../../src/radius/reply.ts';

const text = (maxBytes: number, minLength = 0): fc.Arbitrary<string> =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: secrets, user names and passwords here are printable text, so C0 controls and DEL are left out.
  fc.string({ unit: 'grapheme', minLength, maxLength: 40 }).filter((s) => Buffer.byteLength(s) <= maxBytes && !/[\u0000-\u001f\u007f]/.test(s));

// Types the builder sets itself are left out of the extra attributes, so that each one appears once.
const OWN = new Set<number>([ATTR.UserName, ATTR.UserPassword, ATTR.State, ATTR.MessageAuthenticator]);
const extra = fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => !OWN.has(t)), value: fc.uint8Array({ maxLength: 60 }) });

const spec = fc
  .record(
    {
      code: fc.constantFrom(CODE.AccessRequest, CODE.StatusServer),
      identifier: fc.integer({ min: 0, max: 255 }),
      secret: text(64, 1),
      userName: text(253, 1),
      password: text(128),
      state: fc.uint8Array({ minLength: 1, maxLength: 253 }).map((a) => Buffer.from(a)),
      attributes: fc.array(extra, { maxLength: 8 }),
      messageAuthenticator: fc.boolean(),
      authenticator: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a)),
    },
    { requiredKeys: ['identifier', 'secret', 'messageAuthenticator', 'authenticator'] },
  )
  .map((s) => ({ ...s, attributes: (s.attributes ?? []).map((a) => rawAttribute(a.type, Buffer.from(a.value))) }) as RequestSpec & { attributes: Buffer[] });

function parsed(bytes: Buffer): RawPacket {
  const p = parsePacket(bytes);
  assert.ok(typeof p !== 'string', `does not parse: ${p as string}`);
  return p;
}

describe('packet build -> parse round trips (fast-check)', () => {
  test('a built request parses back to its code, identifier, authenticator and attributes, in order', () => {
    fc.assert(
      fc.property(spec, (s) => {
        const built = buildRequest(s);
        const p = parsed(built.bytes);
        assert.equal(p.data.length, built.bytes.length);
        assert.deepEqual([p.code, p.identifier, p.authenticator], [s.code ?? CODE.AccessRequest, s.identifier, s.authenticator]);
        const types = [
          ...(s.messageAuthenticator ? [ATTR.MessageAuthenticator] : []),
          ...(s.userName !== undefined ? [ATTR.UserName] : []),
          ...(s.password !== undefined ? [ATTR.UserPassword] : []),
          ...(s.state !== undefined ? [ATTR.State] : []),
          ...s.attributes.map((a) => a[0]!),
        ];
        assert.deepEqual(
          p.attributes.map((a) => a.type),
          types,
        );
        if (s.userName !== undefined) assert.equal(p.attributes.find((a) => a.type === ATTR.UserName)!.value.toString('utf8'), s.userName);
        if (s.state !== undefined) assert.deepEqual(p.attributes.find((a) => a.type === ATTR.State)!.value, s.state);
        const extras = p.attributes.slice(types.length - s.attributes.length);
        for (const [i, a] of extras.entries()) assert.deepEqual(a.value, s.attributes[i]!.subarray(2));
      }),
      { numRuns: 500 },
    );
  });

  test('User-Password decrypts back to the password with the secret and the request authenticator', () => {
    fc.assert(
      fc.property(spec, text(128), (s, password) => {
        const p = parsed(buildRequest({ ...s, password }).bytes);
        const hidden = p.attributes.find((a) => a.type === ATTR.UserPassword)!.value;
        assert.equal(hidden.length, Math.max(16, Math.ceil(Buffer.byteLength(password) / 16) * 16));
        const bytes = Buffer.from(password, 'utf8');
        const r = decryptPassword(hidden, s.secret, s.authenticator!);
        // Passwords are bytes: a NUL inside one ends it, as RADIUS pads with NULs.
        const nul = bytes.indexOf(0);
        const expected = nul < 0 ? bytes : bytes.subarray(0, nul);
        assert.ok(r.ok);
        assert.deepEqual(r.password, expected);
        assert.equal(r.padding, nul >= 0 ? (bytes.subarray(nul).every((b) => b === 0) ? 'nuls' : 'dirty') : bytes.length % 16 === 0 && bytes.length > 0 ? 'none' : 'nuls');
      }),
      { numRuns: 500 },
    );
  });

  test('Message-Authenticator verifies, and any changed byte of the packet breaks it', () => {
    fc.assert(
      fc.property(spec, fc.nat(), fc.integer({ min: 1, max: 255 }), (s, at, xor) => {
        const built = buildRequest({ ...s, messageAuthenticator: true });
        const p = parsed(built.bytes);
        assert.equal(verifyRequestMessageAuthenticator(p, p.attributes[0]!, s.secret), true);
        const changed = Buffer.from(built.bytes);
        const i = at % changed.length;
        changed[i]! ^= xor;
        const q = parsePacket(changed);
        if (typeof q === 'string') return;
        const ma = q.attributes.find((a) => a.type === ATTR.MessageAuthenticator);
        if (!ma) return;
        assert.equal(verifyRequestMessageAuthenticator(q, ma, s.secret), false, `byte ${i} changed`);
      }),
      { numRuns: 500 },
    );
  });

  test('an answer to a built request verifies with its authenticator and secret, and echoes Proxy-State in order', () => {
    const proxyStates = fc.array(
      fc.uint8Array({ minLength: 1, maxLength: 30 }).map((a) => rawAttribute(ATTR.ProxyState, Buffer.from(a))),
      { maxLength: 4 },
    );
    const answerCode = fc.constantFrom(CODE.AccessAccept, CODE.AccessReject, CODE.AccessChallenge);
    const reply = fc.array(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((a) => rawAttribute(ATTR.ReplyMessage, Buffer.from(a))),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(spec, proxyStates, answerCode, reply, (s, ps, code, attrs) => {
        const request = parsed(buildRequest({ ...s, attributes: [...s.attributes, ...ps] }).bytes);
        const answer = parsed(encodeReply(request, code, attrs, s.secret));
        assert.deepEqual([answer.code, answer.identifier], [code, s.identifier]);
        assert.equal(verifyResponse(answer, s.authenticator!, s.secret), true);
        assert.equal(verifyResponse(answer, Buffer.alloc(16, 1), s.secret), s.authenticator!.equals(Buffer.alloc(16, 1)));
        const sent = request.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => a.value.toString('hex'));
        assert.deepEqual(
          answer.attributes.filter((a) => a.type === ATTR.ProxyState).map((a) => a.value.toString('hex')),
          sent,
        );
      }),
      { numRuns: 300 },
    );
  });

  test('a request that would pass 4096 bytes is refused by the builder', () => {
    fc.assert(
      fc.property(spec, fc.integer({ min: 15, max: 20 }), (s, count) => {
        const big = Array.from({ length: count }, (_, i) => rawAttribute(100 + i, Buffer.alloc(253, i)));
        const size = buildRequestSize({ ...s, attributes: big });
        if (size <= MAX_PACKET_LENGTH) assert.equal(buildRequest({ ...s, attributes: big }).bytes.length, size);
        else assert.throws(() => buildRequest({ ...s, attributes: big }), RangeError);
      }),
      { numRuns: 100 },
    );
  });

  test('any bytes: parsePacket answers a framing error or attributes that tile the packet exactly', () => {
    const header = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }));
    const body = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 })), { maxLength: 20 });
    const framed = fc.tuple(header, body, fc.integer({ min: -3, max: 3 })).map(([[code, id], attrs, skew]) => {
      const parts = attrs.map(([t, v]) => Buffer.concat([Buffer.from([t, v.length + 2]), v]));
      const out = Buffer.concat([Buffer.from([code, id, 0, 0]), Buffer.alloc(16), ...parts]);
      out.writeUInt16BE(Math.max(0, out.length + skew), 2);
      return out;
    });
    fc.assert(
      fc.property(
        fc.oneof(
          framed,
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        ),
        (bytes) => {
          const p = parsePacket(bytes);
          if (typeof p === 'string') return;
          let off = 20;
          for (const a of p.attributes) {
            assert.equal(a.offset, off);
            assert.equal(p.data[off + 1], a.value.length + 2, 'the value is as long as its Length byte says');
            assert.deepEqual(a.value, p.data.subarray(off + 2, off + 2 + a.value.length));
            off += a.value.length + 2;
          }
          assert.equal(off, p.data.length);
          assert.equal(p.data.length, bytes.readUInt16BE(2));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function buildRequestSize(s: RequestSpec): number {
  const password = s.password === undefined ? 0 : 2 + Math.max(16, Math.ceil(Buffer.byteLength(s.password) / 16) * 16);
  return (
    20 +
    (s.messageAuthenticator ? 18 : 0) +
    (s.userName === undefined ? 0 : 2 + Buffer.byteLength(s.userName)) +
    password +
    (s.state === undefined ? 0 : 2 + s.state.length) +
    (s.attributes ?? []).reduce((n, a) => n + a.length, 0)
  );
}
