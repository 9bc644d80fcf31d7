/**
 * Every error the store raises on purpose. The code lets the CLI and the
 * authentication layer tell "the caller gave bad data" from "the database or
 * key file is wrong" without matching on message text. Messages name the
 * serial, column or file at fault and never contain a secret.
 */
export type StoreErrorCode =
  /** The caller's data is invalid (bad serial, otp length out of range, ...). */
  | 'invalid'
  /** A token or challenge with that id already exists. */
  | 'duplicate'
  /** A stored row does not have the shape the code expects. */
  | 'corrupt'
  /** The key file is missing, malformed, too open, or does not fit the data. */
  | 'key'
  /** The database schema is newer than this program, or a migration failed. */
  | 'schema'
  /** The store does not exist, and the caller asked not to create one. */
  | 'missing'
  /**
   * The database cannot be reached or cannot write right now (connection
   * refused or lost, timeout, failover in progress, read-only standby). The
   * operation did not happen or its outcome is unknown: callers fail closed.
   */
  | 'unavailable';

export class StoreError extends Error {
  override name = 'StoreError';
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The `code` an error carries (SQLite's SQLITE_BUSY, SQLITE_IOERR_FSYNC, ...), or undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Runs an insert; a clash on the primary key (as `isDuplicate` tells it) becomes a 'duplicate' StoreError: "`what` already exists". */
export async function insertNew(what: string, isDuplicate: (err: unknown) => boolean, insert: () => unknown): Promise<void> {
  try {
    await insert();
  } catch (err) {
    if (isDuplicate(err)) throw new StoreError('duplicate', `${what} already exists`);
    throw err;
  }
}
