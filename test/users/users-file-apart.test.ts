import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { FileResolver } from '../../src/users/file-resolver.ts';
import { ResolverConfigError } from '../../src/users/types.ts';
import { parseUsersFile } from '../../src/users/users-file.ts';
import { APART_MIN_LENGTH, ChildParseError, loadUsersFile, parseUsersFileApart } from '../../src/users/users-file-apart.ts';

// openssl passwd -6 -salt Ex8zoYNGxa3bHeFo 'correct horse'
const HASH = '$6$Ex8zoYNGxa3bHeFo$TDUUG8VZPE9NRR5RNuSWfFN8ijRpxvY4t5AAOPq0ifBUxwMVYjBlhpIyx5Yhr.bhNJ3YXhDrXnjp2sL8BQ07E1';

/** A users file of `n` users with every kind of field, an alias and non-ASCII text, longer than APART_MIN_LENGTH for n >= 300. */
function bigFile(n: number, extra = ''): string {
  let s = 'users:\n';
  for (let i = 0; i < n; i++) {
    s += `  - login: user${i}\n    id: "u-${i}"\n    givenName: "Jürgen ${i}"\n    email: user${i}@example.org\n`;
    s += i === 0 ? '    groups: &g [vpn-users, staff]\n' : '    groups: *g\n';
    s += `    attributes: { department: IT, rooms: ["1${i}", "2${i}"] }\n`;
    if (i % 100 === 0) s += `    password: "${HASH}"\n`;
  }
  return s + extra;
}

async function tempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-apart-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino(sink), lines };
}

test('a large file parsed in a child gives exactly what parsing it here gives', async () => {
  const source = bigFile(400);
  assert.ok(source.length >= APART_MIN_LENGTH);
  const here = await parseUsersFile(source, 'users.yaml');
  const apart = await parseUsersFileApart(source, 'users.yaml');
  assert.equal(apart.length, 400);
  assert.deepStrictEqual(apart, here);
  assert.equal(apart[7]!.user.givenName, 'Jürgen 7');
  assert.deepEqual(apart[7]!.user.groups, ['vpn-users', 'staff']);
  assert.equal(apart[100]!.passwordHash, HASH);
  assert.equal(apart[101]!.passwordHash, undefined);
  assert.equal(apart[2]!.line, 15);
});

test('a large file with problems: the same ResolverConfigError, every problem with its line', async () => {
  const source = bigFile(400, '  - login: user5\n  - login: x\n    email: not-an-address\n    shoe: 42\n');
  const expected = await parseUsersFile(source, 'conf/users.yaml').then(
    () => assert.fail('accepted'),
    (e: unknown) => (e as ResolverConfigError).problems,
  );
  assert.equal(expected.length, 3);
  await assert.rejects(parseUsersFileApart(source, 'conf/users.yaml'), (e: unknown) => {
    assert.ok(e instanceof ResolverConfigError);
    assert.deepEqual(e.problems, expected);
    assert.match(e.problems[0]!, /^conf\/users\.yaml:\d+: users\[400\]\.login: "user5" is already the login of users\[5\]/);
    return true;
  });
  // A YAML syntax error is reported by the child too.
  await assert.rejects(parseUsersFileApart(bigFile(400, '  - login: [unclosed\n'), 'u.yaml'), (e: unknown) => {
    assert.ok(e instanceof ResolverConfigError);
    assert.match(e.problems[0]!, /^u\.yaml:\d+: YAML syntax: /);
    return true;
  });
});

test('the child applies the login case rule it is given', async () => {
  const source = bigFile(400, '  - login: USER3\n');
  assert.equal((await parseUsersFileApart(source, 'u.yaml')).length, 401);
  await assert.rejects(parseUsersFileApart(source, 'u.yaml', { caseInsensitive: true }), (e: unknown) => {
    assert.ok(e instanceof ResolverConfigError);
    assert.match(e.problems.join('\n'), /"USER3" is already the login of users\[3\].*case-insensitive/);
    return true;
  });
});

test('small files are parsed here, large ones in a child, with the same result', async () => {
  await tempDir(async (dir) => {
    // A child script that records that it ran, then does the real work.
    const marker = join(dir, 'ran');
    const script = join(dir, 'child.ts');
    const real = new URL('../../src/users/users-file-child.ts', import.meta.url).href;
    await writeFile(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'yes');\nawait import(${JSON.stringify(real)});\n`);
    const small = 'users:\n  - login: alice\n';
    assert.equal((await loadUsersFile(small, 'u.yaml', { childScript: script })).length, 1);
    assert.equal(existsSync(marker), false);
    const large = bigFile(400);
    assert.deepStrictEqual(await loadUsersFile(large, 'u.yaml', { childScript: script }), await parseUsersFile(large, 'u.yaml'));
    assert.equal(existsSync(marker), true);
  });
});

test('a child that fails: parsed here instead, with one warning naming the cause', async () => {
  await tempDir(async (dir) => {
    const cases: [string, string, RegExp][] = [
      ['crash.ts', "process.stderr.write('something broke\\n'); process.exit(3);", /exit code 3: something broke/],
      ['garbage.ts', "process.stdout.write('not json');", /wrote no JSON/],
      ['wrong-shape.ts', 'process.stdout.write(JSON.stringify({ entries: [{ user: { login: 1 } }] }));', /malformed user/],
      ['nothing.ts', "process.stdout.write('{}');", /neither users nor problems/],
      ['killed.ts', "process.kill(process.pid, 'SIGKILL');", /ended with SIGKILL/],
      ['missing.ts', '', /exit code 1/],
    ];
    const source = bigFile(400);
    const expected = await parseUsersFile(source, 'u.yaml');
    for (const [name, body, why] of cases) {
      const script = join(dir, name);
      if (body !== '') await writeFile(script, body);
      await assert.rejects(parseUsersFileApart(source, 'u.yaml', {}, { script }), (e: unknown) => e instanceof ChildParseError && why.test(e.message), name);
      const { logger, lines } = captureLogger();
      assert.deepStrictEqual(await loadUsersFile(source, 'u.yaml', { childScript: script, logger }), expected, name);
      assert.equal(lines.length, 1, name);
      assert.equal(lines[0]!.level, 40);
      assert.equal(lines[0]!.usersFile, 'u.yaml');
      assert.match(String(lines[0]!.err), why);
    }
    // Problems in the file are never a child failure: no second parse, no warning.
    const { logger, lines } = captureLogger();
    await assert.rejects(loadUsersFile(bigFile(400, '  - login: user1\n'), 'u.yaml', { logger }), ResolverConfigError);
    assert.equal(lines.length, 0);
  });
});

test('aborting ends the child at once and parses nothing here', async () => {
  await tempDir(async (dir) => {
    const pidFile = join(dir, 'pid');
    const script = join(dir, 'hang.ts');
    await writeFile(script, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => {}, 1000);\n`);
    const { logger, lines } = captureLogger();
    const stop = new AbortController();
    const loading = loadUsersFile(bigFile(400), 'u.yaml', { childScript: script, logger, signal: stop.signal });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 10));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const reason = new Error('stopping');
    stop.abort(reason);
    await assert.rejects(loading, (e: unknown) => e === reason);
    assert.equal(lines.length, 0, 'no fallback parse');
    // Killed, then reaped by the parent.
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(isAlive(pid), false);
    // An already aborted signal starts no child.
    await assert.rejects(parseUsersFileApart(bigFile(400), 'u.yaml', {}, { signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the event loop keeps turning while a child parses a large file', async () => {
  const source = bigFile(6000);
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  try {
    assert.equal((await parseUsersFileApart(source, 'u.yaml')).length, 6000);
  } finally {
    clearInterval(ticker);
  }
  // The gap still open when the parse ends counts too (parsed here, it would be the only one).
  longestGap = Math.max(longestGap, performance.now() - last);
  const took = performance.now() - started;
  // Parsed here, the whole parse would be one gap; apart, only decoding the JSON answer is.
  assert.ok(longestGap < took / 3, `longest gap ${longestGap.toFixed(0)} ms of ${took.toFixed(0)} ms`);
});

test('the file resolver loads and reloads a large file through the child, keeping its users when a reload fails', async () => {
  await tempDir(async (dir) => {
    const path = join(dir, 'users.yaml');
    await writeFile(path, bigFile(400));
    const r = await FileResolver.open('local', { path });
    assert.equal(r.size, 400);
    assert.equal((await r.findUser('user399'))?.email, 'user399@example.org');
    assert.equal(await r.checkPassword((await r.findUser('user100'))!, 'correct horse'), true);
    await writeFile(path, bigFile(401, '  - login: user7\n'));
    await assert.rejects(r.reload(), (e: unknown) => e instanceof ResolverConfigError && /users\.yaml:\d+: users\[401\]\.login/.test(e.problems[0]!));
    assert.equal(r.size, 400);
    await writeFile(path, bigFile(500));
    await r.reload();
    assert.equal(r.size, 500);
    assert.equal((await r.findUser('user499'))?.id, 'u-499');
    // Closed while a reload's child still parses (a SIGHUP, then a SIGTERM): the reload ends quietly, loading nothing.
    const reloading = r.reload();
    await r.close();
    await reloading;
    assert.equal(r.size, 0);
  });
});
