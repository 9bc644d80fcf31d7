// The generator's requests are read back with the server's own parser and
// checks, and its answer reader with the server's own reply encoder.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthenticatorSource, CODE, decodeAnswer, encodeRequest, userNameAttribute } from '../../bench/packets.ts';
import { decryptPassword, verifyRequestMessageAuthenticator } from '../../src/radius/authenticator.ts';
import { ATTR, firstAttribute, parsePacket, rawAttribute, type RawPacket } from '../../src/radius/packet.ts';
import { encodeReply } from '../../src/radius/reply.ts';

const SECRET = 'a-bench-test-secret';
const AUTH = Buffer.alloc(16, 7);

function parsed(bytes: Buffer): RawPacket {
  const p = parsePacket(bytes);
  assert.notEqual(typeof p, 'string', `framing error: ${String(p)}`);
  return p as RawPacket;
}

describe('encodeRequest', () => {
  test('an Access-Request the server decodes: user, hidden password, NAS address, signed Message-Authenticator first', () => {
    const bytes = encodeRequest({ code: CODE.AccessRequest, identifier: 42, authenticator: AUTH, userName: userNameAttribute('u000001'), password: '1234287082', messageAuthenticator: true }, SECRET);
    const p = parsed(bytes);
    assert.equal(p.code, CODE.AccessRequest);
    assert.equal(p.identifier, 42);
    assert.equal(p.attributes[0]!.type, ATTR.MessageAuthenticator);
    assert.ok(verifyRequestMessageAuthenticator(p, p.attributes[0]!, SECRET));
    assert.equal(firstAttribute(p, ATTR.UserName)!.value.toString(), 'u000001');
    assert.deepEqual(decryptPassword(firstAttribute(p, ATTR.UserPassword)!.value, SECRET, AUTH), { ok: true, password: Buffer.from('1234287082'), padding: 'nuls' });
    assert.deepEqual([...firstAttribute(p, ATTR.NasIpAddress)!.value], [127, 0, 0, 1]);
  });

  test('without Message-Authenticator, with State; a wrong secret does not verify', () => {
    const state = Buffer.from('0123456789abcdef0123456789abcdef');
    const p = parsed(encodeRequest({ code: CODE.AccessRequest, identifier: 1, authenticator: AUTH, userName: userNameAttribute('x'), password: '287082', state, messageAuthenticator: false }, SECRET));
    assert.equal(firstAttribute(p, ATTR.MessageAuthenticator), undefined);
    assert.deepEqual(firstAttribute(p, ATTR.State)!.value, state);
    const withMa = parsed(encodeRequest({ code: CODE.AccessRequest, identifier: 1, authenticator: AUTH, password: 'x', messageAuthenticator: true }, SECRET));
    assert.equal(verifyRequestMessageAuthenticator(withMa, withMa.attributes[0]!, 'another-secret'), false);
  });

  test('Status-Server carries only its Message-Authenticator', () => {
    const p = parsed(encodeRequest({ code: CODE.StatusServer, identifier: 9, authenticator: AUTH, messageAuthenticator: true }, SECRET));
    assert.equal(p.code, CODE.StatusServer);
    assert.deepEqual(
      p.attributes.map((a) => a.type),
      [ATTR.MessageAuthenticator],
    );
    assert.ok(verifyRequestMessageAuthenticator(p, p.attributes[0]!, SECRET));
  });

  test('bad input is refused with the reason', () => {
    assert.throws(() => encodeRequest({ code: 1, identifier: 1, authenticator: Buffer.alloc(15), messageAuthenticator: false }, SECRET), /authenticator: expected 16 bytes, got 15/);
    assert.throws(() => userNameAttribute(''), /User-Name: expected 1..253 bytes, got 0/);
    assert.throws(() => userNameAttribute('x'.repeat(254)), /got 254/);
  });
});

describe('decodeAnswer', () => {
  const request = parsed(encodeRequest({ code: CODE.AccessRequest, identifier: 5, authenticator: AUTH, userName: userNameAttribute('u1'), password: '1234', messageAuthenticator: true }, SECRET));

  test('reads code and identifier of a signed answer and finds the State of a challenge', () => {
    const state = Buffer.from('feedfacefeedfacefeedfacefeedface');
    const reply = encodeReply(request, CODE.AccessChallenge, [rawAttribute(ATTR.ReplyMessage, Buffer.from('Please enter your OTP')), rawAttribute(ATTR.State, state)], SECRET);
    const a = decodeAnswer(reply, AUTH, SECRET);
    assert.deepEqual(a, { code: CODE.AccessChallenge, identifier: 5, authentic: true, state });
  });

  test('an answer signed with another secret, or for another request, is not authentic', () => {
    const reply = encodeReply(request, CODE.AccessAccept, [], SECRET);
    assert.equal(decodeAnswer(reply, AUTH, 'wrong-secret')!.authentic, false);
    assert.equal(decodeAnswer(reply, Buffer.alloc(16, 8), SECRET)!.authentic, false);
    assert.equal(decodeAnswer(reply, AUTH, SECRET)!.authentic, true);
  });

  test('malformed datagrams give undefined', () => {
    assert.equal(decodeAnswer(Buffer.alloc(10), AUTH, SECRET), undefined);
    const short = encodeReply(request, CODE.AccessAccept, [], SECRET);
    short.writeUInt16BE(short.length + 1, 2);
    assert.equal(decodeAnswer(short, AUTH, SECRET), undefined);
    const badAttr = encodeReply(request, CODE.AccessChallenge, [rawAttribute(ATTR.State, Buffer.from('s'))], SECRET);
    badAttr[badAttr.length - 2] = 1;
    assert.equal(decodeAnswer(badAttr, AUTH, SECRET), undefined);
  });
});

test('AuthenticatorSource never repeats and wants an 8-byte prefix', () => {
  const src = new AuthenticatorSource(Buffer.alloc(8, 1));
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(src.next().toString('hex'));
  assert.equal(seen.size, 10_000);
  assert.throws(() => new AuthenticatorSource(Buffer.alloc(4)), /prefix: expected 8 bytes, got 4/);
});
