// The commands of README.md and docs/ run as written: every command of the
// blocks marked `<!-- test: NAME -->` runs through bash, in order, with the
// outcome its trailing comment promises checked. Each marked section gets a
// server of its own, started the way `npm start` starts it, from a temporary
// copy of the shipped config/, and runs in that directory; `otp-radius` is
// the built command on PATH, as after an install.
//
// One thing differs from the pages: port 1812 becomes a free port, in the
// copied config and in the radtest/radclient lines (127.0.0.1 ->
// 127.0.0.1:PORT), so that this test never talks to another server on 1812;
// so does the portal's port 5000.
// Placeholders are filled as a reader would fill them: <code> is the TOTP
// code of the current time step (the same each time it appears), <next-code>
// the code of the step after it, <state> the State of the last RADIUS answer,
// <transaction-id> the one `check` printed last.

import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { freeUdpPort } from '../helpers/radius.ts';
import { freeTcpPort } from '../helpers/ports.ts';
import { oathtool } from '../helpers/stack.ts';
import { commandKind, markedCommands, sectionNames, withPort, type DocCommand } from './quickstart.ts';
import { requirePeer } from '../helpers/peers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** The pages whose marked sections run here. */
const PAGES = ['README.md', 'docs/cli.md', 'docs/operations.md', 'docs/configuration.md', 'docs/migration-linotp.md', 'docs/nas/README.md'];

interface Run {
  code: number;
  output: string;
  stdout: string;
}

/** The environment of a reader's shell: no OTP_RADIUS_CONFIG, so commands read config/otp-radius.yaml as the pages say. */
function readerEnv(bin?: string): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OTP_RADIUS_CONFIG;
  if (bin) env.PATH = `${bin}:${env.PATH ?? ''}`;
  return env;
}

function sh(command: string, cwd: string, timeoutMs = 30_000, bin?: string): Promise<Run> {
  return new Promise((done) => {
    execFile('bash', ['-c', command], { cwd, timeout: timeoutMs, env: readerEnv(bin) }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      done({ code, stdout, output: stdout + stderr });
    });
  });
}

before(async () => {
  // The pages' commands, and the generator of the codes typed into them.
  requirePeer('radtest', 'freeradius-utils');
  requirePeer('radclient', 'freeradius-utils');
  requirePeer('oathtool', 'oathtool');
  // `npm start` builds dist/ first; so does this test, in the repository.
  const build = await sh('npm run --silent build', ROOT, 120_000);
  assert.equal(build.code, 0, `npm run build failed:\n${build.output}`);
});

/** A reader's clone: config/ copied, the build linked, `otp-radius` on PATH, and the server `npm start` runs. */
async function startClone(): Promise<{ dir: string; bin: string; port: number; log: () => string; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-docs-'));
  await cp(join(ROOT, 'config'), join(dir, 'config'), { recursive: true });
  for (const f of ['dist', 'package.json', 'node_modules', 'dictionaries']) await symlink(join(ROOT, f), join(dir, f));
  const bin = join(dir, '.bin');
  await mkdir(bin);
  await writeFile(join(bin, 'otp-radius'), `#!/bin/sh\nexec node ${join(ROOT, 'dist/cli/main.js')} "$@"\n`);
  await chmod(join(bin, 'otp-radius'), 0o755);

  const port = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const configFile = join(dir, 'config/otp-radius.yaml');
  const shipped = await readFile(configFile, 'utf8');
  assert.equal((shipped.match(/^ {2}port: 1812$/gm) ?? []).length, 1, 'the shipped config listens on port 1812 (the pages assume it): this test replaces it with a free port');
  assert.equal((shipped.match(/ port: 5000,/g) ?? []).length, 1, 'the shipped config serves the portal on port 5000 (the README says so): this test replaces it with a free port');
  await writeFile(configFile, shipped.replace(/^ {2}port: 1812$/m, `  port: ${port}`).replace(/ port: 5000,/, ` port: ${httpPort},`));

  // The command `npm start` runs after its build, as written in package.json.
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const start = pkg.scripts.start.split('&&').at(-1)!.trim();
  assert.match(start, /^node dist\/cli\/main\.js serve /);
  let log = '';
  const server: ChildProcess = spawn('bash', ['-c', `exec ${start}`], { cwd: dir, env: readerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((done) => server.on('exit', done));
  for (let i = 0; i < 300 && !log.includes('otp-radius started'); i++) {
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(log, /otp-radius started/, `the server did not start:\n${log}`);
  // The README's first way to a token: the portal answers on the shipped listener.
  const portal = await fetch(`http://127.0.0.1:${httpPort}/self/login`);
  assert.equal(portal.status, 200, 'the shipped config serves the self-service portal');
  assert.match(await portal.text(), /<h1>Log in<\/h1>/);
  return {
    dir,
    bin,
    port,
    log: () => log,
    async stop() {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What the server logged about packets it dropped, for failure messages. */
function drops(log: string): string {
  return log
    .split('\n')
    .filter((l) => l.includes('RADIUS packet dropped'))
    .join('\n');
}

async function runSection(page: string, name: string): Promise<void> {
  const commands = markedCommands(await readFile(join(ROOT, page), 'utf8'), name, page);
  assert.ok(commands.length > 0, `${page}: section ${name} has commands`);
  const clone = await startClone();
  try {
    let step: number | undefined;
    let state: string | undefined;
    let transactionId: string | undefined;
    let seed: string | undefined;
    const code = async (offset: number): Promise<string> => {
      assert.ok(seed, `a <code> before any token was enrolled in ${page} ${name}`);
      step ??= Math.floor(Date.now() / 1000 / 30);
      return oathtool(['--totp', '-b', seed, '-N', `@${(step + offset) * 30}`]);
    };

    for (const c of commands) {
      const where = `${page}:${c.line}: ${c.command}`;
      const kind = commandKind(c.command);
      assert.ok(kind, `${where}\n  is not a command this test knows how to run (radtest, radclient, node dist/cli/main.js, otp-radius)`);
      let command = c.command;
      if (command.includes('<code>')) command = command.replaceAll('<code>', await code(0));
      if (command.includes('<next-code>')) command = command.replaceAll('<next-code>', await code(1));
      for (const [placeholder, value] of [
        ['<state>', state],
        ['<transaction-id>', transactionId],
      ] as const) {
        if (!command.includes(placeholder)) continue;
        assert.ok(value, `${where}\n  uses ${placeholder}, but no answer before it carried one`);
        command = command.replaceAll(placeholder, value);
      }
      assert.doesNotMatch(command, /<[a-z-]+>/, `${where}\n  has a placeholder this test does not know`);
      if (kind === 'radius') {
        const ported = withPort(command, clone.port);
        assert.notEqual(ported, command, `${where}\n  names no server 127.0.0.1 whose port this test could replace`);
        command = ported;
      }

      const run = await sh(command, clone.dir, 30_000, clone.bin);
      const shown = `${where}\n  ran: ${command}\n  exit ${run.code}, output:\n${run.output}\n  server drops:\n${drops(clone.log()) || '(none)'}`;
      check(c, kind, run, shown);

      state = /State = 0x([0-9a-fA-F]+)/.exec(run.output)?.[1] ?? state;
      transactionId = /^transaction id:\s+(\S+)/m.exec(run.stdout)?.[1] ?? transactionId;
      seed = /^seed:\s+([A-Z2-7]+)/m.exec(run.stdout)?.[1] ?? seed;
    }
  } finally {
    await clone.stop();
  }
}

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

test('README.md quick start: every marked command works as written', async () => {
  const commands = markedCommands(await readFile(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(
    commands.some((c) => c.command.startsWith('radtest')),
    'the quick start has marked radtest lines',
  );
  await runSection('README.md', 'quickstart');
});

for (const page of PAGES) {
  const names = sectionNames(await readFile(join(ROOT, page), 'utf8')).filter((n) => !(page === 'README.md' && n === 'quickstart'));
  for (const name of names) test(`${page}, ${name}: every marked command works as written`, () => runSection(page, name));
}
