// Backup and restore of the SQLite store file, while the server runs (backup)
// or is stopped (restore).
//
// A backup is VACUUM INTO: one read transaction writes a consistent, compact
// copy, without blocking the server's writes (WAL) and without starting over
// when they happen, as the page-copying backup API would. The key file is not
// part of it; the admin keeps it apart.
//
// A restore puts the counters back to the time of the backup, so an OTP
// accepted after the backup would be accepted again. For TOTP that is cheap
// to close: every TOTP token's next usable time step moves to the one after
// the current step (by the token's drift), so that no code shown before the
// restore logs in again and the next one does. HOTP and OCRA counters cannot
// be moved that way (the right position is unknown) and are only counted.

import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { openSqliteStore } from './store.ts';

export interface BackupResult {
  tokens: number;
  bytes: number;
}

/** Writes a consistent copy of the store at `source` to `dest` (which must not exist), mode 0600. */
export function backupSqlite(source: string, dest: string, busyTimeoutMs = 5000): BackupResult {
  if (!existsSync(source)) throw new StoreError('missing', `store ${source} does not exist`);
  if (existsSync(dest)) throw new StoreError('invalid', `${dest} exists already: give a new file name`);
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`);
  // An empty file is what VACUUM INTO may write into: created here so that the copy is never readable by others.
  closeSync(openSync(tmp, 'wx', 0o600));
  try {
    const db = new Database(source, { fileMustExist: true, timeout: busyTimeoutMs });
    try {
      db.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      db.close();
    }
    const tokens = checkCopy(tmp, dest);
    syncFile(tmp);
    renameSync(tmp, dest);
    return { tokens, bytes: statSync(dest).size };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The copy is whole and is an otp-radius store: its token count. */
function checkCopy(file: string, shownAs: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError('corrupt', `${shownAs}: the copy fails SQLite's quick_check: ${String(check)}`);
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'tokens'").get();
    if (!table) throw new StoreError('invalid', `${shownAs} is not an otp-radius store (no tokens table)`);
    return Number(db.prepare('SELECT count(*) FROM tokens').pluck().get());
  } finally {
    db.close();
  }
}

export interface RestoreOptions {
  /** The backup file (from backupSqlite, or a copy of a stopped server's store). */
  backup: string;
  /** The store file to replace or create. */
  path: string;
  /** The key file the backup was made with; it must match. */
  keyFile: string;
  /** Unix seconds: TOTP tokens move past this time's step. */
  now: number;
  /** Replace the store even though its write-ahead log is there (a server may be running, or stopped uncleanly). */
  force?: boolean;
}

export interface RestoreResult {
  tokens: number;
  /** TOTP tokens moved to the next time step. */
  totpMoved: number;
  /** HOTP and OCRA tokens: a code used after the backup, within the window, logs in once more. */
  counterTokens: number;
}

/**
 * Replaces the store at `path` with the backup: checked against the key file
 * and migrated on a copy beside it, TOTP tokens moved to now, then renamed
 * into place, so that a failure on the way leaves the old store as it was.
 */
export async function restoreSqlite(o: RestoreOptions): Promise<RestoreResult> {
  if (!existsSync(o.backup)) throw new StoreError('missing', `backup ${o.backup} does not exist`);
  if (!o.force && existsSync(`${o.path}-wal`)) {
    throw new StoreError('invalid', `${o.path}-wal exists: a server may be using ${o.path}; stop it first (or, when it is stopped, give --force: the restore replaces that log too)`);
  }
  const tmp = join(dirname(o.path), `.${basename(o.path)}.restore.${process.pid}.tmp`);
  mkdirSync(dirname(o.path), { recursive: true, mode: 0o700 });
  try {
    copyFileSync(o.backup, tmp);
    chmodSync(tmp, 0o600);
    checkCopy(tmp, o.backup);
    // Opening it as the server would: the key file must match, and pending migrations are applied to the copy.
    const store = await openSqliteStore({ path: tmp, keyFile: o.keyFile, create: false });
    await store.close();
    const result = moveTotpToNow(tmp, o.now);
    syncFile(tmp);
    // The old database's log and index must not meet the restored file.
    rmSync(`${o.path}-wal`, { force: true });
    rmSync(`${o.path}-shm`, { force: true });
    renameSync(tmp, o.path);
    return result;
  } finally {
    for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  }
}

function moveTotpToNow(file: string, now: number): RestoreResult {
  const db = new Database(file, { fileMustExist: true });
  try {
    // time_step >= 1 (checked on every write); integer division (a bigint binds as an integer) floors for times after 1970.
    const next = '((:now + drift) / time_step) + 1';
    const moved = db.prepare(`UPDATE tokens SET counter = ${next} WHERE type = 'totp' AND counter < ${next}`).run({ now: BigInt(Math.floor(now)) }).changes;
    const count = (where: string): number => Number(db.prepare(`SELECT count(*) FROM tokens ${where}`).pluck().get());
    return { tokens: count(''), totpMoved: moved, counterTokens: count("WHERE type IN ('hotp', 'ocra')") };
  } finally {
    db.close();
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
