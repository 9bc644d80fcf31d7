// `otp-radius admin ...`: the accounts that log in to the admin API and
// console (password + an OTP of their own token) and the API keys of
// automation, over the admin operations.

import QRCode from 'qrcode';
import {
  accountView,
  addAccount,
  apiKeyView,
  createApiKey,
  createEnrollmentCode,
  deleteAccount,
  listAccounts,
  listApiKeys,
  MIN_PASSWORD_LENGTH,
  revokeApiKey,
  setAccountDisabled,
  setAccountPassword,
  type AccountOtp,
} from '../auth/admin.ts';
import { ROLES, type Role } from '../model/actor.ts';
import { MAX_ENROLLMENT_CODE_HOURS, realmPolicy } from '../model/self-service.ts';
import { base32Encode } from '../otp/base32.ts';
import { DEFAULT_CONFIG, parse, runSubcommand, type Subcommand } from './args.ts';
import { parseExpiry } from './expiry.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { secretOption } from './secret-option.ts';
import { readSecret } from './terminal.ts';

const USAGE = `usage: otp-radius admin COMMAND [options] [--config FILE]
  add NAME --role admin|helpdesk|auditor [--realm R]... [--password - | --password-file F]
      [--otp totp|hotp | --token SERIAL | --no-otp] [--no-qr]
                       an account; it logs in with its password and an OTP of its own token, a new
                       one shown here once (default TOTP) or an existing spare token (--token)
  list [--json]
  disable NAME | enable NAME | delete NAME
  passwd NAME [--password - | --password-file F]
  key create --role ROLE [--realm R]... [--expires 90d|12h|2027-01-31] [--description TEXT]
                       an API key for Authorization: Bearer, printed once on stdout
  key list [--json]
  key revoke ID
  enrollment-code USER [--realm R] [--valid-hours N]
                       a one-time code USER types on the self-service portal before a first token,
                       printed once on stdout (default validity: selfService.enrollmentCodeHours)
  Passwords are prompted for without echo, or read as one line from stdin (--password -).
`;

function done(message: string): number {
  process.stdout.write(`${message}\n`);
  return 0;
}

function role(command: string, value: string | undefined): Role {
  if (value === undefined) throw new CliError(`${command}: --role is required (${ROLES.join(', ')})`, EXIT_USAGE);
  if (!(ROLES as readonly string[]).includes(value)) throw new CliError(`${command}: --role must be one of ${ROLES.join(', ')}, got "${value}"`, EXIT_USAGE);
  return value as Role;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map(
      (r) =>
        `${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

/** A new password: `--password -` or a file reads one line; on a terminal it is asked twice. */
async function newPassword(command: string, values: { password?: string | undefined; 'password-file'?: string | undefined }, name: string): Promise<string> {
  const given = values.password !== undefined || values['password-file'] !== undefined;
  const password = (await secretOption(command, 'password', { value: values.password, file: values['password-file'] }, `password for ${name} (at least ${MIN_PASSWORD_LENGTH} characters): `))!;
  if (!given && process.stdin.isTTY && (await readSecret('again: ')) !== password) throw new CliError(`${command}: the two passwords differ; nothing changed`);
  return password;
}

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    'admin add',
    args,
    {
      config: { type: 'string', short: 'c' },
      role: { type: 'string' },
      realm: { type: 'string', multiple: true },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      otp: { type: 'string' },
      token: { type: 'string' },
      'no-otp': { type: 'boolean' },
      'no-qr': { type: 'boolean' },
    },
    1,
  );
  if (values.help) return done(USAGE.trimEnd());
  const name = positionals[0];
  if (!name) throw new CliError('admin add: NAME is required (see otp-radius admin --help)', EXIT_USAGE);
  const r = role('admin add', values.role);
  const chosen = [values.otp !== undefined, values.token !== undefined, values['no-otp'] === true].filter(Boolean).length;
  if (chosen > 1) throw new CliError('admin add: give one of --otp, --token, --no-otp', EXIT_USAGE);
  if (values.otp !== undefined && values.otp !== 'totp' && values.otp !== 'hotp') throw new CliError(`admin add: --otp must be totp or hotp, got "${values.otp}"`, EXIT_USAGE);
  const otp: AccountOtp = values['no-otp'] ? 'none' : values.token !== undefined ? { serial: values.token } : { enroll: (values.otp as 'totp' | 'hotp' | undefined) ?? 'totp' };
  const password = await newPassword('admin add', values, name);
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const added = await addAccount(s.admin, actor, { name, role: r, ...(values.realm ? { realms: values.realm } : {}), password, otp });
      const lines = [`admin account ${name} added (role ${r}${added.account.realms ? `, realms ${added.account.realms.join(', ')}` : ''})`];
      if (added.enrolled) {
        const { token, uri } = added.enrolled;
        lines.push(`token:    ${token.serial} (${token.type}), shown once: add it to ${name}'s authenticator app now`, `seed:     ${base32Encode(token.seed, false)}`, `uri:      ${uri}`);
        process.stdout.write(`${lines.join('\n')}\n`);
        if (!values['no-qr']) process.stdout.write(`\n${await QRCode.toString(uri, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })}\n`);
        return 0;
      }
      if (added.account.otpSerial) lines.push(`token:    ${added.account.otpSerial} (now the account's own)`);
      else process.stderr.write(`warning: ${name} logs in with the password alone (--no-otp): give it a token soon, or use it only to create the first accounts and then delete it\n`);
      return done(lines.join('\n'));
    },
    'admin add',
  );
}

async function list(args: string[]): Promise<number> {
  const { values } = parse('admin list', args, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
  if (values.help) return done(USAGE.trimEnd());
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const accounts = await listAccounts(s.admin, actor);
      if (values.json) return done(JSON.stringify(accounts.map(accountView)));
      if (accounts.length === 0) return done('no admin accounts');
      const rows = [
        ['NAME', 'ROLE', 'REALMS', 'TOKEN', 'STATE', 'LAST LOGIN'],
        ...accounts.map((a) => {
          const v = accountView(a);
          return [a.name, a.role, a.realms?.join(',') ?? '*', a.otpSerial ?? '(none)', a.disabled ? 'disabled' : 'active', (v.lastLogin as string | null) ?? '-'];
        }),
      ];
      process.stdout.write(table(rows));
      return 0;
    },
    'admin list',
  );
}

function onName(sub: 'disable' | 'enable' | 'delete'): (args: string[]) => Promise<number> {
  return async (args) => {
    const { values, positionals } = parse(`admin ${sub}`, args, { config: { type: 'string', short: 'c' } }, 1);
    if (values.help) return done(USAGE.trimEnd());
    const name = positionals[0];
    if (!name) throw new CliError(`admin ${sub}: NAME is required`, EXIT_USAGE);
    return withContext(
      values.config ?? DEFAULT_CONFIG,
      async (s, actor) => {
        if (sub === 'delete') await deleteAccount(s.admin, actor, name);
        else await setAccountDisabled(s.admin, actor, name, sub === 'disable');
        return done(`admin account ${name} ${sub}d${sub === 'enable' ? '' : '; its sessions have ended'}`);
      },
      `admin ${sub}`,
    );
  };
}

async function passwd(args: string[]): Promise<number> {
  const { values, positionals } = parse('admin passwd', args, { config: { type: 'string', short: 'c' }, password: { type: 'string' }, 'password-file': { type: 'string' } }, 1);
  if (values.help) return done(USAGE.trimEnd());
  const name = positionals[0];
  if (!name) throw new CliError('admin passwd: NAME is required', EXIT_USAGE);
  const password = await newPassword('admin passwd', values, name);
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      await setAccountPassword(s.admin, actor, name, password);
      return done(`password of ${name} changed; its sessions have ended`);
    },
    'admin passwd',
  );
}

async function keyCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parse('admin key create', rest, {
      config: { type: 'string', short: 'c' },
      role: { type: 'string' },
      realm: { type: 'string', multiple: true },
      expires: { type: 'string' },
      description: { type: 'string' },
    });
    if (values.help) return done(USAGE.trimEnd());
    const r = role('admin key create', values.role);
    return withContext(
      values.config ?? DEFAULT_CONFIG,
      async (s, actor) => {
        const now = s.admin.auth.now();
        const expiresAt = values.expires === undefined ? undefined : parseExpiry('admin key create', values.expires, now);
        const { key, secret } = await createApiKey(s.admin, actor, {
          role: r,
          ...(values.realm ? { realms: values.realm } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        });
        const view = apiKeyView(key, now);
        process.stderr.write(
          `API key ${key.id}: role ${key.role}${key.realms ? `, realms ${key.realms.join(', ')}` : ''}, expires ${(view.expires as string | null) ?? 'never'}; keep it now, it is not shown again\n`,
        );
        return done(secret);
      },
      'admin key create',
    );
  }
  if (sub === 'list') {
    const { values } = parse('admin key list', rest, { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } });
    if (values.help) return done(USAGE.trimEnd());
    return withContext(
      values.config ?? DEFAULT_CONFIG,
      async (s, actor) => {
        const now = s.admin.auth.now();
        const keys = (await listApiKeys(s.admin, actor)).map((k) => apiKeyView(k, now));
        if (values.json) return done(JSON.stringify(keys));
        if (keys.length === 0) return done('no API keys');
        const cell = (v: unknown): string => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v));
        process.stdout.write(
          table([
            ['ID', 'ROLE', 'REALMS', 'STATE', 'EXPIRES', 'LAST USED', 'CREATED BY', 'DESCRIPTION'],
            ...keys.map((k) => [cell(k.id), cell(k.role), k.realms ? cell(k.realms) : '*', cell(k.state), cell(k.expires), cell(k.lastUsed), cell(k.createdBy), cell(k.description)]),
          ]),
        );
        return 0;
      },
      'admin key list',
    );
  }
  if (sub === 'revoke') {
    const { values, positionals } = parse('admin key revoke', rest, { config: { type: 'string', short: 'c' } }, 1);
    if (values.help) return done(USAGE.trimEnd());
    const id = positionals[0];
    if (!id) throw new CliError('admin key revoke: ID is required (see otp-radius admin key list)', EXIT_USAGE);
    return withContext(
      values.config ?? DEFAULT_CONFIG,
      async (s, actor) => {
        await revokeApiKey(s.admin, actor, id);
        return done(`API key ${id} revoked`);
      },
      'admin key revoke',
    );
  }
  throw new CliError(`admin key: expected create, list or revoke${sub ? `, got "${sub}"` : ''}`, EXIT_USAGE);
}

async function enrollmentCode(args: string[]): Promise<number> {
  const { values, positionals } = parse('admin enrollment-code', args, { config: { type: 'string', short: 'c' }, realm: { type: 'string' }, 'valid-hours': { type: 'string' } }, 1);
  if (values.help) return done(USAGE.trimEnd());
  const user = positionals[0];
  if (!user) throw new CliError('admin enrollment-code: USER is required (LOGIN or LOGIN@REALM)', EXIT_USAGE);
  const hoursText = values['valid-hours'];
  if (hoursText !== undefined && !/^[0-9]{1,4}$/.test(hoursText))
    throw new CliError(`admin enrollment-code: --valid-hours must be a whole number from 1 to ${MAX_ENROLLMENT_CODE_HOURS}, got "${hoursText}"`, EXIT_USAGE);
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const validHours = hoursText === undefined ? s.config.selfService.enrollmentCodeHours : Number(hoursText);
      const made = await createEnrollmentCode(s.admin, actor, { user, ...(values.realm !== undefined ? { realm: values.realm } : {}), validHours });
      const until = new Date(made.expiresAt * 1000).toISOString().replace('.000Z', 'Z');
      process.stderr.write(
        `enrollment code for ${made.login} (realm ${made.realm}), valid until ${until}, for one enrollment; it replaces any earlier code of theirs not used yet. Hand it over now: it is not shown again\n`,
      );
      const policy = realmPolicy(s.config.selfService, made.realm);
      if (!policy.enabled || !policy.enrollmentCode)
        process.stderr.write(`note: realm ${made.realm} ${policy.enabled ? 'does not ask for enrollment codes' : 'has the self-service portal off'} (selfService in ${s.config.file})\n`);
      return done(made.code);
    },
    'admin enrollment-code',
  );
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  add,
  list,
  disable: onName('disable'),
  enable: onName('enable'),
  delete: onName('delete'),
  passwd,
  key: keyCommand,
  'enrollment-code': enrollmentCode,
};

export function adminCommand(args: string[]): Promise<number> {
  return runSubcommand('admin', USAGE, SUBCOMMANDS, args);
}
