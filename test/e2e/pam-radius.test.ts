// docs/nas/linux-pam.md as a test: Debian's pam_radius_auth (libpam-radius-auth)
// against a real server, driven by pamtester. PIN+OTP in one go, a replay, a
// wrong PIN, challenge-response through the PAM conversation, and the claim
// that this pam_radius sends no Message-Authenticator.
//
// PAM reads its service files from /etc/pam.d. Instead of writing there,
// pamtester runs in a user and mount namespace of its own (unshare) in which
// a temporary directory is bind-mounted over /etc/pam.d: the machine's PAM
// configuration is never touched, whatever happens to the test.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { start, type Running } from '../../src/server/start.ts';
import { captureLogs, type LogCapture } from '../helpers/radius.ts';
import { oathtool, runCli } from '../helpers/stack.ts';
import { localConfigYaml } from '../helpers/local-config.ts';

const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const SECRET = 'pam-radius-test-secret-of-good-length';
const SERVICE = 'otp-radius-ssh';

interface PamResult {
  code: number;
  output: string;
}

function run(file: string, args: string[], input = '', timeout = 30_000): Promise<PamResult> {
  return new Promise((done, fail) => {
    const child = execFile(file, args, { timeout }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        fail(new Error(`${file} not found`));
        return;
      }
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
    child.stdin?.end(input);
  });
}

/** `pamtester SERVICE USER authenticate` with `pamDir` as /etc/pam.d; `input` answers the prompts, one line each. */
function pamtester(pamDir: string, user: string, input: string): Promise<PamResult> {
  const script = 'mount --bind "$1" /etc/pam.d && exec pamtester -v "$2" "$3" authenticate';
  return run('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', pamDir, SERVICE, user], input);
}

describe('pam_radius_auth (Debian libpam-radius-auth) with pamtester', () => {
  let dir: string;
  let config: string;
  let running: Running;
  let logs: LogCapture;
  let step: number;
  const code = (offset: number): Promise<string> => oathtool(['--totp', '-b', SEED, '-N', `@${(step + offset) * 30}`]);
  const audits = (): Record<string, unknown>[] => logs.lines.filter((l) => l.event === 'auth');

  before(async () => {
    const missing = await run('sh', ['-c', 'command -v pamtester >/dev/null && command -v unshare >/dev/null && dpkg-query -W -f "\\${Status}" libpam-radius-auth | grep -q "ok installed"']);
    assert.equal(missing.code, 0, 'needs Debian packages libpam-radius-auth and pamtester (.ci/run installs them) and unshare (util-linux)');

    dir = await mkdtemp(join(tmpdir(), 'otp-radius-pam-'));
    await writeFile(join(dir, 'users.yaml'), 'users:\n  - login: alice\n    id: "1001"\n');
    config = join(dir, 'otp-radius.yaml');
    // The client entries of docs/nas/linux-pam.md: pam_radius 2.0 sends no Message-Authenticator.
    // 127.0.0.2 stands for a host whose entry requires one anyway.
    await writeFile(
      config,
      `
listen: { address: 127.0.0.1, port: 0 }
clients:
  - name: ssh-bastion
    address: 127.0.0.1
    secret: ${SECRET}
    requireMessageAuthenticator: false
  - name: strict-host
    address: 127.0.0.2
    secret: ${SECRET}
    requireMessageAuthenticator: true
${localConfigYaml(dir)}`,
    );
    logs = captureLogs('info');
    running = await start(config, { logger: logs.logger });
    const port = running.radius.port();

    const enrolled = await runCli(['token', 'enroll', '--config', config, '--user', 'alice', '--type', 'totp', '--pin', '1234', '--seed', SEED, '--serial', 'PAM-TOTP', '--no-qr']);
    assert.equal(enrolled.code, 0, enrolled.stderr);

    // pam_radius_auth.conf: server[:port] secret [timeout [source_ip]]; the timeout is 3 to 60 seconds.
    await writeFile(join(dir, 'pam_radius_auth.conf'), `127.0.0.1:${port} ${SECRET} 3\n`, { mode: 0o600 });
    await writeFile(join(dir, 'pam_radius_strict.conf'), `127.0.0.1:${port} ${SECRET} 3 127.0.0.2\n`, { mode: 0o600 });
    await writePamService(join(dir, 'pam.d'), join(dir, 'pam_radius_auth.conf'));
    await writePamService(join(dir, 'pam.d-strict'), join(dir, 'pam_radius_strict.conf'));
    step = Math.floor(Date.now() / 1000 / 30);
  });

  after(async () => {
    await running?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('PIN+TOTP in one go authenticates; the same code again fails', async () => {
    const otp = await code(0);
    const ok = await pamtester(join(dir, 'pam.d'), 'alice', `1234${otp}\n`);
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /successfully authenticated/);
    const again = await pamtester(join(dir, 'pam.d'), 'alice', `1234${otp}\n`);
    assert.notEqual(again.code, 0, again.output);
    assert.deepEqual(
      audits()
        .slice(-2)
        .map((a) => a.reason),
      ['ok', 'replay'],
    );
    assert.equal(audits().at(-1)!.nasIdentifier, SERVICE, 'pam_radius sends the PAM service as NAS-Identifier');
  });

  test('a wrong PIN fails', async () => {
    const r = await pamtester(join(dir, 'pam.d'), 'alice', `9999${await code(1)}\n`);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /Authentication failure/);
    assert.equal(audits().at(-1)!.reason, 'wrong pin');
  });

  test('challenge-response: the PIN alone, then the OTP at the prompt the server sent', async () => {
    const r = await pamtester(join(dir, 'pam.d'), 'alice', `1234\n${await code(2)}\n`);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /Please enter your OTP/, 'the Reply-Message is the prompt');
    assert.deepEqual(
      audits()
        .slice(-2)
        .map((a) => a.reason),
      ['challenge created', 'ok (challenge)'],
    );
  });

  test('this pam_radius sends no Message-Authenticator: a client entry that requires one drops it', async () => {
    const before = audits().length;
    const r = await pamtester(join(dir, 'pam.d-strict'), 'alice', `1234${await code(3)}\n`);
    assert.notEqual(r.code, 0, r.output);
    assert.equal(audits().length, before, 'no decision was made');
    assert.ok(
      logs.lines.some((l) => l.msg === 'RADIUS packet dropped' && l.reason === 'missing-message-authenticator' && l.client === 'strict-host'),
      'the drop is logged with its cause',
    );
  });
});

async function writePamService(pamDir: string, conf: string): Promise<void> {
  await mkdir(pamDir);
  await writeFile(join(pamDir, SERVICE), `auth required pam_radius_auth.so conf=${conf}\n`);
}
