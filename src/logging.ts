// pino loggers: the operational log and the audit log (one event per
// authentication decision). Redaction is the last line of defence; the code
// already never passes passwords, PINs, seeds or secrets to a log call.

import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogConfig, LogLevel } from './config/config.ts';

const SECRET_KEYS = ['password', 'pin', 'seed', 'secret', 'sharedSecret', 'bindPassword', 'otp', 'key', 'pinHash'];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'attributes["User-Password"]',
  '*.attributes["User-Password"]',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'otp-radius' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Audit events go to the operational log (stdout/stderr) or to their own file. */
export function createAuditLogger(config: LogConfig, main: Logger): Logger {
  if (config.audit === 'stdout') return main.child({ audit: true });
  const dest = config.audit === 'stderr' ? pino.destination(2) : pino.destination({ dest: config.audit, mkdir: true, sync: false });
  return createLogger('info', dest).child({ audit: true });
}
