// pino loggers: the operational log and the audit log (one event per
// authentication decision). Redaction is the last line of defence; the code
// already never passes passwords, PINs, seeds or secrets to a log call.
//
// Redaction is a walk of our own, not pino's `redact` paths: its wildcard
// paths cost more per line than the rest of an authentication, while the walk
// copies only what it censors.

import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { LogConfig, LogLevel } from '../config/config.ts';
import { AppendFile, TurnBatchedStream } from './log-stream.ts';

/** Keys whose values never reach a log line, at any depth up to MAX_DEPTH. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'pin', 'seed', 'secret', 'sharedSecret', 'bindPassword', 'otp', 'key', 'pinHash', 'User-Password']);
export const CENSOR = '[redacted]';
/** Log objects are shallow; deeper structures are logged whole only by mistake, and a cycle must not hang us. */
const MAX_DEPTH = 4;

function walkable(value: unknown): value is Record<string, unknown> | unknown[] {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `value` with every secret key's value censored; the same object when there is nothing to censor. */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth >= MAX_DEPTH || !walkable(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactSecrets(value[i], depth + 1);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = value[k];
    const next = SECRET_KEYS.has(k) && v !== undefined && v !== null ? CENSOR : redactSecrets(v, depth + 1);
    if (next !== v) {
      copy ??= { ...value };
      copy[k] = next;
    }
  }
  return (copy ?? value) as T;
}

/** stdout or stderr, written synchronously (as pino does by default) but one write per event-loop turn. */
function standardStream(fd: 1 | 2): DestinationStream {
  return new TurnBatchedStream(pino.destination({ dest: fd, sync: true }), fd === 1 ? 'stdout' : 'stderr');
}

/** Human-readable lines for a person at a terminal; JSON for journald, files and log shippers. */
function prettyStream(fd: 1 | 2): DestinationStream {
  return pretty({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

/** Where a logger writes when not told: stdout, pretty when it is a terminal (or `pretty` says so). */
export function defaultDestination(pretty: boolean = process.stdout.isTTY === true): DestinationStream {
  return pretty ? prettyStream(1) : standardStream(1);
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'otp-radius' },
    formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) },
    // pino gives child bindings to serializers but not to formatters.log: this covers their top level.
    serializers: Object.fromEntries([...SECRET_KEYS].map((k) => [k, () => CENSOR])),
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options, destination ?? defaultDestination());
}

export interface AuditLog {
  logger: Logger;
  /** Reopens the audit file under its name (after logrotate moved it); nothing for stdout and stderr. */
  reopen(): void;
}

/** Audit events go to the operational log (stdout/stderr) or to their own file. */
export function createAuditLogger(config: LogConfig, main: Logger): AuditLog {
  if (config.audit === 'stdout') return { logger: main.child({ audit: true }), reopen: () => {} };
  if (config.audit === 'stderr') return { logger: createLogger('info', process.stderr.isTTY ? prettyStream(2) : standardStream(2)).child({ audit: true }), reopen: () => {} };
  const file = new AppendFile(config.audit);
  const stream = new TurnBatchedStream(file, config.audit);
  return {
    logger: createLogger('info', stream).child({ audit: true }),
    reopen() {
      stream.flushSync();
      file.reopen();
    },
  };
}
