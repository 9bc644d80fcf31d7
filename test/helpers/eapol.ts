// The supplicant side of EAP tests: certificates made with the openssl CLI
// (a CA and a server certificate it signed) and Debian's eapol_test (package
// eapoltest), wpa_supplicant's EAP state machines driving a RADIUS exchange.

import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePeer } from './peers.ts';

export interface Certificates {
  ca: string;
  cert: string;
  key: string;
}

/** A CA and a server certificate for `cn` signed by it, in `dir`. */
export function makeCertificates(dir: string, cn = 'radius.test.example', prefix = ''): Certificates {
  const file = (name: string) => join(dir, `${prefix}${name}`);
  requirePeer('openssl', 'openssl');
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    `/CN=Test CA ${prefix}${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${cn}`]);
  writeFileSync(file('server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${cn}\n`);
  run(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.pem'), '-days', '2', '-extfile', file('server.ext')]);
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

export interface EapolResult {
  /** eapol_test's exit code: 0 success, 253 (-3) Access-Reject, 254 (-2) timeout, 252 (-4) MPPE mismatch. */
  code: number;
  output: string;
  success: boolean;
  accepted: boolean;
  rejected: boolean;
  /** "MPPE keys OK: N  mismatch: 0" with N > 0: each accept's MPPE keys matched the MSK eapol_test derived. */
  mppeOk: boolean;
}

/** Quotes a value for wpa_supplicant's config. */
export function q(value: string): string {
  return JSON.stringify(value);
}

/** Runs eapol_test with one network block against 127.0.0.1:port. */
export function eapolTest(dir: string, port: number, secret: string, network: Record<string, string>, extraArgs: string[] = []): Promise<EapolResult> {
  const conf = join(dir, `eapol-${process.pid}-${Math.random().toString(36).slice(2)}.conf`);
  const lines = Object.entries(network).map(([k, v]) => `  ${k}=${v}`);
  writeFileSync(conf, `network={\n${lines.join('\n')}\n}\n`);
  return new Promise((resolve, reject) => {
    execFile('eapol_test', ['-c', conf, '-a', '127.0.0.1', '-p', String(port), '-s', secret, '-t', '15', ...extraArgs], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('eapol_test not found: install Debian package eapoltest (.ci/run does)'));
        return;
      }
      const output = stdout + stderr;
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({
        code,
        output,
        success: code === 0 && /^SUCCESS$/m.test(output),
        accepted: /RADIUS message: code=2 \(Access-Accept\)/.test(output),
        rejected: /RADIUS message: code=3 \(Access-Reject\)/.test(output),
        mppeOk: /MPPE keys OK: [1-9]\d* {2}mismatch: 0/.test(output),
      });
    });
  });
}
