// How administration over HTTP behaves: session lifetimes, who from a
// directory is an admin, how large an import upload may be, and how long
// the audit table keeps its rows. The config's `admin` and `audit` sections
// fill it.

import type { Role } from './actor.ts';

/** Members of `group` in `realm` log in as admins with this role (config `admin.directory`). */
export interface DirectoryAdmin {
  realm: string;
  group: string;
  role: Role;
  /** Realms the role is limited to; undefined = every realm. */
  realms?: string[];
}

export interface AdminPolicy {
  /** A session unused this long ends. */
  sessionIdleSeconds: number;
  /** A session ends this long after its login, used or not. */
  sessionMaxSeconds: number;
  directory: DirectoryAdmin[];
  /** Largest token import upload, in bytes. */
  maxImportBytes: number;
}

export const DEFAULT_ADMIN_POLICY: AdminPolicy = {
  sessionIdleSeconds: 30 * 60,
  sessionMaxSeconds: 12 * 3600,
  directory: [],
  maxImportBytes: 10 * 1024 * 1024,
};

export interface AuditPolicy {
  /** Authentication decisions and admin operations go to the store's audit table too. */
  table: boolean;
  /** Rows older than this many days are purged in the background. */
  retentionDays: number;
}

export const DEFAULT_AUDIT_POLICY: AuditPolicy = { table: true, retentionDays: 90 };
