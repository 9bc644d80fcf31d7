// `otp-radius user list|show`: who the resolvers know, and their tokens.

import { findUser, listUsers, tokenView } from '../auth/admin.ts';
import type { User } from '../users/types.ts';
import { DEFAULT_CONFIG, parse, runSubcommand, type Subcommand } from './args.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { tokenTable } from './token-view.ts';

const USAGE = `usage: otp-radius user COMMAND [options] [--config FILE]
  list [--realm R] [--search TEXT] [--limit N] [--json]   users of a realm (default: the default realm)
  show LOGIN[@REALM] [--realm R] [--json]                 one user, their data and their tokens
  hash [--password - | --password-file FILE]              a password hash for a users file (no --config)
`;

function userJson(u: User, realm: string): Record<string, unknown> {
  return { login: u.login, realm, resolver: u.resolver, id: u.id, email: u.email ?? null, phone: u.phone ?? null, givenName: u.givenName ?? null, surname: u.surname ?? null, groups: u.groups };
}

async function list(args: string[]): Promise<number> {
  const { values } = parse('user list', args, {
    config: { type: 'string', short: 'c' },
    realm: { type: 'string' },
    search: { type: 'string', short: 's' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.limit !== undefined && !/^[1-9]\d*$/.test(values.limit)) throw new CliError(`user list: --limit: expected a positive number, got "${values.limit}"`, EXIT_USAGE);
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const { realm: realmName, users } = await listUsers(s.admin, actor, {
        ...(values.realm !== undefined ? { realm: values.realm } : {}),
        ...(values.search !== undefined ? { search: values.search } : {}),
        limit,
      });
      const realm = { name: realmName };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(users.map((u) => userJson(u, realm.name)))}\n`);
        return 0;
      }
      if (users.length === 0) {
        process.stdout.write(`no users${values.search ? ` matching "${values.search}"` : ''} in realm ${realm.name}\n`);
        return 0;
      }
      const rows = [['LOGIN', 'RESOLVER', 'ID', 'EMAIL', 'GROUPS'], ...users.map((u) => [u.login, u.resolver, u.id, u.email ?? '-', u.groups.join(',')])];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      process.stdout.write(
        `${rows
          .map((r) =>
            r
              .map((c, i) => c.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n')}\n`,
      );
      if (users.length >= limit) process.stdout.write(`(first ${limit}; narrow with --search or raise --limit)\n`);
      return 0;
    },
    'user list',
  );
}

async function show(args: string[]): Promise<number> {
  const { values, positionals } = parse('user show', args, { config: { type: 'string', short: 'c' }, realm: { type: 'string' }, json: { type: 'boolean' } }, 1);
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const login = positionals[0];
  if (!login) throw new CliError('user show: LOGIN is required (usage: otp-radius user show LOGIN[@REALM])', EXIT_USAGE);
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const { user, realm, tokens } = await findUser(s.admin, actor, login, values.realm);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ...userJson(user, realm), tokens: tokens.map(tokenView) })}\n`);
        return 0;
      }
      const lines = [`login      ${user.login}`, `realm      ${realm}`, `resolver   ${user.resolver}`, `id         ${user.id}`];
      if (user.email) lines.push(`email      ${user.email}`);
      if (user.phone) lines.push(`phone      ${user.phone}`);
      const name = [user.givenName, user.surname].filter(Boolean).join(' ');
      if (name) lines.push(`name       ${name}`);
      if (user.groups.length > 0) lines.push(`groups     ${user.groups.join(', ')}`);
      process.stdout.write(`${lines.join('\n')}\n\n${tokens.length === 0 ? 'no tokens\n' : tokenTable(tokens)}`);
      return 0;
    },
    'user show',
  );
}

const SUBCOMMANDS: Record<string, Subcommand> = { list, show, hash: async (args) => (await import('./user-hash.ts')).userHash(args) };

export function userCommand(args: string[]): Promise<number> {
  return runSubcommand('user', USAGE, SUBCOMMANDS, args);
}
