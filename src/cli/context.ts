// What the admin commands open: the config, then the same services the
// server runs on, with log lines on stderr so stdout stays parseable, and
// the actor their admin operations are audited as.

import { userInfo } from 'node:os';
import pino from 'pino';
import { logAuditSink } from '../auth/audit.ts';
import { AdminError } from '../auth/admin.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Actor } from '../model/actor.ts';
import { createAuditLogger } from '../server/logging.ts';
import { openServices, type Services } from '../server/services.ts';
import { CliError } from './errors.ts';

/** Whoever runs the CLI has the key file, so the admin role: audited under their login (the one sudo was run from). */
export function cliActor(): Actor {
  let name = process.env.SUDO_USER;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = `uid ${process.getuid?.() ?? '?'}`;
    }
  }
  return { via: 'cli', name, role: 'admin' };
}

export async function openContext(file: string): Promise<Services> {
  let loaded;
  try {
    loaded = loadConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems.slice(1)) process.stderr.write(`${p}\n`);
    throw new CliError(err.problems[0] ?? `${file}: invalid config`);
  }
  const { config } = loaded;
  const logger = pino({ level: config.log.level === 'debug' || config.log.level === 'trace' ? config.log.level : 'warn' }, pino.destination(2));
  // Stdout is the command's answer: audit events that would go there go to stderr.
  const audit = createAuditLogger(config.log.audit === 'stdout' ? { ...config.log, audit: 'stderr' } : config.log, logger);
  return openServices(config, logger, { audit: logAuditSink(audit.logger) });
}

/**
 * Runs `body` with the services open and always closes them. An admin
 * operation's refusal becomes the command's one-line error, prefixed with
 * the command.
 */
export async function withContext<T>(file: string, body: (s: Services, actor: Actor) => Promise<T>, command?: string): Promise<T> {
  const services = await openContext(file);
  try {
    return await body(services, cliActor());
  } catch (err) {
    if (err instanceof AdminError) throw new CliError(command ? `${command}: ${err.message}` : err.message);
    throw err;
  } finally {
    await services.close();
  }
}
