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
  // The admin's terminal is not an audit log: the events go to the audit table, and to the audit file when there is one.
  const toFile = config.log.audit !== 'stdout' && config.log.audit !== 'stderr';
  const auditLog = toFile ? logAuditSink(createAuditLogger(config.log, logger).logger) : undefined;
  if (!toFile && !config.audit.table) logger.warn('audit.table is off and log.audit is not a file: this command\'s audit events are not recorded');
  return openServices(config, logger, { ...(auditLog ? { auditLog } : {}) });
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
