// `otp-radius store init | backup | restore`: the store file and its key file
// as an admin handles them. Only `init` (and `serve`) create a store; backup
// and restore work on the SQLite file the config names (PostgreSQL has
// pg_dump and pg_restore).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/config.ts';
import { backupSqlite, openStore, restoreSqlite } from '../store/index.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { loadCliConfig } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

export const INIT_USAGE = `usage: otp-radius store init [--config FILE]
  Creates the store the config names (the SQLite file, or the tables of an empty PostgreSQL
  database) and its key file (mode 0600), as the server's first start does; on a store that
  exists, checks its key file and applies pending schema migrations. No other command creates one.
`;

export const BACKUP_USAGE = `usage: otp-radius store backup FILE [--config FILE]
  Writes a consistent copy of the SQLite store to FILE (mode 0600; FILE must not exist) while the
  server runs. The key file is not in the copy: back it up too, kept apart (it never changes).
  PostgreSQL: use pg_dump (see docs/operations.md, "Backup and restore").
`;

export const RESTORE_USAGE = `usage: otp-radius store restore BACKUP [--force] [--config FILE]
  Stop the server first. Replaces the config's SQLite store with BACKUP, after checking it against
  the config's key file (restore that file first) and applying pending migrations. Every TOTP token
  moves to the time step after the current one, so that no TOTP code used after the backup logs in
  again; an HOTP or OCRA code used after the backup is accepted once more (within its window).
  --force  replace the store although its write-ahead log is there (a server stopped uncleanly).
`;

function sqliteOf(config: Config, command: string): string {
  if ('sqlite' in config.store) return config.store.sqlite.path;
  throw new CliError(`${command}: the store of ${config.file} is PostgreSQL: use ${command === 'store backup' ? 'pg_dump -Fc' : 'pg_restore'} (see docs/operations.md, "Backup and restore")`);
}

export async function storeInit(args: string[]): Promise<number> {
  const { values } = parse('store init', args, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    process.stdout.write(INIT_USAGE);
    return 0;
  }
  const config = loadCliConfig(values.config ?? DEFAULT_CONFIG);
  const sqlite = 'sqlite' in config.store ? config.store.sqlite.path : undefined;
  const storeExisted = sqlite === undefined || existsSync(sqlite);
  const keyExisted = existsSync(config.store.keyFile);
  const store = await openStore({ ...config.store, create: true });
  await store.close();
  const what = sqlite === undefined ? `${store.description} ready` : storeExisted ? `${store.description} exists` : `created ${store.description}`;
  const key = keyExisted ? `key file ${config.store.keyFile} matches` : `created key file ${config.store.keyFile}: back it up, apart from the store; without it the seeds cannot be decrypted`;
  process.stdout.write(`${what}; ${key}\n`);
  return 0;
}

export async function storeBackup(args: string[]): Promise<number> {
  const { values, positionals } = parse('store backup', args, { config: { type: 'string', short: 'c' } }, 1);
  if (values.help) {
    process.stdout.write(BACKUP_USAGE);
    return 0;
  }
  const target = positionals[0];
  if (target === undefined) throw new CliError('store backup: give the FILE to write (see otp-radius store backup --help)', EXIT_USAGE);
  const config = loadCliConfig(values.config ?? DEFAULT_CONFIG);
  const path = sqliteOf(config, 'store backup');
  const dest = resolve(target);
  const r = backupSqlite(path, dest, 'sqlite' in config.store ? config.store.sqlite.busyTimeoutMs : undefined);
  process.stdout.write(`backed up ${path} to ${dest} (${r.tokens} token${r.tokens === 1 ? '' : 's'}, ${r.bytes} bytes)\n`);
  process.stderr.write(`note: the key file ${config.store.keyFile} is not in the backup: keep a copy of it apart (the backup is useless without it)\n`);
  return 0;
}

export async function storeRestore(args: string[]): Promise<number> {
  const { values, positionals } = parse('store restore', args, { config: { type: 'string', short: 'c' }, force: { type: 'boolean' } }, 1);
  if (values.help) {
    process.stdout.write(RESTORE_USAGE);
    return 0;
  }
  const backup = positionals[0];
  if (backup === undefined) throw new CliError('store restore: give the BACKUP file (see otp-radius store restore --help)', EXIT_USAGE);
  const config = loadCliConfig(values.config ?? DEFAULT_CONFIG);
  const path = sqliteOf(config, 'store restore');
  const r = await restoreSqlite({ backup: resolve(backup), path, keyFile: config.store.keyFile, now: Math.floor(Date.now() / 1000), force: values.force === true });
  process.stdout.write(
    `restored ${path} from ${resolve(backup)} (${r.tokens} token${r.tokens === 1 ? '' : 's'}); ${r.totpMoved} TOTP token${r.totpMoved === 1 ? '' : 's'} moved to the next time step\n`,
  );
  if (r.counterTokens > 0) {
    process.stderr.write(
      `warning: ${r.counterTokens} HOTP/OCRA token${r.counterTokens === 1 ? ' is' : 's are'} back at the counter of the backup: a code used after the backup was taken logs in once more (within the window)\n`,
    );
  }
  return 0;
}
