// README.md's quick start, run as written: the server is started the way
// `npm start` starts it, from a temporary copy of the shipped config/, and
// every command of the blocks marked `<!-- test: quickstart -->` runs through
// bash in that directory, in order, with the outcome its trailing comment
// promises checked.
//
// One thing differs from the README: port 1812 becomes a free port, in the
// copied config and in the radtest/radclient lines (127.0.0.1 ->
// 127.0.0.1:PORT), so that this test never talks to another server on 1812.
// Placeholders are filled as a reader would fill them: <code> is the TOTP
// code of the current time step (the same each time it appears), <next-code>
// the code of the step after it, <state> the State of the last answer.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freeUdpPort } from '../helpers/radius.ts';
import { oathtool } from '../helpers/stack.ts';
import { commandKind, markedCommands, withPort, type DocCommand } from './quickstart.ts';
import { requirePeer } from '../helpers/peers.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  code: number;
  output: string;
  stdout: string;
}

/** The environment of a reader's shell: no OTP_RADIUS_CONFIG, so commands read config/otp-radius.yaml as the README says. */
function readerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OTP_RADIUS_CONFIG;
  return env;
}

function sh(command: string, cwd: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((done) => {
    execFile('bash', ['-c', command], { cwd, timeout: timeoutMs, env: readerEnv() }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      done({ code, stdout, output: stdout + stderr });
    });
  });
}

let dir: string;
let port: number;
let server: ChildProcess | undefined;
let serverLog = '';
let serverExited: Promise<number | null> | undefined;

before(async () => {
  // The README's commands, and the generator of the codes typed into them.
  requirePeer('radtest', 'freeradius-utils');
  requirePeer('radclient', 'freeradius-utils');
  requirePeer('oathtool', 'oathtool');
  // `npm start` builds dist/ first; so does this test, in the repository.
  const build = await sh('npm run --silent build', ROOT, 120_000);
  assert.equal(build.code, 0, `npm run build failed:\n${build.output}`);

  dir = await mkdtemp(join(tmpdir(), 'otp-radius-readme-'));
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true });
  await symlink(join(ROOT, 'dist'), join(dir, 'dist'));
  await symlink(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));

  port = await freeUdpPort();
  const configFile = join(dir, 'config/otp-radius.yaml');
  const shipped = await readFile(configFile, 'utf8');
  assert.equal((shipped.match(/^ {2}port: 1812$/gm) ?? []).length, 1, 'the shipped config listens on port 1812 (the README assumes it): this test replaces it with a free port');
  await writeFile(configFile, shipped.replace(/^ {2}port: 1812$/m, `  port: ${port}`));

  // The command `npm start` runs after its build, as written in package.json.
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const start = pkg.scripts.start.split('&&').at(-1)!.trim();
  assert.match(start, /^node dist\/cli\/main\.js serve /);
  server = spawn('bash', ['-c', `exec ${start}`], { cwd: dir, env: readerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
  serverExited = new Promise((done) => server!.on('exit', (code) => done(code)));
  for (let i = 0; i < 300 && !serverLog.includes('otp-radius started'); i++) {
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(serverLog, /otp-radius started/, `the server did not start:\n${serverLog}`);
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await serverExited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the server logged about packets it dropped, for failure messages. */
function drops(): string {
  return serverLog.split('\n').filter((l) => l.includes('RADIUS packet dropped')).join('\n');
}

test('README.md quick start: every marked command works as written', async () => {
  const commands = markedCommands(await readFile(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(commands.some((c) => c.command.startsWith('radtest')), 'the quick start has marked radtest lines');

  let step: number | undefined;
  let state: string | undefined;
  let seed: string | undefined;
  const code = async (offset: number): Promise<string> => {
    assert.ok(seed, 'a <code> before any token was enrolled in the quick start');
    step ??= Math.floor(Date.now() / 1000 / 30);
    return oathtool(['--totp', '-b', seed, '-N', `@${(step + offset) * 30}`]);
  };

  for (const c of commands) {
    const where = `README.md:${c.line}: ${c.command}`;
    const kind = commandKind(c.command);
    assert.ok(kind, `${where}\n  is not a command this test knows how to run (radtest, radclient, node dist/cli/main.js, otp-radius)`);
    let command = c.command;
    if (command.includes('<code>')) command = command.replaceAll('<code>', await code(0));
    if (command.includes('<next-code>')) command = command.replaceAll('<next-code>', await code(1));
    if (command.includes('<state>')) {
      assert.ok(state, `${where}\n  uses <state>, but no answer before it carried a State`);
      command = command.replaceAll('<state>', state);
    }
    assert.doesNotMatch(command, /<[a-z-]+>/, `${where}\n  has a placeholder this test does not know`);
    if (kind === 'radius') {
      const ported = withPort(command, port);
      assert.notEqual(ported, command, `${where}\n  names no server 127.0.0.1 whose port this test could replace`);
      command = ported;
    }

    const run = await sh(command, dir);
    const shown = `${where}\n  ran: ${command}\n  exit ${run.code}, output:\n${run.output}\n  server drops:\n${drops() || '(none)'}`;
    check(c, kind, run, shown);

    const found = /State = 0x([0-9a-fA-F]+)/.exec(run.output);
    if (found) state = found[1];
    const enrolled = /^seed:\s+([A-Z2-7]+)/m.exec(run.stdout);
    if (enrolled) seed = enrolled[1];
  }
});

function check(c: DocCommand, kind: 'radius' | 'cli', run: Run, shown: string): void {
  if (c.expect === undefined) {
    assert.equal(run.code, 0, `expected success:\n${shown}`);
    return;
  }
  if (kind === 'radius') {
    assert.match(c.expect, /^Received Access-(Accept|Reject|Challenge)$/, `the comment of a RADIUS line names the answer: ${shown}`);
    assert.ok(run.output.includes(c.expect), `expected "${c.expect}":\n${shown}`);
    return;
  }
  // The CLI's `check` prints the decision first and exits 0 (accept), 1 (reject) or 3 (challenge).
  const decision = /^(accept|reject|challenge):/.exec(c.expect)?.[1];
  assert.ok(decision, `the comment of a CLI line starts with accept:, reject: or challenge: ${shown}`);
  assert.ok(run.stdout.startsWith(c.expect), `expected output starting with "${c.expect}":\n${shown}`);
  assert.equal(run.code, { accept: 0, reject: 1, challenge: 3 }[decision], `exit code of ${decision}:\n${shown}`);
}
