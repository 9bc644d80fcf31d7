// What the admin commands open: the config, then the same services the
// server runs on, with log lines on stderr so stdout stays parseable, and
// the actor their admin operations are audited as.

import { userInfo } from 'node:os';
import pino from 'pino';
import { logAuditSink } from '../auth/audit.ts';
import { AdminError } from '../auth/admin.ts';
import type { Config } from '../config/config.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Actor } from '../model/actor.ts';
import type { AuditSink } from '../model/audit.ts';
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

/** The config for an admin command: its problems on stderr, the first as the command's one-line error. */
export function loadCliConfig(file: string): Config {
  try {
    return loadConfig(file).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems.slice(1)) process.stderr.write(`${p}\n`);
    throw new CliError(err.problems[0] ?? `${file}: invalid config`);
  }
}

/** The services over an existing store: an admin command never creates one (see `store init`). */
export async function openContext(file: string | Config): Promise<Services> {
  const config = typeof file === 'string' ? loadCliConfig(file) : file;
  const logger = pino({ level: config.log.level === 'debug' || config.log.level === 'trace' ? config.log.level : 'warn' }, pino.destination(2));
  // The admin's terminal is not an audit log: the events go to the audit table, and to the audit file when there is one.
  // The file is opened at the first event, so that a command that fails or writes nothing (a dry run) leaves no file behind.
  const toFile = config.log.audit !== 'stdout' && config.log.audit !== 'stderr';
  let sink: AuditSink | undefined;
  const openSink = (): AuditSink => {
    sink ??= logAuditSink(createAuditLogger(config.log, logger).logger);
    return sink;
  };
  const auditLog: AuditSink | undefined = toFile ? { write: (event) => openSink().write(event) } : undefined;
  if (!toFile && !config.audit.table) logger.warn("audit.table is off and log.audit is not a file: this command's audit events are not recorded");
  return openServices(config, logger, { ...(auditLog ? { auditLog } : {}) });
}

/**
 * Runs `body` with the services open and always closes them. An admin
 * operation's refusal becomes the command's one-line error, prefixed with
 * the command.
 */
export async function withContext<T>(file: string | Config, body: (s: Services, actor: Actor) => Promise<T>, command?: string): Promise<T> {
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
