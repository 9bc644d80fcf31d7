// The listener on a real UDP socket, driven by radclient and by our own client.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Decision } from '../../src/model/decision.ts';
import type { AccessRequest } from '../../src/model/access-request.ts';
import { buildRequest, RadiusClient, responseAttributes } from '../../src/radius/client.ts';
import { encryptPassword } from '../../src/radius/authenticator.ts';
import { ATTR, CODE, rawAttribute } from '../../src/radius/packet.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { captureLogs, delay, radclient, SECRET, startServer, testConfigYaml } from '../helpers/radius.ts';

describe('RADIUS listener', () => {
  let server: RadiusServer;
  let client: RadiusClient;
  const seen: AccessRequest[] = [];
  let nextDecision: (r: AccessRequest) => Promise<Decision> = async () => ({ decision: 'reject', reason: 'test' });
  const logs = captureLogs();
  let id = 0;
  const nextId = (): number => (id = (id + 1) % 256);

  before(async () => {
    server = await startServer(
      testConfigYaml(`  - name: strict
    address: 127.0.0.2
    secret: another-secret-of-length
    requireMessageAuthenticator: true`),
      async (r) => {
        seen.push(r);
        return nextDecision(r);
      },
      logs,
    );
    client = new RadiusClient('127.0.0.1', server.port());
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  test('Status-Server from radclient gets Access-Accept', async () => {
    const r = await radclient(['-x', '-r', '1', '-t', '2', `127.0.0.1:${server.port()}`, 'status', SECRET], 'Message-Authenticator = 0x00\n');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Received Access-Accept/);
  });

  test('Access-Request from radclient reaches the handler with the decrypted password', async () => {
    nextDecision = async () => ({ decision: 'accept', reason: 'ok', replyMessage: 'welcome' });
    seen.length = 0;
    const r = await radclient(
      ['-x', '-r', '1', '-t', '2', `127.0.0.1:${server.port()}`, 'auth', SECRET],
      'User-Name = "bob@example"\nUser-Password = "1234 567890"\nNAS-Identifier = "vpn-gw"\nCalling-Station-Id = "198.51.100.7"\nNAS-Port-Type = Virtual\n',
    );
    assert.match(r.stdout, /Received Access-Accept/);
    assert.match(r.stdout, /Reply-Message = "welcome"/);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.userName, 'bob@example');
    assert.deepEqual(seen[0]!.password, Buffer.from('1234 567890'));
    assert.equal(seen[0]!.nas.identifier, 'vpn-gw');
    assert.equal(seen[0]!.nas.client, 'local');
    assert.equal(seen[0]!.callingStationId, '198.51.100.7');
  });

  test('a request with a wrong secret is dropped where that is proven: by the Message-Authenticator, or by padding that is not NULs', async () => {
    const before = server.stats.droppedTotal();
    const signed = await radclient(
      ['-x', '-r', '1', '-t', '1', `127.0.0.1:${server.port()}`, 'auth', 'not-the-right-secret'],
      'User-Name = "bob"\nUser-Password = "123456"\nMessage-Authenticator = 0x00\n',
    );
    assert.match(signed.stdout + signed.stderr, /No reply/);
    assert.ok((server.stats.dropped.get('bad-message-authenticator') ?? 0) >= 1);
    // Without one, padding that decrypts to something other than NULs proves the secret wrong.
    const authenticator = randomBytes(16);
    const dirty = buildRequest({
      identifier: nextId(),
      secret: SECRET,
      userName: 'bob',
      authenticator,
      attributes: [rawAttribute(ATTR.UserPassword, encryptPassword(Buffer.from('12\u0000x'), SECRET, authenticator))],
    });
    assert.equal(await client.send(dirty, SECRET, 500), undefined);
    assert.equal(server.stats.dropped.get('bad-password'), 1);
    assert.equal(server.stats.droppedTotal() - before, 2);
  });

  test('an authentic request whose password is not UTF-8 text (Latin-1, a TAB, a trailing LF) is answered', async () => {
    const seenPasswords: Buffer[] = [];
    nextDecision = async (r) => {
      seenPasswords.push(r.password!);
      return { decision: 'reject', reason: 'wrong pin' };
    };
    const passwords = [Buffer.from('caf\xe9123456', 'latin1'), Buffer.from('12\t34123456'), Buffer.from('1234123456\n')];
    for (const password of passwords) {
      const signed = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password, messageAuthenticator: true }), SECRET);
      assert.equal(signed?.packet.code, CODE.AccessReject, `signed: ${password.toString('hex')}`);
      const unsigned = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password }), SECRET);
      assert.equal(unsigned?.packet.code, CODE.AccessReject, `unsigned: ${password.toString('hex')}`);
    }
    assert.deepEqual(
      seenPasswords,
      passwords.flatMap((p) => [p, p]),
      'the handler gets the bytes as sent',
    );
  });

  test('a one-bit-flipped Message-Authenticator is dropped, for every one of its 128 bits', async () => {
    const before = server.stats.dropped.get('bad-message-authenticator') ?? 0;
    for (let bit = 0; bit < 128; bit++) {
      const req = buildRequest({ identifier: bit, secret: SECRET, userName: 'eve', password: 'x', messageAuthenticator: true });
      req.bytes[22 + (bit >> 3)]! ^= 1 << (bit & 7);
      client.transmit(req.bytes);
    }
    await delay(300);
    assert.equal((server.stats.dropped.get('bad-message-authenticator') ?? 0) - before, 128);
    // The unflipped request passes.
    nextDecision = async () => ({ decision: 'reject', reason: 'test' });
    const ok = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'eve', password: 'x', messageAuthenticator: true }), SECRET);
    assert.equal(ok?.packet.code, CODE.AccessReject);
  });

  test('every answer has Message-Authenticator first, a valid authenticator, and echoes Proxy-State in order', async () => {
    nextDecision = async () => ({ decision: 'accept', reason: 'ok' });
    const states = [Buffer.from('first-proxy'), Buffer.from('second-proxy'), randomBytes(40)];
    const req = buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw', attributes: states.map((s) => rawAttribute(ATTR.ProxyState, s)) });
    const res = await client.send(req, SECRET);
    assert.ok(res, 'no answer');
    assert.equal(res.verified, true);
    assert.equal(res.packet.attributes[0]!.type, ATTR.MessageAuthenticator);
    assert.deepEqual(responseAttributes(res.packet, ATTR.ProxyState), states);
  });

  test('a long Reply-Message is split over several attributes', async () => {
    const text = 'Ä'.repeat(150) + 'x'.repeat(300);
    nextDecision = async () => ({ decision: 'reject', reason: 'test', replyMessage: text });
    const res = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw' }), SECRET);
    assert.ok(res);
    const parts = responseAttributes(res.packet, ATTR.ReplyMessage);
    assert.equal(parts.length, 3);
    for (const p of parts) assert.ok(p.length <= 253);
    assert.equal(Buffer.concat(parts).toString('utf8'), text);
    for (const p of parts) assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(p));
  });

  test('Access-Challenge carries State, Reply-Message and Session-Timeout', async () => {
    const transactionId = randomBytes(16).toString('hex');
    nextDecision = async () => ({ decision: 'challenge', reason: 'challenge', replyMessage: 'Enter the OTP', challenge: { transactionId, data: '', serials: ['T1'], timeout: 120 } });
    const r = await radclient(['-x', '-r', '1', '-t', '2', `127.0.0.1:${server.port()}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "1234"\n');
    assert.match(r.stdout, /Received Access-Challenge/);
    assert.match(r.stdout, new RegExp(`State = 0x${Buffer.from(transactionId).toString('hex')}`));
    assert.match(r.stdout, /Session-Timeout = 120/);
    assert.match(r.stdout, /Reply-Message = "Enter the OTP"/);
  });

  test('a retransmission gets the byte-identical answer and the handler runs once', async () => {
    let calls = 0;
    nextDecision = async () => {
      calls++;
      await delay(150);
      return { decision: 'accept', reason: 'ok', replyMessage: 'once' };
    };
    const req = buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw' });
    const first = client.send(req, SECRET, 2000);
    await delay(30);
    client.transmit(req.bytes); // arrives while the first is in progress
    const a = await first;
    const b = await client.send(req, SECRET); // after the answer: from the cache
    assert.ok(a && b);
    assert.deepEqual(b.bytes, a.bytes);
    assert.equal(calls, 1);
    assert.ok(server.stats.duplicates >= 1);
  });

  test('a handler error is an Access-Reject, not a crash', async () => {
    nextDecision = async () => {
      throw new Error('store down');
    };
    const res = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw' }), SECRET);
    assert.equal(res?.packet.code, CODE.AccessReject);
  });

  test('an answer that cannot be encoded becomes a reject, not an accept without its attributes', async () => {
    nextDecision = async () => ({ decision: 'accept', reason: 'ok', replyAttributes: [{ name: 'No-Such-Attribute', value: 'x' }] });
    const res = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw' }), SECRET);
    assert.equal(res?.packet.code, CODE.AccessReject);
  });

  test('malformed packets are dropped and counted; the next good request is answered', async () => {
    const good = (): Buffer => buildRequest({ identifier: 7, secret: SECRET, userName: 'bob', password: 'pw' }).bytes;
    const corpus: Buffer[] = [];
    corpus.push(Buffer.alloc(0), Buffer.alloc(1), good().subarray(0, 19)); // truncated
    const longLen = good();
    longLen.writeUInt16BE(longLen.length + 10, 2);
    corpus.push(longLen); // length beyond the datagram
    const shortLen = good();
    shortLen.writeUInt16BE(12, 2);
    corpus.push(shortLen); // length under the header
    const huge = good();
    huge.writeUInt16BE(5000, 2);
    corpus.push(huge);
    const zeroAttr = good();
    zeroAttr[21] = 0;
    corpus.push(zeroAttr); // attribute length 0
    const oneAttr = good();
    oneAttr[21] = 1;
    corpus.push(oneAttr);
    const overrun = good();
    overrun[21] = 250;
    corpus.push(overrun); // runs past the end
    const dangling = Buffer.concat([good(), Buffer.from([1])]);
    dangling.writeUInt16BE(dangling.length, 2);
    corpus.push(dangling); // half an attribute header
    const wrongCode = good();
    wrongCode[0] = CODE.AccessAccept;
    corpus.push(wrongCode);
    const coa = good();
    coa[0] = 43;
    corpus.push(coa);
    const badPw = buildRequest({ identifier: 9, secret: SECRET, userName: 'bob', attributes: [rawAttribute(ATTR.UserPassword, Buffer.alloc(15))] }).bytes;
    corpus.push(badPw);
    const twoMa = buildRequest({
      identifier: 10,
      secret: SECRET,
      userName: 'bob',
      password: 'x',
      messageAuthenticator: true,
      attributes: [rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(16))],
    }).bytes;
    corpus.push(twoMa);
    const shortMa = buildRequest({ identifier: 11, secret: SECRET, userName: 'bob', password: 'x', attributes: [rawAttribute(ATTR.MessageAuthenticator, Buffer.alloc(4))] }).bytes;
    corpus.push(shortMa);
    const statusNoMa = buildRequest({ code: CODE.StatusServer, identifier: 12, secret: SECRET }).bytes;
    corpus.push(statusNoMa);
    for (let i = 0; i < 500; i++) corpus.push(randomBytes(Math.floor(Math.random() * 300)));
    for (let i = 0; i < 300; i++) {
      // Valid header, random attribute bytes: exercises the attribute decoders.
      const body = randomBytes(Math.floor(Math.random() * 200));
      const p = Buffer.concat([Buffer.from([1, i & 255, 0, 0]), randomBytes(16), body]);
      p.writeUInt16BE(p.length, 2);
      corpus.push(p);
    }
    nextDecision = async () => ({ decision: 'reject', reason: 'test' });
    const receivedBefore = server.stats.received;
    const answeredBefore = server.stats.accepts + server.stats.rejects + server.stats.challenges;
    const droppedBefore = server.stats.droppedTotal();
    for (const p of corpus) client.transmit(p);
    await delay(500);
    assert.equal(server.stats.received - receivedBefore, corpus.length);
    const answered = server.stats.accepts + server.stats.rejects + server.stats.challenges - answeredBefore;
    // Random-attribute packets that happen to be well formed are legitimately answered; all else is dropped.
    assert.equal(server.stats.droppedTotal() - droppedBefore + answered, corpus.length);
    for (const reason of ['too-short', 'bad-length', 'bad-attribute', 'unsupported-code', 'bad-password', 'bad-message-authenticator', 'missing-message-authenticator'] as const) {
      assert.ok((server.stats.dropped.get(reason) ?? 0) > 0, `no drop counted for ${reason}`);
    }
    const res = await client.send(buildRequest({ identifier: nextId(), secret: SECRET, userName: 'bob', password: 'pw' }), SECRET);
    assert.equal(res?.packet.code, CODE.AccessReject);
  });

  test('dropped packets are logged at most once a minute per source and cause', () => {
    const drops = logs.lines.filter((l) => l.msg === 'RADIUS packet dropped' && l.reason === 'bad-message-authenticator');
    assert.equal(drops.length, 1);
  });
});

describe('client policies', () => {
  test('a client not in the table gets no answer and is counted', async () => {
    const logs = captureLogs();
    const server = await startServer(
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - { name: elsewhere, address: 127.0.0.2, secret: ${SECRET} }
`,
      async () => ({ decision: 'accept', reason: 'ok' }),
      logs,
    );
    try {
      const r = await radclient(['-x', '-r', '2', '-t', '1', `127.0.0.1:${server.port()}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "x"\n');
      assert.match(r.stdout + r.stderr, /No reply/);
      assert.equal(server.stats.dropped.get('unknown-client'), 2);
      const warnings = logs.lines.filter((l) => l.reason === 'unknown-client');
      assert.equal(warnings.length, 1, 'one log line for two packets from one address');
      assert.equal(warnings[0]!.source, '127.0.0.1');
    } finally {
      await server.stop();
    }
  });

  test('stop() waits for the requests in flight and for their answers to leave before it closes the socket', async () => {
    // Every login is held until the test lets them all go in one turn, as a group commit does.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived = 0;
    const server = await startServer(
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - { name: nas, address: 127.0.0.1, secret: ${SECRET} }
`,
      async () => {
        arrived++;
        await held;
        return { decision: 'accept', reason: 'ok' };
      },
    );
    const client = new RadiusClient('127.0.0.1', server.port());
    try {
      const answers = Array.from({ length: 8 }, (_, i) => client.send(buildRequest({ identifier: i, secret: SECRET, userName: 'a', password: 'x', messageAuthenticator: true }), SECRET, 3000));
      for (let i = 0; i < 400 && arrived < 8; i++) await delay(5);
      assert.equal(arrived, 8);
      let stopped = false;
      const stopping = server.stop(5000).then(() => (stopped = true));
      await delay(50);
      assert.equal(stopped, false, 'stop() waits while logins are being decided');
      // A request that arrives while stopping is dropped, so the NAS fails over.
      assert.equal(await client.send(buildRequest({ identifier: 99, secret: SECRET, userName: 'a', password: 'x', messageAuthenticator: true }), SECRET, 200), undefined);
      release();
      await stopping;
      const codes = (await Promise.all(answers)).map((a) => a?.packet.code);
      assert.deepEqual(codes, Array(8).fill(CODE.AccessAccept), 'every login decided before the close got its answer');
    } finally {
      client.close();
    }
  });

  test('requireMessageAuthenticator: true drops requests without it and answers those with it', async () => {
    const server = await startServer(
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - { name: nas, address: 127.0.0.0/8, secret: ${SECRET}, requireMessageAuthenticator: true }
`,
      async () => ({ decision: 'reject', reason: 'test' }),
    );
    try {
      const without = await radclient(['-x', '-r', '1', '-t', '1', `127.0.0.1:${server.port()}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "x"\n');
      assert.match(without.stdout + without.stderr, /No reply/);
      assert.equal(server.stats.dropped.get('missing-message-authenticator'), 1);
      const withMa = await radclient(['-x', '-r', '1', '-t', '2', `127.0.0.1:${server.port()}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "x"\nMessage-Authenticator = 0x00\n');
      assert.match(withMa.stdout, /Received Access-Reject/);
    } finally {
      await server.stop();
    }
  });

  test('requireMessageAuthenticator: auto requires it once the client has sent one', async () => {
    const server = await startServer(
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - { name: nas, address: 127.0.0.1, secret: ${SECRET}, requireMessageAuthenticator: auto }
`,
      async () => ({ decision: 'reject', reason: 'test' }),
    );
    const client = new RadiusClient('127.0.0.1', server.port());
    try {
      assert.ok(await client.send(buildRequest({ identifier: 1, secret: SECRET, userName: 'a', password: 'x' }), SECRET));
      assert.ok(await client.send(buildRequest({ identifier: 2, secret: SECRET, userName: 'a', password: 'x', messageAuthenticator: true }), SECRET));
      assert.equal(await client.send(buildRequest({ identifier: 3, secret: SECRET, userName: 'a', password: 'x' }), SECRET, 300), undefined);
    } finally {
      client.close();
      await server.stop();
    }
  });

  test('IPv6: a client on ::1 is served over udp6', async () => {
    const server = await startServer(
      `
listen: { address: "::1", port: 0 }
clients:
  - { name: v6, address: "::1/128", secret: ${SECRET}, requireMessageAuthenticator: false }
`,
      async (r) => ({ decision: 'accept', reason: 'ok', replyMessage: r.nas.address }),
    );
    try {
      const r = await radclient(['-x', '-r', '1', '-t', '2', `[::1]:${server.port()}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "x"\n');
      assert.match(r.stdout, /Received Access-Accept/);
      assert.match(r.stdout, /Reply-Message = "::1"/);
    } finally {
      await server.stop();
    }
  });

  test('accounting: a signed Accounting-Request gets Accounting-Response; a wrong secret gets nothing', async () => {
    const server = await startServer(
      `
listen: { address: 127.0.0.1, port: 0, accountingPort: 0 }
clients:
  - { name: nas, address: 127.0.0.1, secret: ${SECRET}, requireMessageAuthenticator: false }
`,
      async () => ({ decision: 'reject', reason: 'test' }),
    );
    try {
      const input = 'User-Name = "bob"\nAcct-Status-Type = Start\nAcct-Session-Id = "abc"\n';
      const ok = await radclient(['-x', '-r', '1', '-t', '2', `127.0.0.1:${server.port('acct')}`, 'acct', SECRET], input);
      assert.match(ok.stdout, /Received Accounting-Response/);
      const bad = await radclient(['-x', '-r', '1', '-t', '1', `127.0.0.1:${server.port('acct')}`, 'acct', 'wrong-secret-here'], input);
      assert.match(bad.stdout + bad.stderr, /No reply/);
      assert.equal(server.stats.dropped.get('bad-authenticator'), 1);
      // Access-Request on the accounting port is not served there.
      const wrongPort = await radclient(['-x', '-r', '1', '-t', '1', `127.0.0.1:${server.port('acct')}`, 'auth', SECRET], 'User-Name = "bob"\nUser-Password = "x"\n');
      assert.match(wrongPort.stdout + wrongPort.stderr, /No reply/);
    } finally {
      await server.stop();
    }
  });
});
