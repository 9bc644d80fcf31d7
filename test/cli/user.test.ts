import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initStackDir, runCli } from '../helpers/stack.ts';

let dir: string;
let config: string;
before(async () => {
  ({ dir, config } = await initStackDir('otp-radius-user-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

test('user list, search, and show with tokens', async () => {
  const list = await runCli(['user', 'list', '--config', config]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^LOGIN\s+RESOLVER\s+ID\s+EMAIL\s+GROUPS\nalice\s+local\s+1001\s+alice@example.org\s+vpn-users\nbob\s+local\s+1002/);
  const search = JSON.parse((await runCli(['user', 'list', '--search', 'bo', '--json', '--config', config])).stdout) as { login: string }[];
  assert.deepEqual(
    search.map((u) => u.login),
    ['bob'],
  );
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

test('user hash: a $6$ hash the users file accepts, from stdin or a file; no config read', async () => {
  const { verifyPasswordHash, checkPasswordHash } = await import('../../src/users/password-hash.ts');
  const r = await runCli(['user', 'hash', '--config', '/nonexistent.yaml'], 'correct horse\n');
  assert.equal(r.code, 2, 'user hash takes no --config');
  const fromStdin = await runCli(['user', 'hash'], 'correct horse\n');
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  const hash = fromStdin.stdout.trim();
  assert.match(hash, /^\$6\$[./A-Za-z0-9]{16}\$[./A-Za-z0-9]{86}$/);
  assert.equal(await checkPasswordHash(hash), undefined);
  assert.equal(await verifyPasswordHash('correct horse', hash), true);
  assert.equal(await verifyPasswordHash('correct horsf', hash), false);

  const file = join(dir, 'pw.txt');
  await writeFile(file, 'from a file\n', { mode: 0o600 });
  const fromFile = await runCli(['user', 'hash', '--password-file', file, '--rounds', '10000']);
  assert.match(fromFile.stdout, /^\$6\$rounds=10000\$/);
  assert.equal(await verifyPasswordHash('from a file', fromFile.stdout.trim()), true);

  // The hash works where the users file says it does: as a password: in a users file the resolver loads.
  const users = join(dir, 'hashed-users.yaml');
  await writeFile(users, `users:\n  - login: carol\n    password: "${hash}"\n`);
  const { FileResolver } = await import('../../src/users/index.ts');
  const resolver = await FileResolver.open('local', { path: users });
  const carol = await resolver.findUser('carol');
  assert.ok(carol);
  assert.equal(await resolver.checkPassword(carol, 'correct horse'), true);
  await resolver.close();

  assert.equal((await runCli(['user', 'hash', '--rounds', '10'])).code, 2);
  const empty = await runCli(['user', 'hash'], '\n');
  assert.equal(empty.code, 1);
  assert.equal(empty.stderr, 'otp-radius: user hash: the password is empty\n');
});
