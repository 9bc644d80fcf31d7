// docs/nas/openvpn.md as a test: an OpenVPN 2.6 server (Debian's openvpn)
// with openvpn-plugin-auth-pam and pam_radius_auth in front of a real
// otp-radius, and an OpenVPN client logging in on loopback. PIN+OTP as the
// password; the static-challenge form (PIN and code in two fields, sent as
// SCRV1:base64:base64) answered through otp-radius's challenge.
//
// The OpenVPN server runs in a mount namespace of its own with a temporary
// directory over /etc/pam.d, so the machine's PAM configuration is never
// touched. Server and client create tun devices for as long as they run but
// configure no address or route on them (ifconfig-noexec, route-noexec), and
// talk over 127.0.0.1 only; creating a tun device needs root.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { start, type Running } from '../../src/server/start.ts';
import { captureLogs, freeUdpPort, type LogCapture } from '../helpers/radius.ts';
import { oathtool, runCli } from '../helpers/stack.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SECRET = 'openvpn-pam-test-secret-of-good-length';
const PAM_SERVICE = 'otp-radius-openvpn';
const PLUGIN = '/usr/lib/x86_64-linux-gnu/openvpn/plugins/openvpn-plugin-auth-pam.so';

function sh(script: string, cwd?: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile('sh', ['-c', script], { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** Starts `command`, resolves with its output once a line matches one of `until` (or after 20 s), then stops it. */
function runUntil(child: ChildProcess, until: RegExp): Promise<string> {
  let out = '';
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      done(out);
    };
    const timer = setTimeout(finish, 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (until.test(out)) finish();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => {
      clearTimeout(timer);
      done(out);
    });
  });
}

describe('OpenVPN with openvpn-plugin-auth-pam and pam_radius_auth', () => {
  let dir: string;
  let running: Running;
  let logs: LogCapture;
  let step: number;
  let vpnPort: number;
  const servers: ChildProcess[] = [];
  const code = (offset: number): Promise<string> => oathtool(['--totp', '-b', SEED, '-N', `@${(step + offset) * 30}`]);
  const audits = (): Record<string, unknown>[] => logs.lines.filter((l) => l.event === 'auth');

  before(async () => {
    const ready = await sh(
      `command -v openvpn >/dev/null && test -e ${PLUGIN} && command -v unshare >/dev/null && dpkg-query -W -f '\${Status}' libpam-radius-auth | grep -q 'ok installed' && test -c /dev/net/tun && test "$(id -u)" = 0`,
    );
    assert.equal(ready.code, 0, 'needs Debian packages openvpn and libpam-radius-auth (.ci/run installs them), unshare, /dev/net/tun and root (for tun devices)');

    dir = await mkdtemp(join(tmpdir(), 'otp-radius-openvpn-'));
    await writeFile(join(dir, 'users.yaml'), 'users:\n  - login: alice\n    id: "1001"\n');
    const config = join(dir, 'otp-radius.yaml');
    await writeFile(
      config,
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - name: openvpn
    address: 127.0.0.1
    secret: ${SECRET}
    requireMessageAuthenticator: false
${localConfigYaml(dir)}`,
    );
    logs = captureLogs('info');
    running = await start(config, { logger: logs.logger });
    const enrolled = await runCli(['token', 'enroll', '--config', config, '--user', 'alice', '--type', 'totp', '--pin', '1234', '--seed', SEED, '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);

    await writeFile(join(dir, 'pam_radius_auth.conf'), `127.0.0.1:${running.radius.port()} ${SECRET} 10\n`, { mode: 0o600 });
    await mkdir(join(dir, 'pam.d'));
    await writeFile(join(dir, 'pam.d', PAM_SERVICE), `auth required pam_radius_auth.so conf=${join(dir, 'pam_radius_auth.conf')}\naccount required pam_permit.so\n`);

    const certs = await sh(
      [
        'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -subj /CN=test-ca -days 1',
        'openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=server',
        'printf "basicConstraints=CA:FALSE\\nkeyUsage=digitalSignature\\nextendedKeyUsage=serverAuth\\n" > server.ext',
        'openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile server.ext',
      ].join(' && '),
      dir,
    );
    assert.equal(certs.code, 0, certs.output);
    step = Math.floor(Date.now() / 1000 / 30);
  });

  after(async () => {
    for (const s of servers) if (s.exitCode === null) s.kill('SIGTERM');
    await running?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** An OpenVPN server whose auth-pam plugin gets `pluginArgs`; resolves once it listens. */
  async function startServer(pluginArgs: string): Promise<void> {
    vpnPort = await freeUdpPort();
    const conf = join(dir, `server-${vpnPort}.conf`);
    await writeFile(
      conf,
      `mode server
tls-server
proto udp4
local 127.0.0.1
port ${vpnPort}
dev tun
topology subnet
ifconfig 127.231.0.1 255.255.255.0
ifconfig-pool 127.231.0.10 127.231.0.20
ifconfig-noexec
route-noexec
ca ca.crt
cert server.crt
key server.key
dh none
verify-client-cert none
username-as-common-name
auth-gen-token
plugin ${PLUGIN} "${pluginArgs}"
verb 4
`,
    );
    const server = spawn('unshare', ['--mount', 'sh', '-c', 'mount --bind "$1" /etc/pam.d && exec openvpn --config "$2"', 'sh', join(dir, 'pam.d'), conf], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(server);
    let log = '';
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`openvpn server did not start:\n${log}`)), 15_000);
      const onData = (d: Buffer): void => {
        log += d.toString();
        if (log.includes('Initialization Sequence Completed')) {
          clearTimeout(timer);
          done();
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.on('exit', (c) => fail(new Error(`openvpn server exited with ${c}:\n${log}`)));
    });
  }

  /** An OpenVPN client logging in as alice with `password`: its log once it connected or was refused. */
  async function connect(password: string): Promise<string> {
    const creds = join(dir, `creds-${vpnPort}-${Math.random().toString(36).slice(2)}`);
    await writeFile(creds, `alice\n${password}\n`, { mode: 0o600 });
    const conf = `${creds}.conf`;
    await writeFile(
      conf,
      `client
proto udp4
remote 127.0.0.1 ${vpnPort}
dev tun
ifconfig-noexec
route-noexec
nobind
ca ca.crt
verify-x509-name server name
auth-user-pass ${creds}
auth-nocache
auth-retry none
verb 3
`,
    );
    const client = spawn('openvpn', ['--config', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    return runUntil(client, /Initialization Sequence Completed|AUTH_FAILED/);
  }

  test('plugin with the service name alone: PIN+OTP as the password connects, a wrong code is refused', async () => {
    await startServer(PAM_SERVICE);
    const ok = await connect(`1234${await code(0)}`);
    assert.match(ok, /Initialization Sequence Completed/, ok);
    assert.equal(audits().at(-1)!.reason, 'ok');
    const bad = await connect(`1234${await code(0)}`);
    assert.match(bad, /AUTH_FAILED/, bad);
    assert.equal(audits().at(-1)!.reason, 'replay');
  });

  test('static challenge: the PIN and the code in two fields, answered through the challenge', async () => {
    await startServer(`${PAM_SERVICE} login USERNAME password PASSWORD please OTP`);
    // What a client with `static-challenge "OTP code" 1` sends as its password.
    const scrv1 = `SCRV1:${Buffer.from('1234').toString('base64')}:${Buffer.from(await code(1)).toString('base64')}`;
    const ok = await connect(scrv1);
    assert.match(ok, /Initialization Sequence Completed/, ok);
    assert.deepEqual(
      audits()
        .slice(-2)
        .map((a) => a.reason),
      ['challenge created', 'ok (challenge)'],
    );
  });
});
