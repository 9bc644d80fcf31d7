// `otp-radius store ...`: init, backup and restore (store-files.ts), and
// migrate: move a deployment between stores, typically from the embedded
// SQLite file to PostgreSQL before adding a second server.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StoreOptions } from '../store/index.ts';
import { migrateStore } from '../store/migrate.ts';
import { DEFAULT_CONFIG, parse, runSubcommand } from './args.ts';
import { loadCliConfig } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { BACKUP_USAGE, INIT_USAGE, RESTORE_USAGE, storeBackup, storeInit, storeRestore } from './store-files.ts';

const MIGRATE_USAGE = `usage: otp-radius store migrate --to STORE [--from STORE] [--key-file FILE] [--dry-run] [--config FILE]
  Copies every token (seed, counter, drift, PIN hash, fail counter, autosync state, owner, info,
  validity, flags) and the open challenges from one store to another, in one transaction: on any
  error nothing is written. Running it again updates the target and never duplicates; a counter on
  the target never moves back, so an OTP it already accepted stays used.
  STORE is sqlite:PATH or postgres:URL (postgres://user@host:port/database); keep the password out
  of the command line with PGPASSWORD or ~/.pgpass.
  --from      default: the store of the config (--config, $OTP_RADIUS_CONFIG or config/otp-radius.yaml)
  --key-file  the key file the source was set up with (default: the config's store.keyFile); the
              target uses it too, so copy it to every server that shares the target.
  --dry-run   read, check and count everything, then roll back.
  Stop the servers writing to the source (or expect to run it again) for an exact copy.
`;

const USAGE = `usage: otp-radius store init | backup FILE | restore BACKUP | migrate --to STORE  [--config FILE]

${INIT_USAGE}
${BACKUP_USAGE}
${RESTORE_USAGE}
${MIGRATE_USAGE}`;

const SUBCOMMANDS = { init: storeInit, backup: storeBackup, restore: storeRestore, migrate };

/** sqlite:PATH or postgres:URL (the URL may also be given bare). */
export function parseStoreSpec(spec: string, keyFile: string, flag: string): StoreOptions {
  if (/^postgres(ql)?:\/\//.test(spec)) return { postgres: { url: spec }, keyFile };
  const m = /^(sqlite|postgres):(.*)$/s.exec(spec);
  if (!m || m[2] === '') {
    // A URL may hold a password: show its scheme only.
    const shown = /^[\w+.-]+:\/\//.test(spec) ? `${spec.split('//')[0]}//...` : spec.length > 40 ? `${spec.slice(0, 40)}...` : spec;
    throw new CliError(`store migrate: ${flag}: expected sqlite:PATH or postgres:URL, got "${shown}"`, EXIT_USAGE);
  }
  if (m[1] === 'sqlite') return { sqlite: { path: resolve(m[2]!) }, keyFile };
  const url = m[2]!;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CliError(`store migrate: ${flag}: expected postgres:postgres://user@host/database, got a URL that does not start with postgres://`, EXIT_USAGE);
  return { postgres: { url }, keyFile };
}

async function migrate(args: string[]): Promise<number> {
  const { values } = parse('store migrate', args, {
    config: { type: 'string', short: 'c' },
    from: { type: 'string' },
    to: { type: 'string' },
    'key-file': { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(MIGRATE_USAGE);
    return 0;
  }
  if (values.to === undefined) throw new CliError('store migrate: --to is required (sqlite:PATH or postgres:URL)', EXIT_USAGE);
  if (values.from !== undefined) parseStoreSpec(values.from, '', '--from');
  parseStoreSpec(values.to, '', '--to');
  // The config gives what the command line leaves out: the source store and its key file.
  const config = values.from === undefined || values['key-file'] === undefined || values.config !== undefined ? loadCliConfig(values.config ?? DEFAULT_CONFIG) : undefined;
  const keyFile = values['key-file'] !== undefined ? resolve(values['key-file']) : config!.store.keyFile;
  const from: StoreOptions = values.from !== undefined ? parseStoreSpec(values.from, keyFile, '--from') : { ...config!.store, keyFile };
  const to = parseStoreSpec(values.to, keyFile, '--to');
  // Opening a missing SQLite file would create an empty one and copy nothing.
  if ('sqlite' in from && !existsSync(from.sqlite.path)) throw new CliError(`store migrate: --from: ${from.sqlite.path} does not exist`);
  const dryRun = values['dry-run'] === true;
  const s = await migrateStore(from, to, { dryRun });
  const what = `${s.tokens} token${s.tokens === 1 ? '' : 's'} (${s.created} new, ${s.updated} updated) and ${s.challenges} open challenge${s.challenges === 1 ? '' : 's'}`;
  const skipped = s.expiredChallenges > 0 ? `; ${s.expiredChallenges} expired challenge${s.expiredChallenges === 1 ? '' : 's'} left behind` : '';
  process.stdout.write(dryRun ? `dry run: would migrate ${what} from ${s.from} to ${s.to}${skipped}; nothing written\n` : `migrated ${what} from ${s.from} to ${s.to}${skipped}\n`);
  return 0;
}

export function storeCommand(args: string[]): Promise<number> {
  return runSubcommand('store', USAGE, SUBCOMMANDS, args);
}
