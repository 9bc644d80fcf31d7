// Who may administer over HTTP: admin accounts kept in the store, API keys
// for automation, and the sessions a login opens. Secrets are never here in
// clear: passwords are KDF hashes, key secrets and session ids are digests.

import type { Role } from './actor.ts';

export interface AdminAccount {
  name: string;
  role: Role;
  /** Realms the role is limited to (lower case); null = every realm. */
  realms: string[] | null;
  /** The store's password hash (scrypt with the key file's pepper). */
  passwordHash: string;
  /** The account's own token, whose OTP goes with the password; null = the password alone (a bootstrap account). */
  otpSerial: string | null;
  disabled: boolean;
  /** Unix seconds. */
  createdAt: number;
  lastLogin: number | null;
}

export type NewAdminAccount = Pick<AdminAccount, 'name' | 'role' | 'realms' | 'passwordHash' | 'otpSerial'>;
export type AdminAccountPatch = Partial<Pick<AdminAccount, 'role' | 'realms' | 'passwordHash' | 'otpSerial' | 'disabled' | 'lastLogin'>>;

export interface ApiKey {
  /** Public part of the key, shown in lists and the audit log. */
  id: string;
  /** HMAC-SHA256 of the secret part under the key file's pepper, hex. */
  secretHash: string;
  role: Role;
  realms: string[] | null;
  description: string;
  /** Unix seconds; null = never. */
  expiresAt: number | null;
  createdBy: string;
  createdAt: number;
  lastUsed: number | null;
  revokedAt: number | null;
}

export type NewApiKey = Omit<ApiKey, 'lastUsed' | 'revokedAt'>;

/** Where a session's account lives: the store's admin accounts, or a realm's directory (config `admin.directory`). */
export type AdminSource = 'local' | 'directory';

export interface AdminSession {
  /** SHA-256 of the cookie value, hex. */
  id: string;
  /** Account name; for a directory admin, login@realm. */
  account: string;
  source: AdminSource;
  role: Role;
  realms: string[] | null;
  /** The synchronizer token state-changing requests repeat in X-CSRF-Token. */
  csrf: string;
  /** Client address at login. */
  address: string;
  createdAt: number;
  lastSeen: number;
}
