// The generator threads against a stub RADIUS server on loopback: counts,
// latencies, the challenge round trip and timeouts, without otp-radius.

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { LoadGenerator, mergeOutcomes, split, type LoadSpec } from '../../bench/load.ts';
import { CODE } from '../../bench/packets.ts';
import { emptyCounts, type ThreadResult } from '../../bench/types.ts';
import { ATTR, firstAttribute, parsePacket, rawAttribute } from '../../src/radius/packet.ts';
import { encodeReply } from '../../src/radius/reply.ts';

const SECRET = 'stub-secret-for-the-generator';

describe('split and merge', () => {
  test('split spreads a total over threads, differing by at most one', () => {
    assert.deepEqual(split(10, 3), [4, 3, 3]);
    assert.deepEqual(split(2, 4), [1, 1, 0, 0]);
    assert.throws(() => split(5, 0), /parts must be a positive integer, got 0/);
  });

  test("mergeOutcomes adds counts and CPU, keeps each thread's latencies", () => {
    const t = (accepts: number): ThreadResult => ({ ...emptyCounts(), accepts, sent: accepts, latencies: Float64Array.from([accepts]), windowMs: 1000, cpuMs: 10, stepLead: accepts });
    const m = mergeOutcomes([t(3), t(5)]);
    assert.equal(m.accepts, 8);
    assert.equal(m.sent, 8);
    assert.equal(m.cpuMs, 20);
    assert.equal(m.stepLead, 5);
    assert.equal(m.latencies.length, 2);
  });
});

describe('generator threads against a stub server', () => {
  let server: Socket;
  let port: number;
  let generator: LoadGenerator;
  let seen = 0;
  let dropEvery = 0;

  before(async () => {
    server = createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const p = parsePacket(msg);
      if (typeof p === 'string') return;
      seen++;
      if (dropEvery > 0 && seen % dropEvery === 0) return;
      let reply: Buffer;
      if (p.code === CODE.StatusServer) reply = encodeReply(p, CODE.AccessAccept, [], SECRET);
      else if (firstAttribute(p, ATTR.State)) reply = encodeReply(p, CODE.AccessAccept, [], SECRET);
      else if (firstAttribute(p, ATTR.UserName)?.value.toString().startsWith('u'))
        reply = encodeReply(p, CODE.AccessChallenge, [rawAttribute(ATTR.State, Buffer.from('0123456789abcdef0123456789abcdef'))], SECRET);
      else reply = encodeReply(p, CODE.AccessReject, [], SECRET);
      server.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    port = server.address().port;
    generator = LoadGenerator.start(
      2,
      Array.from({ length: 20 }, (_, i) => Buffer.alloc(20, i)),
    );
  });
  after(async () => {
    await generator.close();
    server.close();
  });

  const spec = (over: Partial<LoadSpec>): LoadSpec => ({
    kind: 'status',
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    loginPrefix: 'u',
    pin: '1234',
    password: 'pw',
    steps: 'unique',
    warmupMs: 100,
    durationMs: 400,
    concurrency: 8,
    rate: 0,
    timeoutMs: 300,
    messageAuthenticator: true,
    sockets: 2,
    ...over,
  });

  test('closed loop: every request sent in the window is answered and timed', async () => {
    dropEvery = 0;
    const out = await generator.run(spec({ port }));
    assert.ok(out.sent > 50, `sent ${out.sent}`);
    assert.equal(out.accepts, out.sent);
    assert.equal(out.timeouts + out.unexpected + out.inauthentic, 0);
    assert.equal(
      out.latencies.reduce((n, l) => n + l.length, 0),
      out.sent,
    );
  });

  test('challenge: the State of the Access-Challenge goes back, and the pair ends in an accept', async () => {
    dropEvery = 0;
    const out = await generator.run(spec({ port, kind: 'challenge' }));
    assert.ok(out.challenges > 20);
    assert.ok(Math.abs(out.accepts - out.challenges) <= 8, `${out.accepts} accepts, ${out.challenges} challenges`);
    assert.equal(out.unexpected, 0);
  });

  test('an answer the workload does not expect is counted as unexpected', async () => {
    const out = await generator.run(spec({ port, kind: 'accept', loginPrefix: 'x' }));
    assert.ok(out.rejects > 0);
    assert.equal(out.unexpected, out.rejects);
  });

  test('open loop at a fixed rate; dropped requests become timeouts; a wrong secret is not counted as answered', async () => {
    dropEvery = 4;
    const out = await generator.run(spec({ port, rate: 400, durationMs: 500 }));
    assert.ok(out.sent >= 150 && out.sent <= 250, `sent ${out.sent} at 400/s for 0.5 s`);
    assert.ok(out.timeouts > 0.15 * out.sent && out.timeouts < 0.35 * out.sent, `${out.timeouts} timeouts of ${out.sent}`);
    assert.equal(out.accepts + out.timeouts, out.sent);
    dropEvery = 0;
    const forged = await generator.run(spec({ port, secret: 'not-the-stub-secret', durationMs: 200, timeoutMs: 100 }));
    assert.equal(forged.accepts, 0);
    assert.ok(forged.inauthentic > 0);
    assert.equal(forged.timeouts, forged.sent);
  });
});
