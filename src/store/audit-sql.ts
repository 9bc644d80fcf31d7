// The audit table's SQL for both backends: the row form of an AuditRecord,
// the query behind the audit search (newest first, a page at a time), the
// dashboard's decision counts, and the retention purge; and the chunked moves
// both backends make with it.

import type { AuditQuery, AuditRecord, DecisionCountQuery, DecisionCounts } from '../model/audit.ts';
import { StoreError } from './errors.ts';
import { paramList, type Dialect, type Statement } from './sql.ts';

export const AUDIT_COLUMNS = ['id', 'at_ms', 'event', 'actor', 'action', 'result', 'reason', 'user_name', 'realm', 'serial', 'address', 'extra'] as const;
export type AuditColumn = (typeof AUDIT_COLUMNS)[number];
export type AuditRow = Record<AuditColumn, string | number | null>;

/** Longest text kept in a column; longer values (a user name of 10 kB) are cut, not refused: the event must be kept. */
const MAX_TEXT = 1000;

function cut(v: string | null): string | null {
  return v === null || v.length <= MAX_TEXT ? v : v.slice(0, MAX_TEXT);
}

export function auditToRow(r: AuditRecord): AuditRow {
  return {
    id: r.id,
    at_ms: Math.floor(r.at),
    event: r.event,
    actor: cut(r.actor) ?? '',
    action: cut(r.action) ?? '',
    result: cut(r.result) ?? '',
    reason: cut(r.reason) ?? '',
    user_name: cut(r.user),
    realm: cut(r.realm),
    serial: cut(r.serial),
    address: cut(r.address),
    extra: JSON.stringify(r.extra),
  };
}

function text(row: Record<string, unknown>, name: string): string | null {
  const v = row[name];
  if (v === null || typeof v === 'string') return v;
  throw new StoreError('corrupt', `audit row ${String(row.id)}: column ${name} is not text`);
}

export function rowToAudit(row: Record<string, unknown>): AuditRecord {
  let extra: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(String(row.extra)) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) extra = parsed as Record<string, unknown>;
  } catch {
    // An unreadable extra column loses only the extra fields; the event itself still shows.
  }
  const event = text(row, 'event');
  if (event !== 'auth' && event !== 'admin') throw new StoreError('corrupt', `audit row ${String(row.id)}: column event has an unexpected value`);
  return {
    id: text(row, 'id') ?? '',
    at: Number(row.at_ms),
    event,
    actor: text(row, 'actor') ?? '',
    action: text(row, 'action') ?? '',
    result: text(row, 'result') ?? '',
    reason: text(row, 'reason') ?? '',
    user: text(row, 'user_name'),
    realm: text(row, 'realm'),
    serial: text(row, 'serial'),
    address: text(row, 'address'),
    extra,
  };
}

/** New records go to audit_recent (see AuditTable). */
export const INSERT_AUDIT: Statement = {
  params: AUDIT_COLUMNS,
  text: (p) => `INSERT INTO audit_recent (${AUDIT_COLUMNS.join(', ')}) VALUES (${AUDIT_COLUMNS.map((c) => p(c, c === 'at_ms' ? 'bigint' : undefined)).join(', ')})`,
};

export const AUDIT_LIST = AUDIT_COLUMNS.join(', ');

export const OLDEST_AUDIT: Statement = { params: [], text: () => 'SELECT min(at_ms) AS oldest FROM audit' };

export const PURGE_AUDIT: Statement = { params: ['before'], text: (p) => `DELETE FROM audit WHERE at_ms < ${p('before', 'bigint')}` };
/** audit_recent holds seconds of rows, so one statement purges it. */
export const PURGE_RECENT: Statement = { params: ['before'], text: (p) => `DELETE FROM audit_recent WHERE at_ms < ${p('before', 'bigint')}` };

/** Rows moved from audit_recent to audit per transaction: a chunk is short enough not to hold the write lock for long. */
const SETTLE_CHUNK = 1000;

/** Rows are purged this many milliseconds at a time: each delete stays short, and a store that was never purged catches up over several runs. */
const PURGE_SLICE_MS = 10 * 60 * 1000;

/** AuditTable.settle: `moveChunk` moves at most `limit` rows in one transaction and says how many it moved. */
export async function settleInChunks(maxRows: number, moveChunk: (limit: number) => Promise<number>): Promise<number> {
  let moved = 0;
  while (moved < maxRows) {
    const n = await moveChunk(Math.min(SETTLE_CHUNK, maxRows - moved));
    moved += n;
    if (n === 0) break;
  }
  return moved;
}

/** The statements of the purge on one backend, each returning how many rows it removed. */
export interface AuditPurge {
  /** Rows of audit_recent older than `before`. */
  recent(before: number): Promise<number>;
  /** at_ms of audit's oldest row; null when it is empty. */
  oldest(): Promise<number | null>;
  /** Rows of audit older than `before`. */
  older(before: number): Promise<number>;
}

/** AuditTable.purge: audit_recent in one statement, audit a slice at a time from its oldest row. */
export async function purgeInSlices(before: number, purge: AuditPurge): Promise<number> {
  let removed = await purge.recent(before);
  for (;;) {
    const oldest = await purge.oldest();
    if (oldest === null || oldest >= before) return removed;
    removed += await purge.older(Math.min(before, oldest + PURGE_SLICE_MS));
  }
}

const MAX_LIMIT = 1000;

/** Text matched literally inside a LIKE pattern: its own % and _ (and the escape character) escaped. */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The query as SQL and its parameters p0, p1, ... in order. */
export function auditQuerySql(q: AuditQuery, d: Dialect): { text: string; params: Record<string, string | number> } {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > MAX_LIMIT) throw new StoreError('invalid', `audit query: limit: expected 1..${MAX_LIMIT}`);
  const { p, params } = paramList(d);
  const conds: string[] = [];
  const equal = (column: string, v: string | undefined): void => {
    if (v !== undefined) conds.push(`${column} = ${p(v)}`);
  };
  equal('user_name', q.user);
  equal('realm', q.realm);
  equal('serial', q.serial);
  equal('event', q.event);
  equal('result', q.result);
  equal('actor', q.actor);
  // Lower-cased on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
  if (q.reason !== undefined) conds.push(`lower(reason) LIKE lower(${p(`%${likeEscaped(q.reason)}%`)}) ESCAPE '\\'`);
  if (q.from !== undefined) conds.push(`at_ms >= ${p(q.from, 'bigint')}`);
  if (q.to !== undefined) conds.push(`at_ms <= ${p(q.to, 'bigint')}`);
  if (q.realms !== undefined) conds.push(q.realms.length === 0 ? '1 = 0' : `realm IN (${q.realms.map((r) => p(r)).join(', ')})`);
  if (q.before) conds.push(`(at_ms < ${p(q.before.at, 'bigint')} OR (at_ms = ${p(q.before.at, 'bigint')} AND id < ${p(q.before.id)}))`);
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  // Both tables, with the same parameters: each backend lets a parameter appear twice.
  const part = (table: string): string => `SELECT ${AUDIT_LIST} FROM ${table}${where} ORDER BY at_ms DESC, id DESC LIMIT ${q.limit}`;
  return { text: `SELECT * FROM (${part('audit')}) a UNION ALL SELECT * FROM (${part('audit_recent')}) r ORDER BY at_ms DESC, id DESC LIMIT ${q.limit}`, params };
}

/** Minutes, in milliseconds: the dashboard's bucket. */
const MINUTE_MS = 60_000;

/** The two counting queries of countDecisions, with their parameters p0, p1, ... in order. */
export function decisionCountSql(q: DecisionCountQuery, d: Dialect): { perMinute: string; reasons: string; params: Record<string, string | number> } {
  const from = checkMs(q.from, 'from');
  const to = checkMs(q.to, 'to');
  if (!Number.isInteger(q.topReasons) || q.topReasons < 1 || q.topReasons > 100) throw new StoreError('invalid', 'countDecisions: topReasons: expected 1..100');
  const names: string[] = [];
  const params: Record<string, string | number> = {};
  const p = (v: string | number, type?: 'bigint'): string => {
    const name = `p${names.length}`;
    names.push(name);
    params[name] = v;
    return d.param(names, name, type);
  };
  const conds = [`event = 'auth'`, `at_ms >= ${p(from, 'bigint')}`, `at_ms < ${p(to, 'bigint')}`];
  if (q.realms !== undefined) conds.push(q.realms.length === 0 ? '1 = 0' : `realm IN (${q.realms.map((r) => p(r)).join(', ')})`);
  const where = conds.join(' AND ');
  // Both tables, with the same parameters: each backend lets a parameter appear twice.
  const rows = `SELECT at_ms, result, reason FROM audit WHERE ${where} UNION ALL SELECT at_ms, result, reason FROM audit_recent WHERE ${where}`;
  return {
    perMinute: `SELECT (at_ms / ${MINUTE_MS}) * ${MINUTE_MS} AS minute, result, count(*) AS n FROM (${rows}) r GROUP BY 1, 2 ORDER BY 1, 2`,
    reasons: `SELECT reason, count(*) AS n FROM (${rows}) r WHERE result = 'reject' GROUP BY reason ORDER BY 2 DESC, 1 LIMIT ${q.topReasons}`,
    params,
  };
}

function checkMs(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new StoreError('invalid', `countDecisions: ${what}: expected unix milliseconds`);
  return v;
}

/** Rows of the counting queries as DecisionCounts (PostgreSQL gives bigint counts as text). */
export function decisionCounts(perMinute: Record<string, unknown>[], reasons: Record<string, unknown>[]): DecisionCounts {
  return {
    perMinute: perMinute.map((r) => ({ minute: Number(r.minute), decision: String(r.result), count: Number(r.n) })),
    rejectReasons: reasons.map((r) => ({ reason: String(r.reason), count: Number(r.n) })),
  };
}
