import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, writeStackConfig } from '../helpers/stack.ts';

let dir: string;
let config: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otp-radius-user-'));
  config = await writeStackConfig(dir, 0);
  const init = await runCli(['store', 'init', '--config', config]);
  assert.equal(init.code, 0, init.stderr);
});
after(async () => rm(dir, { recursive: true, force: true }));

test('user list, search, and show with tokens', async () => {
  const list = await runCli(['user', 'list', '--config', config]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^LOGIN\s+RESOLVER\s+ID\s+EMAIL\s+GROUPS\nalice\s+local\s+1001\s+alice@example.org\s+vpn-users\nbob\s+local\s+1002/);
  const search = JSON.parse((await runCli(['user', 'list', '--search', 'bo', '--json', '--config', config])).stdout) as { login: string }[];
  assert.deepEqual(search.map((u) => u.login), ['bob']);
  await runCli(['token', 'enroll', '--user', 'alice', '--type', 'hotp', '--serial', 'U-1', '--no-qr', '--config', config]);
  const show = await runCli(['user', 'show', 'alice@default', '--config', config]);
  assert.match(show.stdout, /^login\s+alice$/m);
  assert.match(show.stdout, /^groups\s+vpn-users$/m);
  assert.match(show.stdout, /U-1\s+hotp\s+active\s+alice/);
  const nobody = await runCli(['user', 'show', 'carol', '--config', config]);
  assert.equal(nobody.code, 1);
  assert.equal(nobody.stderr, 'otp-radius: user show: user "carol" not found in realm "default"\n');
  const badRealm = await runCli(['user', 'list', '--realm', 'nowhere', '--config', config]);
  assert.equal(badRealm.stderr, 'otp-radius: user list: unknown realm "nowhere" (realms: default)\n');
});
