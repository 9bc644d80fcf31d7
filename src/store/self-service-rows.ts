// User sessions and enrollment codes: rows <-> objects, with the checks at
// the store's boundary. A row that does not read back as it should is
// 'corrupt'; a caller's value out of shape is 'invalid'.

import type { EnrollmentCode, UserSession } from '../model/self-service.ts';
import { checkHexId, column } from './admin-rows.ts';
import { StoreError } from './errors.ts';
import { checkTimestamp } from './validate.ts';

const MAX_NAME = 512;

/** A realm, resolver, user id or login: what tokens' owners carry. */
export function checkName(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_NAME) throw new StoreError('invalid', `${what}: expected 1..${MAX_NAME} characters`);
  return v;
}

function checkAddress(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length > 100) throw new StoreError('invalid', `${what}: expected an address`);
  return v;
}

export interface UserSessionRow {
  id: string;
  realm: string;
  resolver: string;
  user_id: string;
  login: string;
  csrf: string;
  address: string;
  created_at: number;
  last_seen: number;
}

export function userSessionToRow(s: UserSession): UserSessionRow {
  const where = 'user session';
  return {
    id: checkHexId(s.id, `${where} id`),
    realm: checkName(s.realm, `${where}: realm`),
    resolver: checkName(s.resolver, `${where}: resolver`),
    user_id: checkName(s.userId, `${where}: userId`),
    login: checkName(s.login, `${where}: login`),
    csrf: checkHexId(s.csrf, `${where}: csrf`),
    address: checkAddress(s.address, `${where}: address`),
    created_at: checkTimestamp(s.createdAt, `${where}: createdAt`),
    last_seen: checkTimestamp(s.lastSeen, `${where}: lastSeen`),
  };
}

export function rowToUserSession(raw: Record<string, unknown>): UserSession {
  const where = `user session of ${String(raw.login)}`;
  const text = (n: string) => column(raw, n, 'text', where) as string;
  const int = (n: string) => column(raw, n, 'int', where) as number;
  return {
    id: text('id'),
    realm: text('realm'),
    resolver: text('resolver'),
    userId: text('user_id'),
    login: text('login'),
    csrf: text('csrf'),
    address: text('address'),
    createdAt: int('created_at'),
    lastSeen: int('last_seen'),
  };
}

export interface EnrollmentCodeRow {
  id: string;
  realm: string;
  resolver: string;
  user_id: string;
  login: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export function enrollmentCodeToRow(c: EnrollmentCode): EnrollmentCodeRow {
  const where = 'enrollment code';
  const row: EnrollmentCodeRow = {
    id: checkHexId(c.id, `${where} id`),
    realm: checkName(c.realm, `${where}: realm`),
    resolver: checkName(c.resolver, `${where}: resolver`),
    user_id: checkName(c.userId, `${where}: userId`),
    login: checkName(c.login, `${where}: login`),
    created_by: checkName(c.createdBy, `${where}: createdBy`),
    created_at: checkTimestamp(c.createdAt, `${where}: createdAt`),
    expires_at: checkTimestamp(c.expiresAt, `${where}: expiresAt`),
    used_at: c.usedAt === null ? null : checkTimestamp(c.usedAt, `${where}: usedAt`),
  };
  if (row.expires_at <= row.created_at) throw new StoreError('invalid', `${where}: expiresAt: expected a time after createdAt`);
  return row;
}

/** A session id, user key and time for the statements that take them, checked. */
export function userKey(resolver: unknown, userId: unknown, what: string): { resolver: string; user_id: string } {
  return { resolver: checkName(resolver, `${what}: resolver`), user_id: checkName(userId, `${what}: userId`) };
}
