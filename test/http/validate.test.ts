// The LinOTP validate API over a real socket: the FreeRADIUS plugin's
// simplecheck contract, /validate/check JSON, challenges with transactionid,
// the allow list and limits, health and metrics, TLS.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { API_VERSION } from '../../src/http/linotp.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { find, parseExposition } from '../helpers/prometheus.ts';
import { oathtool, startStack, type Stack } from '../helpers/stack.ts';
import { requirePeer } from '../helpers/peers.ts';

const SEED_HEX = '3132333435363738393031323334353637383930';
const SEED = Buffer.from(SEED_HEX, 'hex');
const OTHER = Buffer.from('abcdefghijabcdefghij', 'ascii');

function form(params: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() };
}

describe('LinOTP validate API', () => {
  let s: Stack;
  let base: string;
  before(async () => {
    s = await startStack({ yaml: 'http:\n  listen: { address: 127.0.0.1, port: 0 }\n  maxBodyBytes: 2048\n' });
    base = `http://127.0.0.1:${s.running.http!.port()}`;
    const r1 = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--pin', '1234', '--seed-hex', SEED_HEX, '--serial', 'H-A', '--no-qr']);
    assert.equal(r1.code, 0, r1.stderr);
    await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'hotp', '--pin', '77', '--seed-hex', SEED_HEX, '--serial', 'H-B1', '--no-qr']);
    await s.cli(['token', 'enroll', '--user', 'bob', '--type', 'hotp', '--pin', '77', '--seed-hex', OTHER.toString('hex'), '--serial', 'H-B2', '--no-qr']);
  });
  after(async () => s.stop());

  test('simplecheck: ":-)" on success, ":-(" on failure, exactly', async () => {
    const ok = await fetch(`${base}/validate/simplecheck?user=alice&pass=1234${hotp(SEED, 0)}`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), ':-)');
    const bad = await fetch(`${base}/validate/simplecheck`, form({ user: 'alice', pass: `1234${hotp(SEED, 0)}` }));
    assert.equal(await bad.text(), ':-(');
    assert.equal((await fetch(`${base}/validate/simplecheck?pass=x`)).status, 200);
    assert.equal(await (await fetch(`${base}/validate/simplecheck?pass=x`)).text(), ':-(');
    const audits = s.audits().slice(-2);
    assert.deepEqual(
      audits.map((a) => a.reason),
      ['ok', 'replay'],
    );
    assert.equal(audits[0]!.nas, 'local', 'the caller 127.0.0.1 matches the RADIUS client "local"');
  });

  test('simplecheck: a challenge is ":-( TXID TEXT", answered with transactionid', async () => {
    const c = await (await fetch(`${base}/validate/simplecheck`, form({ user: 'alice', pass: '1234' }))).text();
    const m = /^:-\( ([0-9a-f]{32}) (.+)$/.exec(c);
    assert.ok(m, c);
    assert.equal(m[2], 'Please enter your OTP');
    const a = await fetch(`${base}/validate/simplecheck`, form({ user: 'alice', pass: hotp(SEED, 1), transactionid: m[1]! }));
    assert.equal(await a.text(), ':-)');
    const again = await fetch(`${base}/validate/simplecheck`, form({ user: 'alice', pass: hotp(SEED, 2), state: m[1]! }));
    assert.equal(await again.text(), ':-(');
  });

  test('check: LinOTP JSON for success, failure, challenge and its answer', async () => {
    const ok = (await (await fetch(`${base}/validate/check?user=alice&pass=1234${hotp(SEED, 2)}`)).json()) as Record<string, unknown>;
    assert.deepEqual(ok, { version: API_VERSION, jsonrpc: '2.0802', result: { status: true, value: true }, id: 0 });
    assert.match(API_VERSION, /^otp-radius \d+\.\d+\.\d+/, 'LinOTP\'s "<product> <version>"');
    const no = (await (await fetch(`${base}/validate/check?user=alice&pass=1234000000`)).json()) as { result: unknown };
    assert.deepEqual(no.result, { status: true, value: false });
    const ch = (await (await fetch(`${base}/validate/check`, form({ user: 'alice', pass: '1234' }))).json()) as {
      result: unknown;
      detail: { transactionid: string; message: string; linotp_tokenserial: string };
    };
    assert.deepEqual(ch.result, { status: true, value: false });
    assert.match(ch.detail.transactionid, /^[0-9a-f]{32}$/);
    assert.equal(ch.detail.message, 'Please enter your OTP');
    assert.equal(ch.detail.linotp_tokenserial, 'H-A');
    const answer = (await (await fetch(`${base}/validate/check`, form({ user: 'alice', pass: hotp(SEED, 3), transactionid: ch.detail.transactionid }))).json()) as { result: unknown };
    assert.deepEqual(answer.result, { status: true, value: true });
  });

  test('check: several challenging tokens → "Multiple challenges submitted." keyed by serial; either answers', async () => {
    const ch = (await (await fetch(`${base}/validate/check?user=bob&pass=77`)).json()) as { detail: { transactionid: string; message: string; challenges: Record<string, { transactionid: string }> } };
    assert.equal(ch.detail.message, 'Multiple challenges submitted.');
    assert.deepEqual(Object.keys(ch.detail.challenges).sort(), ['H-B1', 'H-B2']);
    assert.equal(ch.detail.challenges['H-B2']!.transactionid, ch.detail.transactionid);
    const answer = (await (await fetch(`${base}/validate/check?user=bob&transactionid=${ch.detail.transactionid}&pass=${hotp(OTHER, 0)}`)).json()) as { result: unknown };
    assert.deepEqual(answer.result, { status: true, value: true });
  });

  test('check: errors in LinOTP shape; realm and client parameters', async () => {
    // Like LinOTP 3: a request without user is a failed login, telling nothing (test/http/linotp-parity.test.ts).
    const e = (await (await fetch(`${base}/validate/check?pass=1`)).json()) as { result: unknown };
    assert.deepEqual(e.result, { status: true, value: false });
    const badJson = (await (await fetch(`${base}/validate/check`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"user":' })).json()) as {
      result: { status: boolean; error: { code: number } };
    };
    assert.deepEqual([badJson.result.status, badJson.result.error.code], [false, 905]);
    const realm = (await (await fetch(`${base}/validate/check?user=alice&realm=nowhere&pass=1234${hotp(SEED, 4)}`)).json()) as { result: { value: boolean } };
    assert.equal(realm.result.value, false);
    assert.equal(s.audits().at(-1)!.reason, 'unknown realm');
    const code = await oathtool(['--hotp', SEED_HEX, '-c', '4']);
    const viaClient = (await (await fetch(`${base}/validate/check?user=alice&realm=default&client=10.9.9.9&pass=1234${code}`)).json()) as { result: { value: boolean } };
    assert.equal(viaClient.result.value, true);
    assert.equal(s.audits().at(-1)!.nasAddress, '10.9.9.9');
    assert.equal(s.audits().at(-1)!.nas, 'http', 'an address that is no RADIUS client');
  });

  test('limits: 404, 405, 413', async () => {
    assert.equal((await fetch(`${base}/validate/nothing`)).status, 404);
    assert.equal((await fetch(`${base}/healthz`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${base}/validate/check`, form({ user: 'alice', pass: 'x'.repeat(4000) }))).status, 413);
  });

  test('healthz and metrics', async () => {
    const h = await fetch(`${base}/healthz`);
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { ok: true, checks: { store: { ok: true }, 'resolver:local': { ok: true } } });
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const e = parseExposition(text);
    assert.match(text, /otp_radius_decisions_total\{front_end="http",decision="accept",reason="ok"\} [1-9]/);
    assert.ok(find(e, 'otp_radius_decision_seconds_bucket', { front_end: 'http', le: '+Inf' })! >= 1);
    assert.match(text, /^otp_radius_packets_received_total 0$/m);
    assert.equal(find(e, 'otp_radius_build_info', { node: process.version }), 1);
    assert.equal(e.types.get('process_cpu_user_seconds_total'), 'counter', 'process metrics');
    assert.equal(e.types.get('nodejs_eventloop_lag_seconds'), 'gauge', 'Node.js runtime metrics');
  });
});

describe('LinOTP validate API: allow list, TLS, failing resolver', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-https-'));
    await writeFile(join(dir, 'users.yaml'), 'users:\n  - login: alice\n');
    requirePeer('openssl', 'openssl');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('a caller outside http.allow gets 403', async () => {
    const s = await startStack({ yaml: 'http:\n  listen: { port: 0 }\n  allow: [10.0.0.0/8]\n' });
    try {
      const r = await fetch(`http://127.0.0.1:${s.running.http!.port()}/validate/simplecheck?user=alice&pass=x`);
      assert.equal(r.status, 403);
      assert.equal(s.audits().length, 0, 'refused before authentication');
    } finally {
      await s.stop();
    }
  });

  test('https with the configured certificate; healthz 503 names the resolver that does not answer', async () => {
    const users = `resolvers:\n  local: { type: file, path: ${join(dir, 'users.yaml')} }\n  corp: { type: ldap, uri: ldap://127.0.0.1:9, baseDn: "dc=x", connectTimeout: 0.5, timeout: 1 }\nrealms:\n  default: { resolvers: [local], default: true }\n  corp: { resolvers: [corp] }\n`;
    const s = await startStack({ users, yaml: `http:\n  listen: { port: 0 }\n  tls: { cert: ${join(dir, 'cert.pem')}, key: ${join(dir, 'key.pem')} }\n` });
    try {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: s.running.http!.port(), path: '/healthz', ca: execFileSync('cat', [join(dir, 'cert.pem')]) }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 503);
      const report = JSON.parse(body) as { ok: boolean; checks: Record<string, { ok: boolean; error?: string }> };
      assert.equal(report.ok, false);
      assert.equal(report.checks.store!.ok, true);
      assert.equal(report.checks['resolver:local']!.ok, true);
      assert.equal(report.checks['resolver:corp']!.ok, false);
      assert.match(report.checks['resolver:corp']!.error!, /corp/);
    } finally {
      await s.stop();
    }
  });
});
