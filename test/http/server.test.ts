// The HTTP front end over a real socket with a fake authentication handler:
// what reaches the handler, the LinOTP answers, errors, limits, allow list,
// health, timeouts and shutdown.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parseCidr } from '../../src/net/cidr.ts';
import { API_VERSION } from '../../src/http/linotp.ts';
import { CHALLENGE, form, httpConfig, json, startFixture, type Fixture } from './fixture.ts';

type CheckBody = { version: string; jsonrpc: string; id: number; result: { status: boolean; value?: boolean; error?: { code: number; message: string } }; detail?: Record<string, unknown> };

async function check(res: Response): Promise<CheckBody> {
  assert.equal(res.headers.get('content-type'), 'application/json');
  return (await res.json()) as CheckBody;
}

/** A raw request, for what fetch will not send (chunked bodies of a chosen size, slow bodies). */
function raw(port: number, text: string, waitMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('end', () => resolve(got));
    socket.on('close', () => resolve(got));
    socket.on('error', (e) => (got ? resolve(got) : reject(e)));
    socket.write(text);
    setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, waitMs).unref();
  });
}

describe('HTTP validate API with a fake handler', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => f.server.stop());
  beforeEach(() => {
    f.requests.length = 0;
    f.answer = () => ({ decision: 'reject', reason: 'wrong otp' });
  });

  test('simplecheck: the handler gets user, pass and the caller as NAS; ":-)" and ":-(" exactly', async () => {
    f.answer = () => ({ decision: 'accept', reason: 'ok' });
    const ok = await fetch(`${f.base}/validate/simplecheck`, form({ user: 'alice', pass: '1234755224' }));
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), ':-)');
    assert.deepEqual(f.requests[0], { userName: 'alice', password: Buffer.from('1234755224'), nas: { client: 'http', address: '127.0.0.1' } });
    f.answer = () => ({ decision: 'reject', reason: 'wrong otp' });
    assert.equal(await (await fetch(`${f.base}/validate/simplecheck?user=alice&pass=x`)).text(), ':-(');
  });

  test('simplecheck: a challenge is ":-( TXID TEXT", which the plugin splits on blanks into State and Reply-Message', async () => {
    f.answer = () => ({ ...CHALLENGE, replyMessage: 'Enter the OTP  of token 2' });
    const text = await (await fetch(`${f.base}/validate/simplecheck`, form({ user: 'alice', pass: '1234' }))).text();
    assert.equal(text, ':-( 0123456789abcdef0123456789abcdef Enter the OTP  of token 2');
    const [smiley, state, message] = [text.slice(0, 3), ...text.slice(4).split(/ (.*)/s)];
    assert.deepEqual([smiley, state, message], [':-(', CHALLENGE.challenge.transactionId, 'Enter the OTP  of token 2']);
    f.answer = () => ({ ...CHALLENGE, replyMessage: '' });
    assert.equal(await (await fetch(`${f.base}/validate/simplecheck?user=alice&pass=1234`)).text(), ':-( 0123456789abcdef0123456789abcdef');
  });

  test('the answer with transactionid (or state) passes it to the handler as State; state wins as in LinOTP', async () => {
    await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: '755224', transactionid: CHALLENGE.challenge.transactionId }));
    assert.deepEqual(f.requests[0]!.state, Buffer.from(CHALLENGE.challenge.transactionId));
    await fetch(`${f.base}/validate/simplecheck?user=alice&pass=755224&state=aaaa&transactionid=bbbb`);
    assert.equal(f.requests[1]!.state!.toString(), 'aaaa');
    await fetch(`${f.base}/validate/simplecheck?user=alice&pass=755224&state=&transactionid=bbbb`);
    assert.equal(f.requests[2]!.state!.toString(), 'bbbb', 'an empty state is no state');
    await fetch(`${f.base}/validate/simplecheck?user=alice&pass=755224`);
    assert.equal(f.requests[3]!.state, undefined);
  });

  test('client picks the RADIUS client and its realm; realm is passed apart from the user name', async () => {
    await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: 'x', client: '10.1.2.3' }));
    assert.deepEqual(f.requests[0]!.nas, { client: 'branch', address: '10.1.2.3', realm: 'corp' });
    await fetch(`${f.base}/validate/check`, form({ user: 'alice@example.org', pass: 'x', client: '192.0.2.1', realm: 'other' }));
    assert.deepEqual(f.requests[1]!.nas, { client: 'http', address: '192.0.2.1' });
    assert.equal(f.requests[1]!.userName, 'alice@example.org', 'the user name is left as sent');
    assert.equal(f.requests[1]!.realm, 'other');
  });

  test('check: LinOTP JSON for accept and reject, no detail', async () => {
    f.answer = () => ({ decision: 'accept', reason: 'ok', serial: 'HOTP1' });
    const ok = await check(await fetch(`${f.base}/validate/check?user=alice&pass=1`));
    assert.deepEqual(ok, { version: API_VERSION, jsonrpc: '2.0802', result: { status: true, value: true }, id: 0 });
    f.answer = () => ({ decision: 'reject', reason: 'locked', replyMessage: 'Your token is locked' });
    const no = await check(await fetch(`${f.base}/validate/check?user=alice&pass=1`));
    assert.deepEqual(no, { version: API_VERSION, jsonrpc: '2.0802', result: { status: true, value: false }, id: 0 });
  });

  test('check: a challenge has value false and the challenge as detail; OCRA adds the question', async () => {
    f.answer = () => CHALLENGE;
    const one = await check(await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: '1234' })));
    assert.deepEqual(one.result, { status: true, value: false });
    assert.deepEqual(one.detail, { transactionid: CHALLENGE.challenge.transactionId, message: 'Please enter your OTP', linotp_tokenserial: 'HOTP1' });
    f.answer = () => ({ ...CHALLENGE, challenge: { ...CHALLENGE.challenge, data: '83746512', serials: ['OCRA1'] }, serial: 'OCRA1', replyMessage: 'Challenge: 83746512' });
    const ocra = await check(await fetch(`${f.base}/validate/check?user=alice&pass=1234`));
    assert.deepEqual(ocra.detail, { transactionid: CHALLENGE.challenge.transactionId, message: 'Challenge: 83746512', challenge: '83746512', linotp_tokenserial: 'OCRA1' });
  });

  test('check: several challenging tokens give "Multiple challenges submitted." and one challenge per serial', async () => {
    f.answer = () => ({ ...CHALLENGE, challenge: { ...CHALLENGE.challenge, serials: ['HOTP1', 'TOTP2'] }, serial: undefined });
    const many = await check(await fetch(`${f.base}/validate/check?user=alice&pass=1234`));
    assert.deepEqual(many.detail, {
      transactionid: CHALLENGE.challenge.transactionId,
      message: 'Multiple challenges submitted.',
      challenges: {
        HOTP1: { transactionid: CHALLENGE.challenge.transactionId, message: 'Please enter your OTP', linotp_tokenserial: 'HOTP1' },
        TOTP2: { transactionid: CHALLENGE.challenge.transactionId, message: 'Please enter your OTP', linotp_tokenserial: 'TOTP2' },
      },
    });
  });

  test('JSON bodies are parameters too; the body wins over the query', async () => {
    await fetch(`${f.base}/validate/check?user=mallory`, json({ user: 'alice', pass: 123456, realm: 'corp', ignored: { nested: true } }));
    assert.equal(f.requests[0]!.userName, 'alice');
    assert.equal(f.requests[0]!.password!.toString(), '123456');
    assert.equal(f.requests[0]!.realm, 'corp');
  });

  test('a body of another type, or of none, is read as a form, as LinOTP clients send it', async () => {
    await fetch(`${f.base}/validate/check`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'user=alice&pass=1' });
    const untyped = await raw(f.server.port(), 'POST /validate/simplecheck HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\nConnection: close\r\n\r\nuser=bob&pass=2');
    assert.match(untyped, /^HTTP\/1\.1 200 /);
    assert.deepEqual(
      f.requests.map((r) => [r.userName, r.password!.toString()]),
      [
        ['alice', '1'],
        ['bob', '2'],
      ],
    );
  });

  test('missing user or pass: a failed login as LinOTP 3 answers it (status true, value false), ":-(" on simplecheck, and the handler is not asked', async () => {
    const noUser = await check(await fetch(`${f.base}/validate/check?pass=1`));
    assert.deepEqual(noUser.result, { status: true, value: false });
    const noPass = await check(await fetch(`${f.base}/validate/check`, form({ user: 'alice' })));
    assert.deepEqual(noPass.result, { status: true, value: false });
    const emptyUser = await fetch(`${f.base}/validate/simplecheck?user=&pass=1`);
    assert.equal(emptyUser.status, 200);
    assert.equal(await emptyUser.text(), ':-(');
    assert.equal(f.requests.length, 0);
    const emptyPass = await fetch(`${f.base}/validate/simplecheck?user=alice&pass=`);
    assert.equal(await emptyPass.text(), ':-(');
    assert.equal(f.requests[0]!.password!.toString(), '', "an empty pass is a pass (a PIN-less challenge trigger is the service's business)");
  });

  test('a body that is not JSON: 905 on check, 400 ":-(" on simplecheck', async () => {
    const bad = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"user": ' };
    const c = await check(await fetch(`${f.base}/validate/check`, bad));
    assert.equal(c.result.status, false);
    assert.equal(c.result.error!.code, 905);
    assert.match(c.result.error!.message, /^ERR905: the body is not valid JSON/);
    const list = await check(await fetch(`${f.base}/validate/check`, json(['alice'])));
    assert.match(list.result.error!.message, /must be an object of parameters/);
    const s = await fetch(`${f.base}/validate/simplecheck`, bad);
    assert.equal(s.status, 400);
    assert.equal(await s.text(), ':-(');
    assert.equal(f.requests.length, 0);
  });

  test('the handler failing: check says -311 with HTTP 200 (or httperror), simplecheck 500 ":-/"; the password is not logged', async () => {
    f.answer = () => {
      throw new Error('database is on fire');
    };
    const c = await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: 'secret-pin-123456' }));
    assert.equal(c.status, 200);
    assert.deepEqual((await check(c)).result, { status: false, error: { code: -311, message: 'internal error' } });
    assert.equal((await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: 'x', httperror: '503' }))).status, 503);
    assert.equal((await fetch(`${f.base}/validate/check?httperror=&user=alice&pass=x`)).status, 500);
    assert.equal((await fetch(`${f.base}/validate/check?httperror=abc&user=alice&pass=x`)).status, 500);
    assert.equal((await fetch(`${f.base}/validate/check?httperror=200&user=alice&pass=x`)).status, 500, 'an error is never a 2xx when asked for');
    assert.equal((await fetch(`${f.base}/validate/check?httperror=404&pass=x`)).status, 200, 'a missing user is a failed login, not an error (LinOTP 3)');
    const s = await fetch(`${f.base}/validate/simplecheck`, form({ user: 'alice', pass: 'secret-pin-123456' }));
    assert.equal(s.status, 500);
    assert.equal(await s.text(), ':-/');
    const logged = JSON.stringify(f.logs.lines);
    assert.match(logged, /database is on fire/);
    assert.doesNotMatch(logged, /secret-pin-123456/);
  });

  test('httperror does not change a successful answer', async () => {
    const r = await fetch(`${f.base}/validate/check?httperror=500&user=alice&pass=x`);
    assert.equal(r.status, 200);
    assert.deepEqual((await check(r)).result, { status: true, value: false });
  });

  test('unknown paths 404, wrong methods 405 with Allow, a trailing slash is the same path', async () => {
    assert.equal((await fetch(`${f.base}/validate/nothing`)).status, 404);
    assert.equal((await fetch(`${f.base}/`)).status, 404);
    assert.equal((await fetch(`${f.base}/admin/init?type=hmac`)).status, 404);
    const put = await fetch(`${f.base}/validate/check`, { method: 'PUT', body: 'user=a&pass=b' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const post = await fetch(`${f.base}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
    assert.equal((await fetch(`${f.base}/validate/simplecheck/?user=a&pass=b`)).status, 200);
    assert.equal(f.requests.length, 1);
  });

  test('413 for a body over maxBodyBytes, declared or streamed, and for a long query', async () => {
    assert.equal((await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: 'x'.repeat(1100) }))).status, 413);
    const chunk = 'a'.repeat(400);
    const chunked = await raw(
      f.server.port(),
      `POST /validate/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n${`190\r\n${chunk}\r\n`.repeat(4)}0\r\n\r\n`,
    );
    assert.match(chunked, /^HTTP\/1\.1 413 /);
    assert.match(chunked, /connection: close/i);
    assert.equal((await fetch(`${f.base}/validate/check?user=alice&pass=${'x'.repeat(1100)}`)).status, 413);
    assert.equal((await fetch(`${f.base}/validate/check`, form({ user: 'alice', pass: 'x'.repeat(900) }))).status, 200, 'just under the limit');
    assert.equal(f.requests.length, 1);
  });

  test('healthz: 200 when all checks pass, 503 naming the failing one, 503 when the check itself throws', async () => {
    const ok = await fetch(`${f.base}/healthz`);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { ok: true, checks: { store: { ok: true } } });
    f.health = async () => ({ ok: false, checks: { store: { ok: true }, 'resolver:corp': { ok: false, error: 'ldap://dc1: timeout' } } });
    const down = await fetch(`${f.base}/healthz`);
    assert.equal(down.status, 503);
    assert.deepEqual(await down.json(), { ok: false, checks: { store: { ok: true }, 'resolver:corp': { ok: false, error: 'ldap://dc1: timeout' } } });
    f.health = async () => {
      throw new Error('no store');
    };
    const broken = await fetch(`${f.base}/healthz`);
    assert.equal(broken.status, 503);
    assert.deepEqual(await broken.json(), { ok: false, checks: { health: { ok: false, error: 'no store' } } });
  });

  test('metrics count refused requests by cause', async () => {
    const text = await (await fetch(`${f.base}/metrics`)).text();
    assert.match(text, /^otp_radius_http_refused_total\{cause="not-found"\} [1-9]\d*$/m);
    assert.match(text, /^otp_radius_http_refused_total\{cause="method"\} [1-9]\d*$/m);
    assert.match(text, /^otp_radius_http_refused_total\{cause="too-large"\} [1-9]\d*$/m);
    assert.match(text, /^otp_radius_http_refused_total\{cause="bad-request"\} [1-9]\d*$/m);
  });
});

describe('HTTP server: allow list, addresses, timeouts, shutdown', () => {
  test('a caller outside http.allow gets 403 on every path, before the handler', async () => {
    const f = await startFixture(httpConfig({ allow: [parseCidr('10.0.0.0/8')] }));
    try {
      for (const path of ['/validate/simplecheck?user=a&pass=b', '/validate/check?user=a&pass=b', '/healthz', '/metrics', '/nothing']) {
        const r = await fetch(`${f.base}${path}`);
        assert.equal(r.status, 403, path);
      }
      assert.equal(f.requests.length, 0);
      assert.ok(f.logs.lines.some((l) => l.msg === 'HTTP request from an address outside http.allow refused' && l.remote === '127.0.0.1'));
    } finally {
      await f.server.stop();
    }
  });

  test('on a dual-stack socket 127.0.0.1 arrives as ::ffff:127.0.0.1 and still matches 127.0.0.0/8; ::1 matches ::1', async () => {
    const f = await startFixture(httpConfig({ listen: { address: '::', port: 0 } }));
    try {
      const port = f.server.port();
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.equal((await fetch(`http://[::1]:${port}/healthz`)).status, 200);
    } finally {
      await f.server.stop();
    }
  });

  test('a client that sends headers but not the body is cut off after requestTimeoutSeconds', async () => {
    const f = await startFixture(httpConfig({ requestTimeoutSeconds: 1 }));
    try {
      const started = Date.now();
      const got = await raw(f.server.port(), 'POST /validate/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser=al', 5000);
      const took = Date.now() - started;
      assert.match(got, /^HTTP\/1\.1 408 /);
      assert.ok(took < 4000, `cut off after ${took} ms`);
      assert.equal(f.requests.length, 0);
    } finally {
      await f.server.stop();
    }
  });

  test('stop() lets a request in flight finish, then closes; later connections are refused', async () => {
    const f = await startFixture();
    let release!: () => void;
    f.answer = () => new Promise((resolve) => (release = () => resolve({ decision: 'accept', reason: 'ok' })));
    const inFlight = fetch(`${f.base}/validate/simplecheck?user=a&pass=b`).then((r) => r.text());
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const stopped = f.server.stop(5000);
    release();
    assert.equal(await inFlight, ':-)');
    await stopped;
    await assert.rejects(fetch(`${f.base}/healthz`));
    assert.equal(f.server.port(), 0);
  });

  test('stop(grace) does not wait for a request longer than the grace', async () => {
    const f = await startFixture();
    f.answer = () => new Promise(() => undefined);
    const port = f.server.port();
    const hanging = new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/validate/simplecheck?user=a&pass=b' }, () => resolve('answered'));
      req.on('error', () => resolve('cut'));
      req.end();
    });
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await f.server.stop(200);
    assert.ok(Date.now() - started < 2000);
    assert.equal(await hanging, 'cut');
  });

  test('start() on a port in use fails with the error, not a hang', async () => {
    const a = await startFixture();
    try {
      await assert.rejects(startFixture(httpConfig({ listen: { address: '127.0.0.1', port: a.server.port() } })), /EADDRINUSE/);
    } finally {
      await a.server.stop();
    }
  });
});
