// Backup and restore of a PostgreSQL store as docs/operations.md tells it:
// pg_dump of a running server's database, pg_restore into a fresh one, the
// page's after-restore.sql run with psql as written there, and a server on
// the restored database with the same key file: the token enrolled before
// the backup logs in, a TOTP code used after the backup stays used.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { start, type Running } from '../../src/server/start.ts';
import { postgresBinDir, startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { captureLogs, radclient, SECRET } from '../helpers/radius.ts';
import { oathtool, parseRadclient, runCli, writeStackConfig, type Reply } from '../helpers/stack.ts';
import { requirePeer } from '../helpers/peers.ts';

const ROOT = join(import.meta.dirname, '../..');
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const stepNow = (): number => Math.floor(Date.now() / 1000 / 30);
const totpAt = (step: number): Promise<string> => oathtool(['--totp', '-b', SEED, '-N', `@${step * 30}`]);

function run(file: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? fail(new Error(`${file} ${args.join(' ')}: ${stderr || err.message}`)) : done(stdout)));
  });
}

/** The SQL block of docs/operations.md marked `<!-- after-restore.sql -->`, as a reader copies it. */
async function afterRestoreSql(): Promise<string> {
  const page = await readFile(join(ROOT, 'docs/operations.md'), 'utf8');
  const m = /<!-- after-restore\.sql -->\n```sql\n([\s\S]*?)\n```/.exec(page);
  assert.ok(m, 'docs/operations.md has the after-restore.sql block');
  return m[1]!;
}

async function auth(server: Running, user: string, password: string): Promise<Reply> {
  const r = await radclient(['-x', '-r', '1', '-t', '3', `127.0.0.1:${server.radius.port()}`, 'auth', SECRET], `User-Name = "${user}"\nUser-Password = "${password}"\n`);
  return parseRadclient(r.stdout + r.stderr);
}

describe('PostgreSQL: pg_dump of a running server, pg_restore, after-restore.sql', () => {
  let pg: PostgresCluster;
  let dir: string;
  const servers: Running[] = [];
  before(async () => {
    requirePeer('oathtool', 'oathtool');
    requirePeer('radclient', 'freeradius-utils');
    pg = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-pg-restore-'));
  });
  after(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A config on `url` with the shared key file. */
  async function configFor(url: string): Promise<string> {
    const config = await writeStackConfig(dir, 0);
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace(/store:\n {2}sqlite: .*\n {2}keyFile: .*\n/, `store:\n  postgres: { url: "${url}" }\n  keyFile: ${join(dir, 'otp-radius.key')}\n`),
    );
    return config;
  }

  test('the token enrolled before the backup logs in on the restored database', async () => {
    const bin = postgresBinDir();
    const original = await pg.createDatabase('otp');
    const configA = await configFor(original);
    const a = await start(configA, { logger: captureLogs('warn').logger });
    servers.push(a);
    const enrolled = await runCli(['token', 'enroll', '--user', 'alice', '--type', 'totp', '--seed', SEED, '--serial', 'PG-TOTP', '--no-qr', '--config', configA]);
    assert.equal(enrolled.code, 0, enrolled.stderr);

    const dump = join(dir, 'otp.dump');
    await run(join(bin, 'pg_dump'), ['-Fc', '-f', dump, original]);

    const usedAfter = stepNow();
    assert.equal((await auth(a, 'alice', await totpAt(usedAfter))).code, 'accept');
    await a.stop();

    const restored = await pg.createDatabase('otp_restored');
    await run(join(bin, 'pg_restore'), ['--no-owner', '-d', restored, dump]);
    const sqlFile = join(dir, 'after-restore.sql');
    await writeFile(sqlFile, await afterRestoreSql());
    await run(join(bin, 'psql'), ['-v', 'ON_ERROR_STOP=1', '-q', '-d', restored, '-f', sqlFile]);
    const stepAtRestore = stepNow();

    const configB = await configFor(restored);
    const logs = captureLogs('info');
    const b = await start(configB, { logger: logs.logger });
    servers.push(b);
    const replay = await auth(b, 'alice', await totpAt(usedAfter));
    assert.equal(replay.code, 'reject', 'a TOTP code used after the backup stays used');
    assert.equal(logs.lines.filter((l) => l.event === 'auth').at(-1)!.reason, 'replay');
    assert.equal((await auth(b, 'alice', await totpAt(stepAtRestore + 1))).code, 'accept', 'the next code logs in');
  });
});
