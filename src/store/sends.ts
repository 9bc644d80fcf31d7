// Code sends as the store keeps them for the delivery rate limits: one row
// per send and subject (a user, or a destination), so one aggregate gives
// each subject's count and its oldest and newest send in the window, on
// SQLite and PostgreSQL alike.

import { StoreError } from './errors.ts';
import type { Statement } from './sql.ts';
import type { SendWindow } from './types.ts';
import { checkInt } from './validate.ts';

/** The aggregate of one subject's sends after `since` (unix ms). */
export const SEND_STATEMENTS = {
  sendWindow: {
    params: ['subject', 'since'],
    text: (p) => `SELECT count(*) AS count, min(sent_at) AS oldest, max(sent_at) AS newest FROM delivery_sends WHERE subject = ${p('subject')} AND sent_at > ${p('since', 'bigint')}`,
  },
  insertSend: { params: ['subject', 'at'], text: (p) => `INSERT INTO delivery_sends (subject, sent_at) VALUES (${p('subject')}, ${p('at', 'bigint')})` },
  purgeSends: { params: ['before'], text: (p) => `DELETE FROM delivery_sends WHERE sent_at <= ${p('before', 'bigint')}` },
} satisfies Record<string, Statement>;

/** Subjects of at most 1100 characters (a prefix and a user key or destination), each once, sorted: the order locks are taken in. */
export function sendSubjects(subjects: readonly string[], what: string): string[] {
  if (!Array.isArray(subjects) || subjects.length === 0) throw new StoreError('invalid', `${what}: expected a non-empty array of subjects`);
  for (const s of subjects) {
    if (typeof s !== 'string' || s.length === 0 || s.length > 1100) throw new StoreError('invalid', `${what}: a subject must be a string of 1..1100 characters`);
  }
  return [...new Set(subjects)].sort();
}

/** Milliseconds since the epoch. */
export function sendTime(v: unknown, what: string): number {
  return checkInt(v, what, 0, 1e15);
}

export interface SendRow {
  count: unknown;
  oldest: unknown;
  newest: unknown;
}

export function rowToWindow(row: SendRow | undefined): SendWindow {
  const count = Number(row?.count ?? 0);
  if (count === 0 || row === undefined) return { count: 0 };
  return { count, oldest: Number(row.oldest), newest: Number(row.newest) };
}
