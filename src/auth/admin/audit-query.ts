// Reading the audit trail: authentication decisions and admin operations,
// newest first, a page at a time. A realm-limited role sees only the rows
// of its realms.

import type { Actor } from '../../model/actor.ts';
import type { AuditQuery, AuditRecord } from '../../model/audit.ts';
import { StoreError } from '../../store/errors.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { authorize } from './permissions.ts';

export interface AuditPage {
  records: AuditRecord[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/** The page cursor: the last row's time and id, opaque to callers. */
export function auditCursor(r: Pick<AuditRecord, 'at' | 'id'>): string {
  return Buffer.from(`${r.at}:${r.id}`).toString('base64url');
}

function parseCursor(cursor: string): { at: number; id: string } {
  const m = /^(\d{1,16}):([0-9a-f]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AdminError('invalid', 'the cursor is not one this server gave out');
  return { at: Number(m[1]), id: m[2]! };
}

export async function queryAudit(ctx: AdminContext, actor: Actor, query: Omit<AuditQuery, 'before' | 'realms'> & { cursor?: string }): Promise<AuditPage> {
  authorize(actor, 'audit.read');
  const { cursor, ...rest } = query;
  const q: AuditQuery = { ...rest, ...(cursor !== undefined ? { before: parseCursor(cursor) } : {}), ...(actor.realms !== undefined ? { realms: actor.realms } : {}) };
  if (q.realm !== undefined && actor.realms !== undefined && !actor.realms.includes(q.realm.toLowerCase()))
    throw new AdminError('forbidden', `${actor.name} may read the audit of realm${actor.realms.length === 1 ? '' : 's'} ${actor.realms.join(', ')} only`);
  let records: AuditRecord[];
  try {
    records = await ctx.auth.store.audit.query({ ...q, limit: q.limit + 1 });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'invalid') throw new AdminError('invalid', err.message);
    throw err;
  }
  const page = records.slice(0, q.limit);
  return { records: page, ...(records.length > q.limit ? { next: auditCursor(page[page.length - 1]!) } : {}) };
}

/** The user's last authentication decision, when the audit table has one. */
export async function lastAuthentication(ctx: AdminContext, login: string, realm: string): Promise<AuditRecord | undefined> {
  return (await ctx.auth.store.audit.query({ user: login, realm, event: 'auth', limit: 1 }))[0];
}

/** Rows per store query while reading many: the store's own maximum is higher, this keeps each round trip short. */
const EXPORT_PAGE = 500;

/**
 * Every row of the query, newest first, at most `max`, read a page at a
 * time so that an export streams instead of holding them all; the role is
 * checked before the first row.
 */
export async function* auditRecords(ctx: AdminContext, actor: Actor, query: Omit<AuditQuery, 'before' | 'realms' | 'limit'>, max: number): AsyncGenerator<AuditRecord> {
  authorize(actor, 'audit.read');
  let cursor: string | undefined;
  let left = max;
  while (left > 0) {
    const page = await queryAudit(ctx, actor, { ...query, limit: Math.min(EXPORT_PAGE, left), ...(cursor !== undefined ? { cursor } : {}) });
    for (const r of page.records) yield r;
    left -= page.records.length;
    if (page.next === undefined) return;
    cursor = page.next;
  }
}
