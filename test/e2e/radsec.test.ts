// Issue 26's RadSec "shown by": Debian's radsecproxy as the RadSec client in
// front of otp-radius (radclient and eapol_test -> radsecproxy over UDP ->
// otp-radius over TLS), certificates made by the test with openssl. A
// PIN+TOTP login from oathtool is accepted and a wrong one rejected, an
// EAP-TTLS login passes with matching MPPE keys, accounting is acknowledged,
// radsecproxy's Status-Server watchdog is answered, and proxies whose certificate comes from another CA
// or matches no client entry are refused (no answer, the refusal logged).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eapolTest, makeCertificates, q } from '../helpers/eapol.ts';
import { delay, freeUdpPort, radclient, SECRET } from '../helpers/radius.ts';
import { makeRadsecPki, startRadsecproxy, type KeyPair, type Radsecproxy } from '../helpers/radsec.ts';
import { oathtool, parseRadclient, startStack, type Reply, type Stack } from '../helpers/stack.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const PIN = '4711';

/** A TOTP code one step later than the last one used, so each login has a fresh code. */
let step = 0;
async function nextCode(): Promise<string> {
  step += 1;
  return oathtool(['--totp', '-b', SEED, '-N', `now + ${step * 30} seconds`]);
}

function tlsBlock(name: string, ca: string, pair: KeyPair): string {
  return `tls ${name} {\n    CACertificateFile ${ca}\n    CertificateFile ${pair.cert}\n    CertificateKeyFile ${pair.key}\n}\n`;
}

function serverBlock(name: string, port: number, tls: string): string {
  return `server ${name} {\n    type tls\n    host 127.0.0.1\n    port ${port}\n    secret radsec\n    tls ${tls}\n    StatusServer on\n}\n`;
}

describe('RadSec with radsecproxy in front', () => {
  let s: Stack;
  let dir: string;
  let proxy: Radsecproxy;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-radsec-e2e-'));
    const pki = makeRadsecPki(dir);
    const eapCerts = makeCertificates(dir, 'wifi.test.example', 'eap-');
    s = await startStack({
      dir,
      listen: `radsec: { address: 127.0.0.1, port: 0, certFile: ${pki.server.cert}, keyFile: ${pki.server.key}, caFile: ${pki.ca} }`,
      clients: '  - { name: proxy1, certificate: { subject: "CN=radsecproxy.test.example" }, address: 127.0.0.1 }',
      // Codes run ahead of the clock here: a wide TOTP window accepts them.
      yaml: `eap:\n  tls: { certFile: ${eapCerts.cert}, keyFile: ${eapCerts.key} }\ntokens:\n  totp: { window: 1800 }\n`,
    });
    const enrolled = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', PIN, '--seed', SEED, '--serial', 'RADSEC-TOTP', '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);

    const radsec = s.running.radsec!.port();
    // One radsecproxy, three upstreams: the right certificate, one from another CA, one our CA signed for no client entry.
    // The user's realm picks the upstream; `*` comes last.
    const config = [
      tlsBlock('good', pki.ca, pki.client('radsecproxy.test.example')),
      tlsBlock('otherca', pki.ca, pki.client('radsecproxy.test.example', { otherCa: true })),
      tlsBlock('stranger', pki.ca, pki.client('stranger.test.example')),
      `client nas {\n    type udp\n    host 127.0.0.1\n    secret ${SECRET}\n}\n`,
      serverBlock('otp', radsec, 'good'),
      serverBlock('otherca', radsec, 'otherca'),
      serverBlock('stranger', radsec, 'stranger'),
      'realm /@other-ca$/ {\n    server otherca\n}\n',
      'realm /@stranger$/ {\n    server stranger\n}\n',
      'realm * {\n    server otp\n    accountingServer otp\n}\n',
    ].join('');
    proxy = await startRadsecproxy(dir, await freeUdpPort(), config);
  });
  after(async () => {
    await proxy?.stop();
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function viaProxy(user: string, password: string, extra = ''): Promise<Reply> {
    const r = await radclient(['-x', '-r', '1', '-t', '4', `127.0.0.1:${proxy.port}`, 'auth', SECRET], `User-Name = "${user}"\nUser-Password = "${password}"\n${extra}`);
    return parseRadclient(r.stdout + r.stderr);
  }

  test('PIN+TOTP through radsecproxy: accepted; a wrong OTP rejected; the audit names the RadSec client', async () => {
    const ok = await viaProxy('alice', `${PIN}${await nextCode()}`);
    assert.equal(ok.code, 'accept', `${ok.stdout}\n${proxy.output()}`);
    const audit = s.audits().at(-1)!;
    assert.equal(audit.reason, 'ok');
    assert.equal(audit.nas, 'proxy1');
    const wrong = await viaProxy('alice', `${PIN}000000`);
    assert.equal(wrong.code, 'reject');
    assert.match(String(s.audits().at(-1)!.reason), /wrong otp/);
    assert.ok(s.running.radsec!.stats.accepts >= 1);
    assert.equal(s.running.radius.stats.received, 0, 'nothing came over UDP');
  });

  test('EAP-TTLS/PAP through radsecproxy: accepted, and the MPPE keys radsecproxy passes on match', async () => {
    const r = await eapolTest(dir, proxy.port, SECRET, {
      key_mgmt: 'IEEE8021X',
      eap: 'TTLS',
      identity: q('alice'),
      anonymous_identity: q('anonymous'),
      password: q(`${PIN}${await nextCode()}`),
      ca_cert: q(join(dir, 'eap-ca.pem')),
      phase2: q('auth=PAP'),
    });
    assert.ok(r.success && r.accepted, r.output.slice(-3000));
    assert.ok(r.mppeOk, 'MPPE keys match the MSK eapol_test derived');
    assert.equal(s.audits().at(-1)!.user, 'alice');
  });

  test('a proxy whose certificate another CA signed is refused: no answer, the refusal logged', async () => {
    const r = await viaProxy('alice@other-ca', `${PIN}${await nextCode()}`);
    assert.equal(r.code, 'none', r.stdout);
    assert.ok((s.running.radsec!.connections.refused.get('certificate') ?? 0) >= 1);
    const line = s.logs.lines.find((l) => l.msg === 'RadSec connection refused' && l.reason === 'certificate');
    assert.match(String(line?.detail), /UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  test('a proxy whose certificate matches no client entry is refused: no answer, logged with its subject', async () => {
    const r = await viaProxy('alice@stranger', `${PIN}${await nextCode()}`);
    assert.equal(r.code, 'none', r.stdout);
    assert.ok((s.running.radsec!.connections.refused.get('unknown-client') ?? 0) >= 1);
    const line = s.logs.lines.find((l) => l.msg === 'RadSec connection refused' && l.reason === 'unknown-client');
    assert.match(String(line?.detail), /CN=stranger\.test\.example/);
  });

  test('an Accounting-Request through radsecproxy is acknowledged on the same connection', async () => {
    const r = await radclient(['-x', '-r', '1', '-t', '4', `127.0.0.1:${proxy.port}`, 'acct', SECRET], 'User-Name = "alice"\nAcct-Status-Type = Start\nAcct-Session-Id = "radsec-1"\n');
    assert.match(r.stdout, /Received Accounting-Response/, `${r.stdout}${r.stderr}\n${proxy.output()}`);
    assert.equal(s.running.radsec!.stats.accounting, 1);
  });

  test("radsecproxy's Status-Server watchdog is answered", async () => {
    // radsecproxy sends one after 25 s of quiet on the connection.
    for (let i = 0; i < 140 && s.running.radsec!.stats.statusServer === 0; i++) await delay(500);
    const stats = s.running.radsec!.stats;
    assert.ok(stats.statusServer >= 1, `drops ${JSON.stringify(Object.fromEntries(stats.dropped))}, received ${stats.received}\n${proxy.output()}`);
    assert.doesNotMatch(proxy.output(), /server otp.*(fail|dead|down)/i);
  });
});
