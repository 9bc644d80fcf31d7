// Admin accounts, API keys and sessions: rows <-> objects, with the checks
// at the store's boundary. A row that does not read back as it should is
// 'corrupt'; a caller's value out of shape is 'invalid'.

import { ROLES, type Role } from '../model/actor.ts';
import type { AdminAccount, AdminSession, AdminSource, ApiKey } from '../model/admin-account.ts';
import { StoreError } from './errors.ts';
import { checkTimestamp } from './validate.ts';

/** Account names: what a login form and a shell argument both carry without quoting. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;
const HEX_ID = /^[0-9a-f]{8,64}$/;

export function checkAccountName(v: unknown, what = 'admin account name'): string {
  if (typeof v !== 'string' || !ACCOUNT_NAME.test(v)) throw new StoreError('invalid', `${what}: expected 1..128 letters, digits and _ . @ -, starting with a letter or digit`);
  return v;
}

export function checkHexId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !HEX_ID.test(v)) throw new StoreError('invalid', `${what}: expected lower-case hex digits`);
  return v;
}

function checkRole(v: unknown, what: string): Role {
  if (typeof v !== 'string' || !(ROLES as readonly string[]).includes(v)) throw new StoreError('invalid', `${what}: expected one of ${ROLES.join(', ')}`);
  return v as Role;
}

function checkRealms(v: unknown, what: string): string[] | null {
  if (v === null) return null;
  if (!Array.isArray(v) || v.some((r) => typeof r !== 'string' || r.length === 0 || r.length > 512)) throw new StoreError('invalid', `${what}: expected a list of realm names or null`);
  return v as string[];
}

function checkHash(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 1000) throw new StoreError('invalid', `${what}: expected a password hash`);
  return v;
}

function realmsText(v: string[] | null): string | null {
  return v === null ? null : JSON.stringify(v);
}

/** A column read back, typed; a wrong type is corruption of the row named `where`. */
export function column(row: Record<string, unknown>, name: string, kind: 'text' | 'text?' | 'int' | 'int?', where: string): string | number | null {
  const v = row[name];
  if (v === null && kind.endsWith('?')) return null;
  if (kind.startsWith('text') && typeof v === 'string') return v;
  // PostgreSQL's BIGINT comes back as a string from pg unless parsed.
  if (kind.startsWith('int') && (typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v)))) return Number(v);
  throw new StoreError('corrupt', `${where}: column ${name} has an unexpected value`);
}

function readRealms(text: string | null, where: string): string[] | null {
  if (text === null) return null;
  try {
    return checkRealms(JSON.parse(text), where);
  } catch {
    throw new StoreError('corrupt', `${where}: column realms is not a JSON list of realms`);
  }
}

function readRole(v: string | number | null, where: string): Role {
  if (typeof v !== 'string' || !(ROLES as readonly string[]).includes(v)) throw new StoreError('corrupt', `${where}: column role has an unexpected value`);
  return v as Role;
}

export interface AccountRow {
  name: string;
  role: string;
  realms: string | null;
  password_hash: string;
  otp_serial: string | null;
  disabled: number;
  created_at: number;
  last_login: number | null;
}

export function accountToRow(a: AdminAccount): AccountRow {
  const where = `admin account ${a.name}`;
  return {
    name: checkAccountName(a.name),
    role: checkRole(a.role, `${where}: role`),
    realms: realmsText(checkRealms(a.realms, `${where}: realms`)),
    password_hash: checkHash(a.passwordHash, `${where}: passwordHash`),
    otp_serial: a.otpSerial,
    disabled: a.disabled ? 1 : 0,
    created_at: checkTimestamp(a.createdAt, `${where}: createdAt`),
    last_login: a.lastLogin === null ? null : checkTimestamp(a.lastLogin, `${where}: lastLogin`),
  };
}

export function rowToAccount(raw: Record<string, unknown>): AdminAccount {
  const where = `admin account ${String(raw.name)}`;
  const get = (n: string, k: 'text' | 'text?' | 'int' | 'int?') => column(raw, n, k, where);
  return {
    name: get('name', 'text') as string,
    role: readRole(get('role', 'text'), where),
    realms: readRealms(get('realms', 'text?') as string | null, where),
    passwordHash: get('password_hash', 'text') as string,
    otpSerial: get('otp_serial', 'text?') as string | null,
    disabled: get('disabled', 'int') === 1,
    createdAt: get('created_at', 'int') as number,
    lastLogin: get('last_login', 'int?') as number | null,
  };
}

export interface ApiKeyRow {
  id: string;
  secret_hash: string;
  role: string;
  realms: string | null;
  description: string;
  expires_at: number | null;
  created_by: string;
  created_at: number;
  last_used: number | null;
  revoked_at: number | null;
}

export function apiKeyToRow(k: ApiKey): ApiKeyRow {
  const where = `API key ${String(k.id)}`;
  if (typeof k.description !== 'string' || k.description.length > 1000) throw new StoreError('invalid', `${where}: description: expected at most 1000 characters`);
  return {
    id: checkHexId(k.id, 'API key id'),
    secret_hash: checkHexId(k.secretHash, `${where}: secretHash`),
    role: checkRole(k.role, `${where}: role`),
    realms: realmsText(checkRealms(k.realms, `${where}: realms`)),
    description: k.description,
    expires_at: k.expiresAt === null ? null : checkTimestamp(k.expiresAt, `${where}: expiresAt`),
    created_by: checkAccountName(k.createdBy, `${where}: createdBy`),
    created_at: checkTimestamp(k.createdAt, `${where}: createdAt`),
    last_used: k.lastUsed === null ? null : checkTimestamp(k.lastUsed, `${where}: lastUsed`),
    revoked_at: k.revokedAt === null ? null : checkTimestamp(k.revokedAt, `${where}: revokedAt`),
  };
}

export function rowToApiKey(raw: Record<string, unknown>): ApiKey {
  const where = `API key ${String(raw.id)}`;
  const get = (n: string, k: 'text' | 'text?' | 'int' | 'int?') => column(raw, n, k, where);
  return {
    id: get('id', 'text') as string,
    secretHash: get('secret_hash', 'text') as string,
    role: readRole(get('role', 'text'), where),
    realms: readRealms(get('realms', 'text?') as string | null, where),
    description: get('description', 'text') as string,
    expiresAt: get('expires_at', 'int?') as number | null,
    createdBy: get('created_by', 'text') as string,
    createdAt: get('created_at', 'int') as number,
    lastUsed: get('last_used', 'int?') as number | null,
    revokedAt: get('revoked_at', 'int?') as number | null,
  };
}

export interface SessionRow {
  id: string;
  account: string;
  source: string;
  role: string;
  realms: string | null;
  csrf: string;
  address: string;
  created_at: number;
  last_seen: number;
}

const SOURCES: readonly AdminSource[] = ['local', 'directory'];

export function sessionToRow(s: AdminSession): SessionRow {
  const where = 'admin session';
  if (!SOURCES.includes(s.source)) throw new StoreError('invalid', `${where}: source: expected local or directory`);
  if (typeof s.address !== 'string' || s.address.length > 100) throw new StoreError('invalid', `${where}: address: expected an address`);
  return {
    id: checkHexId(s.id, `${where} id`),
    account: checkAccountName(s.account, `${where}: account`),
    source: s.source,
    role: checkRole(s.role, `${where}: role`),
    realms: realmsText(checkRealms(s.realms, `${where}: realms`)),
    csrf: checkHexId(s.csrf, `${where}: csrf`),
    address: s.address,
    created_at: checkTimestamp(s.createdAt, `${where}: createdAt`),
    last_seen: checkTimestamp(s.lastSeen, `${where}: lastSeen`),
  };
}

export function rowToSession(raw: Record<string, unknown>): AdminSession {
  const where = `admin session of ${String(raw.account)}`;
  const get = (n: string, k: 'text' | 'text?' | 'int' | 'int?') => column(raw, n, k, where);
  const source = get('source', 'text') as AdminSource;
  if (!SOURCES.includes(source)) throw new StoreError('corrupt', `${where}: column source has an unexpected value`);
  return {
    id: get('id', 'text') as string,
    account: get('account', 'text') as string,
    source,
    role: readRole(get('role', 'text'), where),
    realms: readRealms(get('realms', 'text?') as string | null, where),
    csrf: get('csrf', 'text') as string,
    address: get('address', 'text') as string,
    createdAt: get('created_at', 'int') as number,
    lastSeen: get('last_seen', 'int') as number,
  };
}
