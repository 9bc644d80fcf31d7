// The Node.js version check of `otp-radius`: an old Node gets one line naming
// the version found, the version needed and where to get it, and exit code 1,
// before any native module is loaded.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../src/cli/node-version.ts';

const ROOT = join(import.meta.dirname, '../..');
// Debian's own nodejs package is older than 22 (18 in Debian 12, 20 in 13): the Node a newcomer meets first.
const OLD_NODE = process.env.OTP_RADIUS_OLD_NODE ?? '/usr/bin/node';

test('versions 22 and newer pass; older ones and garbage get the line', () => {
  for (const v of ['22.0.0', '22.12.0', '24.11.1', '25.0.0-pre', 'v24.1.0']) assert.equal(nodeVersionProblem(v, '/x/node'), undefined, v);
  for (const v of ['20.20.2', '18.19.0', '21.7.3', 'v8.0.0', '', 'banana']) {
    const line = nodeVersionProblem(v, '/usr/bin/node');
    assert.ok(line, v);
    assert.doesNotMatch(line, /\n/);
    assert.match(line, new RegExp(`Node\\.js ${v.replace(/\./g, '\\.')} \\(/usr/bin/node\\) is too old`));
    assert.match(line, /needs Node\.js 22 or newer \(24 LTS recommended\)/);
    assert.match(line, /"Installing Node\.js 24" in docs\/operations\.md/);
  }
});

test('the built command run by an old Node prints that one line and exits 1', async () => {
  assert.ok(existsSync(OLD_NODE), `this test needs a Node.js older than ${MIN_NODE_MAJOR} at ${OLD_NODE} (Debian package nodejs; or set OTP_RADIUS_OLD_NODE)`);
  const version = spawnSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(Number(version.split('.')[0]) < MIN_NODE_MAJOR, `${OLD_NODE} is Node.js ${version}: this test needs one older than ${MIN_NODE_MAJOR} (Debian package nodejs; or set OTP_RADIUS_OLD_NODE)`);

  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}${build.stderr}`);
  const docs = join(ROOT, 'docs/operations.md');
  for (const args of [['--version'], ['serve', '--config', join(ROOT, 'config/otp-radius.yaml')], ['token', 'list']]) {
    const r = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((done) => {
      const child = execFile(OLD_NODE, [join(ROOT, 'dist/cli/main.js'), ...args], { timeout: 10_000 }, (_err, stdout, stderr) =>
        done({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
      );
    });
    assert.equal(r.signal, null, `${args.join(' ')}: killed by ${r.signal}`);
    assert.equal(r.code, 1, `${args.join(' ')}: exit code`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `otp-radius: ${nodeVersionProblem(version, OLD_NODE)}\n`);
  }
  // The line sends the reader to a section that exists.
  const ops = await import('node:fs/promises').then((fs) => fs.readFile(docs, 'utf8'));
  assert.match(ops, /^### Installing Node\.js 24$/m);
});
