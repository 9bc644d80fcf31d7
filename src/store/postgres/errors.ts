// What a pg error means for the caller. Losing the database (refused or
// dropped connection, timeout, shutdown or failover, a standby that cannot
// write) becomes StoreError 'unavailable' so the authentication layer fails
// closed with a log line that says so; values PostgreSQL refuses (out of
// range, a NUL character) become 'invalid'. Anything else is a bug and is
// passed on unchanged.

import { StoreError } from '../errors.ts';

/** SQLSTATE classes and codes that mean "the database cannot serve us now". */
const UNAVAILABLE_STATES = [
  /^08/, // connection exception
  /^28/, // invalid authorization (a rotated password)
  /^3D000$/, // database does not exist
  /^53/, // insufficient resources: too many connections, disk full
  /^57P0[1-4]$/, // admin/crash shutdown, cannot connect now (starting, in recovery), database dropped
  /^57014$/, // query canceled: the statement timeout
  /^25006$/, // read-only transaction: connected to a standby after a failover
  /^58/, // system error (I/O)
];

const INVALID_STATES = new Set(['22003', '22021', '22P05', '54000']);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ENOENT', 'EACCES']);

const CLIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|Client was closed|not queryable/i;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof StoreError) return err.code === 'unavailable';
  const code = codeOf(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_STATES.some((re) => re.test(code));
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return CLIENT_MESSAGES.test(err.message);
}

/** The error to throw for `err` raised while doing `what` on `where`. */
export function translatePgError(err: unknown, where: string, what: string): unknown {
  if (err instanceof StoreError) return err;
  if (isUnavailable(err)) {
    const e = err as Error;
    const detail = e.message || (e instanceof AggregateError ? e.errors.map((x: Error) => x.message).join('; ') : (codeOf(e) ?? 'unknown error'));
    return new StoreError('unavailable', `${where}: ${what}: database unavailable: ${detail}`, { cause: err });
  }
  const code = codeOf(err);
  if (code !== undefined && INVALID_STATES.has(code)) return new StoreError('invalid', `${what}: value refused by PostgreSQL: ${(err as Error).message}`, { cause: err });
  return err;
}

export function isUniqueViolation(err: unknown): boolean {
  return codeOf(err) === '23505';
}
