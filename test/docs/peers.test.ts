// The Debian packages `npm test` needs: README.md names the ones .ci/run
// installs, and a missing program fails with one line naming its package.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCommand, requirePeer } from '../helpers/peers.ts';

const ROOT = join(import.meta.dirname, '../..');

test('README.md names the Debian packages .ci/run installs for the tests', async () => {
  const ci = await readFile(join(ROOT, '.ci/run'), 'utf8');
  const installed = /^packages=\(([^)]*)\)$/m.exec(ci)?.[1]?.trim().split(/\s+/);
  assert.ok(installed && installed.length > 0, '.ci/run has a packages=(...) line');
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\napt-get install --no-install-recommends ([^`]*?)\n```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has an apt-get install line for the test peers');
  const named = block.replace(/\\\n/g, ' ').trim().split(/\s+/);
  assert.deepEqual([...named].sort(), [...installed].sort());
});

test('a missing peer is one line naming its package', () => {
  assert.equal(hasCommand('sh'), true);
  assert.equal(hasCommand('/bin/sh'), true);
  assert.equal(hasCommand('otp-radius-no-such-program'), false);
  assert.equal(hasCommand('/nonexistent/radclient'), false);
  requirePeer('sh', 'dash');
  assert.throws(() => requirePeer('otp-radius-no-such-program', 'some-package'), {
    message: 'otp-radius-no-such-program not found: install Debian package some-package (.ci/run does)',
  });
});
