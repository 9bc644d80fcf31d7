// What the admin commands open: the config, then the same services the
// server runs on, with log lines on stderr so stdout stays parseable.

import pino from 'pino';
import { ConfigError, loadConfig } from '../config/load.ts';
import { openServices, type Services } from '../server/services.ts';
import type { User } from '../users/types.ts';
import { CliError } from './errors.ts';

export async function openContext(file: string): Promise<Services> {
  let loaded;
  try {
    loaded = loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems.slice(1)) process.stderr.write(`${p}\n`);
    throw new CliError(err.problems[0] ?? `${file}: invalid config`);
  }
  const logger = pino({ level: loaded.config.log.level === 'debug' || loaded.config.log.level === 'trace' ? loaded.config.log.level : 'warn' }, pino.destination(2));
  return openServices(loaded.config, logger);
}

/** Runs `body` with the services open and always closes them. */
export async function withContext<T>(file: string, body: (s: Services) => Promise<T>): Promise<T> {
  const services = await openContext(file);
  try {
    return await body(services);
  } finally {
    await services.close();
  }
}

/** LOGIN or LOGIN@REALM (or --realm) to a user the resolvers know. */
export async function findUserOrFail(s: Services, login: string, realm?: string): Promise<{ user: User; realm: string }> {
  let name = login;
  let realmName = realm;
  const at = login.lastIndexOf('@');
  if (realmName === undefined && at > 0 && s.realms.hasRealm(login.slice(at + 1))) {
    realmName = login.slice(at + 1);
    name = login.slice(0, at);
  }
  realmName ??= s.realms.defaultRealm;
  if (realmName === undefined) throw new CliError('no realm given and no default realm configured (give --realm or user@realm)');
  if (!s.realms.hasRealm(realmName)) throw new CliError(`unknown realm "${realmName}" (realms: ${Object.keys(s.config.realms).join(', ') || 'none'})`);
  const user = await s.realms.findUser(realmName, name);
  if (!user) throw new CliError(`user "${name}" not found in realm "${realmName.toLowerCase()}"`);
  return { user, realm: realmName.toLowerCase() };
}
