// Issue 26's EAP "shown by", with wpa_supplicant's eapol_test as the
// supplicant: EAP-TTLS/PAP and PEAP/GTC carrying PIN+TOTP from oathtool,
// over TLS 1.2 and 1.3, fragmented, refused for MSCHAPv2, resumed, and the
// MPPE keys that eapol_test checks against the MSK it derived itself.

import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eapolTest, makeCertificates, q, type Certificates } from '../helpers/eapol.ts';
import { SECRET } from '../helpers/radius.ts';
import { oathtool, startStack, type Stack } from '../helpers/stack.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const PIN = '1234';

/** A TOTP code one step later than the last one used, so each login has a fresh code. */
let step = 0;
async function nextCode(): Promise<string> {
  step += 1;
  return oathtool(['--totp', '-b', SEED, '-N', `now + ${step * 30} seconds`]);
}

describe('EAP with eapol_test', () => {
  let s: Stack;
  let dir: string;
  let certs: Certificates;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-eap-'));
    certs = makeCertificates(dir);
    s = await startStack({
      dir,
      // Codes run ahead of the clock here: a wide TOTP window accepts them.
      yaml: `eap:\n  methods: [ttls, peap]\n  tls: { certFile: ${certs.cert}, keyFile: ${certs.key}, minVersion: TLSv1.2 }\n  fragmentSize: 1024\ntokens:\n  totp: { window: 1800 }\n`,
    });
    const enrolled = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', PIN, '--seed', SEED, '--serial', 'EAP-TOTP', '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);
  });
  after(async () => {
    await s?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tls13 = (on: boolean) => `tls_disable_tlsv1_3=${on ? 0 : 1}`;
  const ttls = (password: string, phase1 = tls13(false), extra: Record<string, string> = {}) => ({
    key_mgmt: 'IEEE8021X',
    eap: 'TTLS',
    identity: q('alice'),
    anonymous_identity: q('anonymous'),
    password: q(password),
    ca_cert: q(certs.ca),
    phase1: q(phase1),
    phase2: q('auth=PAP'),
    ...extra,
  });
  const peap = (password: string, inner: 'GTC' | 'MSCHAPV2', phase1 = tls13(false)) => ({
    ...ttls(password, `peapver=0 ${phase1}`),
    eap: 'PEAP',
    phase2: q(`auth=${inner}`),
  });
  const lastEap = () => s.logs.lines.filter((l) => l.eap === true && typeof l.msg === 'string' && l.msg.startsWith('EAP conversation')).at(-1)!;

  test('TTLS/PAP over TLS 1.2: PIN+TOTP accepted, MPPE keys match, the inner identity is audited', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}${await nextCode()}`));
    assert.ok(r.success && r.accepted, r.output.slice(-3000));
    assert.ok(r.mppeOk, 'MPPE keys match the MSK eapol_test derived');
    const audit = s.audits().at(-1)!;
    assert.equal(audit.user, 'alice');
    assert.equal(audit.reason, 'ok');
    assert.equal(audit.callingStationId, '02-00-00-00-00-01', 'the inner login keeps the outer Calling-Station-Id');
    const eap = lastEap();
    assert.equal(eap.outerIdentity, 'anonymous');
    assert.equal(eap.innerIdentity, 'alice');
    assert.equal(eap.tlsVersion, 'TLSv1.2');
    assert.equal(JSON.stringify(s.logs.lines).includes(`${PIN}0`), false, 'no password in the logs');
  });

  test('TTLS/PAP over TLS 1.3 (RFC 9427 keys): accepted, MPPE keys match', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}${await nextCode()}`, tls13(true)));
    assert.ok(r.success && r.mppeOk, r.output.slice(-3000));
    assert.equal(lastEap().tlsVersion, 'TLSv1.3');
  });

  test('TTLS/PAP with a wrong OTP: EAP-Failure and Access-Reject', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}000000`));
    assert.equal(r.success, false);
    assert.ok(r.rejected, r.output.slice(-3000));
    assert.match(r.output, /CTRL-EVENT-EAP-FAILURE/);
    assert.equal(s.audits().at(-1)!.decision, 'reject');
  });

  test('an OTP replayed inside the tunnel is rejected', async () => {
    const password = `${PIN}${await nextCode()}`;
    assert.ok((await eapolTest(dir, s.port, SECRET, ttls(password, tls13(true)))).success);
    const again = await eapolTest(dir, s.port, SECRET, ttls(password, tls13(true)));
    assert.ok(again.rejected && !again.success, again.output.slice(-3000));
    assert.equal(s.audits().at(-1)!.reason, 'replay');
  });

  test('fragmentation: a small Framed-MTU makes our fragments small, and the peer fragments its own', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}${await nextCode()}`, tls13(true), { fragment_size: '100' }), ['-N', '12:d:204']);
    assert.ok(r.success && r.mppeOk, r.output.slice(-3000));
    // Framed-MTU 204 leaves 200 bytes of EAP packet after the EAPOL header, 190 of TLS data: the server's flight comes in several fragments.
    const sent = [...r.output.matchAll(/SSL: Received packet\(len=(\d+)\) - Flags 0x(..)/g)];
    assert.ok(sent.length >= 5, `fragments received: ${sent.length}`);
    for (const [, len] of sent) assert.ok(Number(len) <= 200, `EAP packet of ${len} bytes`);
    assert.ok(
      sent.some(([, , flags]) => (parseInt(flags!, 16) & 0x40) !== 0),
      'some carry the M flag',
    );
    assert.ok((lastEap().rounds as number) > 6);
    assert.match(r.output, /SSL: sending \d+ bytes, more fragments will follow/, 'the peer fragmented its messages too');
  });

  test('PEAPv0/EAP-GTC over TLS 1.2 and 1.3: accepted, MPPE keys match', async () => {
    for (const on of [false, true]) {
      const r = await eapolTest(dir, s.port, SECRET, peap(`${PIN}${await nextCode()}`, 'GTC', tls13(on)));
      assert.ok(r.success && r.mppeOk, r.output.slice(-3000));
      const eap = lastEap();
      assert.equal(eap.method, 'peap');
      assert.equal(eap.tlsVersion, on ? 'TLSv1.3' : 'TLSv1.2');
      assert.equal(s.audits().at(-1)!.user, 'alice');
    }
  });

  test('PEAP/MSCHAPv2 is refused with the reason', async () => {
    const r = await eapolTest(dir, s.port, SECRET, peap(`${PIN}${await nextCode()}`, 'MSCHAPV2'));
    assert.ok(r.rejected && !r.success, r.output.slice(-3000));
    assert.match(String(lastEap().reason), /an OTP cannot be checked against an NT hash/);
  });

  test('TLS 1.2 session resumption: the re-authentication skips the inner login and is audited as resumed', async () => {
    for (const method of ['ttls', 'peap'] as const) {
      const password = `${PIN}${await nextCode()}`;
      const network = method === 'ttls' ? ttls(password) : peap(password, 'GTC');
      const r = await eapolTest(dir, s.port, SECRET, network, ['-r', '1']);
      assert.ok(r.success, r.output.slice(-3000));
      assert.match(r.output, /MPPE keys OK: 2 {2}mismatch: 0/);
      assert.match(r.output, /Handshake finished - resumed=1/);
      const eap = lastEap();
      assert.equal(eap.resumed, true);
      assert.equal(eap.method, method);
      assert.equal(s.audits().at(-1)!.reason, 'eap session resumed');
    }
  });

  test('TLS 1.3 re-authentication is a full handshake, so the same OTP again is a replay', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}${await nextCode()}`, tls13(true)), ['-r', '1']);
    assert.ok(r.rejected, r.output.slice(-3000));
    assert.deepEqual(
      s
        .audits()
        .slice(-2)
        .map((a) => a.reason),
      ['ok', 'replay'],
    );
  });
});

describe('EAP certificate reload on SIGHUP', () => {
  test('a new certificate is served after reload; supplicants trusting only the old CA fail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'otp-radius-eap-reload-'));
    const first = makeCertificates(dir, 'radius.test.example', 'first-');
    const second = makeCertificates(dir, 'radius.test.example', 'second-');
    const certFile = join(dir, 'server.pem');
    const keyFile = join(dir, 'server.key');
    await copyFile(first.cert, certFile);
    await copyFile(first.key, keyFile);
    const s = await startStack({ dir, yaml: `eap:\n  tls: { certFile: ${certFile}, keyFile: ${keyFile} }\ntokens:\n  totp: { window: 1800 }\n` });
    try {
      assert.equal((await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', PIN, '--seed', SEED, '--serial', 'EAP-RELOAD', '--no-qr'])).code, 0);
      const network = async (ca: string) => ({
        key_mgmt: 'IEEE8021X',
        eap: 'TTLS',
        identity: q('alice'),
        anonymous_identity: q('anonymous'),
        password: q(`${PIN}${await nextCode()}`),
        ca_cert: q(ca),
        phase2: q('auth=PAP'),
      });
      assert.ok((await eapolTest(dir, s.port, SECRET, await network(first.ca))).success, 'the first certificate');
      await copyFile(second.cert, certFile);
      await copyFile(second.key, keyFile);
      await s.running.reload();
      assert.ok((await eapolTest(dir, s.port, SECRET, await network(second.ca))).success, 'the new certificate after reload');
      const old = await eapolTest(dir, s.port, SECRET, await network(first.ca));
      assert.equal(old.success, false);
      assert.match(old.output, /certificate verify failed|unable to get local issuer certificate/);
    } finally {
      await s.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
