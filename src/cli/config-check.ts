// `otp-radius config check [FILE]`: the start-up validation, without starting.
// That includes reading and checking every users file, which a start (and a
// SIGHUP) refuses just the same; LDAP and SQL servers are not contacted.

import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/config.ts';
import { FileResolver, ResolverConfigError } from '../users/index.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';

export async function configCheck(args: string[]): Promise<number> {
  const { values, positionals } = parse('config check', args, { config: { type: 'string', short: 'c' } }, 1);
  if (values.help) {
    process.stdout.write('usage: otp-radius config check [FILE]\n\nChecks the config file and the users files it names; LDAP and SQL servers are not contacted.\n');
    return 0;
  }
  const file = positionals[0] ?? values.config ?? DEFAULT_CONFIG;
  let config: Config;
  try {
    const loaded = loadConfig(file);
    config = loaded.config;
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${p}\n`);
    return 1;
  }
  const users = await checkUsersFiles(config);
  if (users.problems.length > 0) {
    for (const p of users.problems) process.stderr.write(`${p}\n`);
    return 1;
  }
  const count = config.clients.length + config.radsecClients.length;
  const clients = `${count} client${count === 1 ? '' : 's'}`;
  const files = users.files === 0 ? '' : `, ${users.users} user${users.users === 1 ? '' : 's'} in ${users.files} users file${users.files === 1 ? '' : 's'}`;
  process.stdout.write(`${file}: OK (${clients}${files})\n`);
  return 0;
}

/** Opens each file resolver as the server would, and collects what it refuses. */
async function checkUsersFiles(config: Config): Promise<{ files: number; users: number; problems: string[] }> {
  const out = { files: 0, users: 0, problems: [] as string[] };
  for (const [name, options] of Object.entries(config.resolvers)) {
    if (options.type !== 'file') continue;
    out.files++;
    try {
      const resolver = await FileResolver.open(name, options);
      out.users += resolver.size;
      await resolver.close();
    } catch (err) {
      if (!(err instanceof ResolverConfigError)) throw err;
      out.problems.push(...err.problems);
    }
  }
  return out;
}
