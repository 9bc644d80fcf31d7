// `otp-radius import`: tokens from LinOTP's database, from OATH CSV and
// PSKC seed files, and NAS clients from FreeRADIUS's clients.conf. Token
// imports are all or nothing: every problem is listed, then nothing is
// written.

import { readFileSync } from 'node:fs';
import { ImportError } from '../import/errors.ts';
import { AdminError } from '../auth/admin.ts';
import { importTokenFile } from '../auth/admin/import.ts';
import { convertClientsConf } from '../import/freeradius-clients.ts';
import { importLinotp } from '../import/linotp.ts';
import type { PskcSecrets } from '../import/pskc.ts';
import { byTypeLine, skippedLines, summaryLine, type ImportSummary, type Skipped } from '../import/summary.ts';
import { TOKEN_TYPES } from '../model/token.ts';
import { DEFAULT_CONFIG, parse, runSubcommand, type Subcommand } from './args.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

const USAGE = `usage: otp-radius import linotp --db URL --enckey FILE [--realm-map OLD=NEW]... [--resolver-map OLD=NEW]... [--dry-run] [--config FILE]
       otp-radius import oath-csv FILE [--user LOGIN[@REALM]] [--realm R] [--dry-run] [--config FILE]
       otp-radius import pskc FILE [--psk HEX | --psk-file F | --password P | --password-file F] [--user LOGIN[@REALM]] [--realm R] [--dry-run] [--config FILE]
       otp-radius import freeradius-clients FILE

  linotp              every token of a LinOTP 2 or 3 database: seed, type (hmac, totp, ocra2, email, sms,
                      spass), counter, windows, fail counter, PIN, owner, validity and use limits, the
                      e-mail address or phone number in token info. --db is sqlite:PATH,
                      postgres://USER@HOST/DB or mysql://USER:PASSWORD@HOST/DB (LinOTP's own SQLAlchemy URL
                      works; messages never show the password; PGPASSWORD works for PostgreSQL).
                      --enckey is LinOTP's encKey file (LinOTP 2 and 3; not a password-protected one).
                      Owners are matched to the resolvers of the config by name (the last part of
                      LinOTP's useridresolver.TYPE.IdResolver.NAME); --resolver-map and --realm-map
                      rename. Running it again updates and never duplicates; counters never move back.
  oath-csv            serial, key (hex), [hotp|totp|ocra2], [otp length | OCRA suite], [time step | counter],
                      [sha1|sha256|sha512]; "# version: 2" first adds user, resolver, realm after the key.
  pskc                RFC 6030 key container, plain or encrypted (pre-shared key, or PBKDF2 password).
  freeradius-clients  prints the clients.conf entries as a clients: section for the config.
  --user, --realm     owner of the imported tokens whose file entry names none.
  --dry-run           read and check everything, write nothing.
`;

function readInput(file: string, what: string, encoding?: BufferEncoding): Buffer | string {
  try {
    return encoding ? readFileSync(file, encoding) : readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${what}: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`);
  }
}

/** OLD=NEW pairs of --realm-map / --resolver-map. */
function pairs(command: string, flag: string, list: string[] | undefined, lower: boolean): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of list ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(item);
    if (!m) throw new CliError(`${command}: --${flag}: expected OLD=NEW, got "${item}"`, EXIT_USAGE);
    map.set(lower ? m[1]!.trim().toLowerCase() : m[1]!.trim(), m[2]!.trim());
  }
  return map;
}

/** Prints every problem of a failed import, then fails with one line. */
async function reporting<T>(command: string, body: () => Promise<T>, outcome = 'nothing imported'): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    for (const p of err.problems) process.stderr.write(`${p}\n`);
    const n = err.problems.length;
    throw new CliError(`${command}: ${n === 1 ? 'the problem above' : `${n} problems above`}; ${outcome}`);
  }
}

function report(summary: ImportSummary, skipped: Skipped[], skippedTitle: string): number {
  for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
  const lines = [summaryLine(summary), ...(summary.byType && summary.created + summary.updated > 0 ? [byTypeLine(summary.byType, TOKEN_TYPES)] : []), ...skippedLines(skippedTitle, skipped)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function linotp(args: string[]): Promise<number> {
  const { values } = parse('import linotp', args, {
    config: { type: 'string', short: 'c' },
    db: { type: 'string' },
    enckey: { type: 'string' },
    'realm-map': { type: 'string', multiple: true },
    'resolver-map': { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.db === undefined) throw new CliError('import linotp: --db is required (sqlite:PATH, postgres://..., mysql://...)', EXIT_USAGE);
  if (values.enckey === undefined) throw new CliError("import linotp: --enckey is required (LinOTP's encKey file, e.g. /etc/linotp/encKey)", EXIT_USAGE);
  const realmMap = pairs('import linotp', 'realm-map', values['realm-map'], true);
  const resolverMap = pairs('import linotp', 'resolver-map', values['resolver-map'], false);
  const encKey = readInput(values.enckey, 'import linotp: --enckey') as Buffer;
  return withContext(values.config ?? DEFAULT_CONFIG, (s) =>
    reporting('import linotp', async () => {
      const summary = await importLinotp(
        s.store,
        { resolvers: s.resolvers, realms: s.config.realms },
        {
          db: values.db!,
          encKey,
          encKeyFile: values.enckey!,
          realmMap,
          resolverMap,
          dryRun: values['dry-run'] === true,
        },
      );
      const skipped = summary.notImported.map((n) => ({ what: n.serial, reason: `${n.reason}${n.owner ? `; owner ${n.owner}` : ''}` }));
      return report(summary, skipped, 'not imported');
    }),
  );
}

function hexKey(command: string, text: string, flag: string): Buffer {
  const t = text.trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(t) || ![16, 24, 32].includes(t.length / 2))
    throw new CliError(`${command}: ${flag}: expected 32, 48 or 64 hex digits (an AES-128/192/256 key), got ${t.length} characters`, EXIT_USAGE);
  return Buffer.from(t, 'hex');
}

/** --psk/--psk-file/--password/--password-file: at most one; the file forms keep secrets out of `ps`. */
export function pskcSecrets(command: string, values: { psk?: string | undefined; 'psk-file'?: string | undefined; password?: string | undefined; 'password-file'?: string | undefined }): PskcSecrets {
  const given = (['psk', 'psk-file', 'password', 'password-file'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new CliError(`${command}: give one of --${given.join(', --')}`, EXIT_USAGE);
  if (values.psk !== undefined) return { psk: hexKey(command, values.psk, '--psk') };
  if (values['psk-file'] !== undefined) return { psk: hexKey(command, readInput(values['psk-file'], `${command}: --psk-file`, 'utf8') as string, '--psk-file') };
  if (values.password !== undefined) return { password: values.password };
  if (values['password-file'] !== undefined) return { password: (readInput(values['password-file'], `${command}: --password-file`, 'utf8') as string).replace(/\r?\n$/, '') };
  return {};
}

async function seedFile(format: 'oath-csv' | 'pskc', args: string[]): Promise<number> {
  const command = `import ${format}`;
  const { values, positionals } = parse(
    command,
    args,
    {
      config: { type: 'string', short: 'c' },
      user: { type: 'string', short: 'u' },
      realm: { type: 'string' },
      'dry-run': { type: 'boolean' },
      ...(format === 'pskc' ? ({ psk: { type: 'string' }, 'psk-file': { type: 'string' }, password: { type: 'string' }, 'password-file': { type: 'string' } } as const) : {}),
    },
    1,
  );
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) throw new CliError(`${command}: give the FILE to import (see otp-radius import --help)`, EXIT_USAGE);
  if (values.realm !== undefined && values.user === undefined) throw new CliError(`${command}: --realm goes with --user`, EXIT_USAGE);
  const secrets = format === 'pskc' ? pskcSecrets(command, values as Parameters<typeof pskcSecrets>[1]) : {};
  const text = readInput(file, command, 'utf8') as string;
  return withContext(values.config ?? DEFAULT_CONFIG, async (s, actor) => {
    try {
      const outcome = await importTokenFile(s.admin, actor, {
        format,
        content: text,
        source: file,
        secrets,
        dryRun: values['dry-run'] === true,
        ...(values.user !== undefined ? { user: values.user } : {}),
        ...(values.realm !== undefined ? { realm: values.realm } : {}),
      });
      return report(outcome, outcome.skipped, 'skipped');
    } catch (err) {
      if (!(err instanceof AdminError) || err.problems.length === 0) throw err;
      for (const p of err.problems) process.stderr.write(`${p}\n`);
      const n = err.problems.length;
      throw new CliError(`${command}: ${n === 1 ? 'the problem above' : `${n} problems above`}; nothing imported`);
    }
  });
}

async function freeradiusClients(args: string[]): Promise<number> {
  const { values, positionals } = parse('import freeradius-clients', args, {}, 1);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) throw new CliError('import freeradius-clients: give the clients.conf FILE', EXIT_USAGE);
  const text = readInput(file, 'import freeradius-clients', 'utf8') as string;
  return reporting(
    'import freeradius-clients',
    async () => {
      const r = convertClientsConf(text, file);
      for (const n of r.notes) process.stderr.write(`note: ${n}\n`);
      process.stdout.write(r.yaml);
      return 0;
    },
    'nothing converted',
  );
}

const SOURCES: Record<string, Subcommand> = {
  linotp,
  'oath-csv': (args) => seedFile('oath-csv', args),
  pskc: (args) => seedFile('pskc', args),
  'freeradius-clients': freeradiusClients,
};

export function importCommand(args: string[]): Promise<number> {
  return runSubcommand('import', USAGE, SOURCES, args, 'source');
}
