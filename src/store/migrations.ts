// Numbered schema migrations, applied in order at open and recorded in
// schema_migrations. A migration is never edited once released; a change is
// a new entry. The SQL keeps to what SQLite and PostgreSQL both accept (TEXT,
// INTEGER, BIGINT, CHECK, plain indexes, no AUTOINCREMENT or SQLite-only
// types), so both backends run the same list (sqlite/schema.ts,
// postgres/schema.ts).
//
// Conventions: timestamps are unix seconds (BIGINT); booleans are INTEGER
// 0/1 (portable, and `locked = 1` reads the same on both); JSON is TEXT.
// `window` is a reserved word in PostgreSQL, hence check_window.
//
// Where the two differ, a migration says so: SQLite cannot alter a CHECK
// constraint, so a table whose CHECK changes is rebuilt there
// (`sqliteRebuild`, sqlite/rebuild.ts), while PostgreSQL runs its own
// ALTER TABLE (`postgres`). Both then run `sql`.

import { StoreError } from './errors.ts';
import type { Statement } from './sql.ts';

/** A change to one text of a SQLite table's definition: `from` must occur in it exactly once. */
export interface TableEdit {
  table: string;
  from: string;
  to: string;
}

export interface Migration {
  version: number;
  name: string;
  /** What both backends run (after their own steps below). */
  sql: string;
  /** SQLite: tables rebuilt with these edits to their definitions, data, indexes and triggers kept. */
  sqliteRebuild?: readonly TableEdit[];
  /** PostgreSQL: its own statements for what sqliteRebuild does on SQLite. */
  postgres?: string;
}

const OLD_TYPES = "CHECK (type IN ('hotp', 'totp', 'ocra'))";
const NEW_TYPES = "CHECK (type IN ('hotp', 'totp', 'ocra', 'email', 'sms', 'spass'))";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tokens, challenges, store metadata',
    sql: `
CREATE TABLE tokens (
  serial TEXT PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN ('hotp', 'totp', 'ocra')),
  seed TEXT NOT NULL,
  otp_length INTEGER NOT NULL,
  algorithm TEXT NOT NULL CHECK (algorithm IN ('sha1', 'sha256', 'sha512')),
  time_step INTEGER NOT NULL,
  counter BIGINT NOT NULL DEFAULT 0,
  drift INTEGER NOT NULL DEFAULT 0,
  check_window INTEGER NOT NULL,
  sync_window INTEGER NOT NULL,
  pin_hash TEXT,
  owner_realm TEXT,
  owner_resolver TEXT,
  owner_user_id TEXT,
  owner_login TEXT,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
  fail_count INTEGER NOT NULL DEFAULT 0,
  max_fail INTEGER NOT NULL,
  auth_count BIGINT NOT NULL DEFAULT 0,
  max_auth BIGINT,
  success_count BIGINT NOT NULL DEFAULT 0,
  max_success BIGINT,
  valid_from BIGINT,
  valid_until BIGINT,
  last_auth BIGINT,
  last_fail BIGINT,
  sync_counter BIGINT,
  sync_at BIGINT,
  description TEXT NOT NULL DEFAULT '',
  info TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  CHECK ((owner_realm IS NULL AND owner_resolver IS NULL AND owner_user_id IS NULL AND owner_login IS NULL)
      OR (owner_realm IS NOT NULL AND owner_resolver IS NOT NULL AND owner_user_id IS NOT NULL AND owner_login IS NOT NULL))
);
CREATE INDEX tokens_owner ON tokens (owner_resolver, owner_user_id);
CREATE INDEX tokens_owner_login ON tokens (owner_login);

CREATE TABLE challenges (
  transaction_id TEXT PRIMARY KEY,
  serials TEXT NOT NULL,
  realm TEXT NOT NULL,
  resolver TEXT NOT NULL,
  user_id TEXT NOT NULL,
  login TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  -- Insertion order, to tell apart challenges created in the same second.
  created_seq BIGINT NOT NULL
);
CREATE INDEX challenges_expires ON challenges (expires_at);
CREATE INDEX challenges_seq ON challenges (created_seq);

-- One row per (challenge, token) so the per-token cap is a plain query.
CREATE TABLE challenge_tokens (
  transaction_id TEXT NOT NULL REFERENCES challenges (transaction_id) ON DELETE CASCADE,
  serial TEXT NOT NULL,
  PRIMARY KEY (transaction_id, serial)
);
CREATE INDEX challenge_tokens_serial ON challenge_tokens (serial);

-- Small named values, e.g. the key check that ties the database to its key file.
CREATE TABLE store_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'throttle state, NAS clients that sent Message-Authenticator',
    sql: `
-- Wrong first factors per user and source: a self-clearing backoff (auth/throttle.ts).
CREATE TABLE throttle (
  realm TEXT NOT NULL,
  login TEXT NOT NULL,
  source TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_failure BIGINT NOT NULL,
  -- Requests refused while throttled, for admins: they do not lengthen the backoff.
  refused INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (realm, login, source)
);
CREATE INDEX throttle_last_failure ON throttle (last_failure);

-- Clients under requireMessageAuthenticator: auto that have sent one: from then on it is required, on every worker and after a restart.
CREATE TABLE nas_learned (
  client TEXT PRIMARY KEY,
  learned_at BIGINT NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'pending tokens, audit table, admin accounts, API keys, admin sessions',
    sql: `
-- Enrolled and not yet verified: no login until one right OTP is entered.
ALTER TABLE tokens ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));

-- One row per authentication decision and per admin operation. Never a password, PIN, seed or OTP.
CREATE TABLE audit (
  -- Random, to page through rows of the same millisecond.
  id TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('auth', 'admin')),
  -- auth: the NAS client; admin: the account, API key or CLI user.
  actor TEXT NOT NULL,
  -- auth: 'authenticate'; admin: the operation, e.g. token.reset.
  action TEXT NOT NULL,
  -- auth: accept, reject or challenge; admin: ok or refused.
  result TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  user_name TEXT,
  realm TEXT,
  serial TEXT,
  -- auth: the NAS address; admin: the HTTP client address.
  address TEXT,
  -- Further fields as JSON (NAS identifier, Calling-Station-Id, duration, role, front end).
  extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit (at_ms);
CREATE INDEX audit_user ON audit (user_name, at_ms);
CREATE INDEX audit_serial ON audit (serial, at_ms);

-- The newest audit rows, appended here without indexes so that a login's commit stays small (each row in
-- audit's user and serial indexes lands on a page of its own); moved into audit a chunk at a time.
CREATE TABLE audit_recent (
  id TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('auth', 'admin')),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  user_name TEXT,
  realm TEXT,
  serial TEXT,
  address TEXT,
  extra TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE admin_accounts (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'auditor')),
  -- JSON array of realms the role is limited to; NULL = every realm.
  realms TEXT,
  password_hash TEXT NOT NULL,
  -- The account's own token, whose OTP goes with the password; NULL = password alone.
  otp_serial TEXT,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at BIGINT NOT NULL,
  last_login BIGINT
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  -- HMAC-SHA256 of the secret under the key file's pepper.
  secret_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'auditor')),
  realms TEXT,
  description TEXT NOT NULL DEFAULT '',
  expires_at BIGINT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used BIGINT,
  revoked_at BIGINT
);

-- HTTP sessions of admins: here rather than in a signed cookie, so that logout, disabling an account and
-- the timeouts hold on every worker and server at once.
CREATE TABLE admin_sessions (
  -- SHA-256 of the cookie value: a copy of the table does not give a session.
  id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('local', 'directory')),
  role TEXT NOT NULL CHECK (role IN ('admin', 'helpdesk', 'auditor')),
  realms TEXT,
  -- The synchronizer token every state-changing request repeats in X-CSRF-Token.
  csrf TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX admin_sessions_account ON admin_sessions (account);
CREATE INDEX admin_sessions_last_seen ON admin_sessions (last_seen);
`,
  },
  {
    version: 4,
    name: 'e-mail, SMS and static password tokens, open challenges by user, code sends',
    sqliteRebuild: [{ table: 'tokens', from: OLD_TYPES, to: NEW_TYPES }],
    // The name PostgreSQL gives a column's CHECK: table_column_check.
    postgres: `ALTER TABLE tokens DROP CONSTRAINT tokens_type_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_type_check ${NEW_TYPES};`,
    sql: `
-- A PIN alone within the resend interval finds the user's open challenge instead of sending another code.
CREATE INDEX challenges_user ON challenges (resolver, user_id);

-- One row per code sent, per user and per destination, for the rate limits every worker and server share.
CREATE TABLE delivery_sends (
  -- 'user:' and the user's key, or 'to:' and the normalised address or number.
  subject TEXT NOT NULL,
  -- Unix milliseconds.
  sent_at BIGINT NOT NULL
);
CREATE INDEX delivery_sends_subject ON delivery_sends (subject, sent_at);
CREATE INDEX delivery_sends_sent_at ON delivery_sends (sent_at);
`,
  },
  {
    version: 5,
    name: 'self-service user sessions, enrollment codes',
    sql: `
-- HTTP sessions of users on the self-service pages: in the store, like admin_sessions, so that logout, the
-- timeouts and a user leaving the directory hold on every worker and server at once.
CREATE TABLE user_sessions (
  -- HMAC of the cookie value: a copy of the table does not give a session.
  id TEXT PRIMARY KEY,
  realm TEXT NOT NULL,
  resolver TEXT NOT NULL,
  user_id TEXT NOT NULL,
  login TEXT NOT NULL,
  -- The synchronizer token every form of the session repeats.
  csrf TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (resolver, user_id);
CREATE INDEX user_sessions_last_seen ON user_sessions (last_seen);

-- One-time codes an admin hands to a user for a first self-service enrollment; only their HMAC is kept.
CREATE TABLE enrollment_codes (
  id TEXT PRIMARY KEY,
  realm TEXT NOT NULL,
  resolver TEXT NOT NULL,
  user_id TEXT NOT NULL,
  login TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX enrollment_codes_user ON enrollment_codes (resolver, user_id);
CREATE INDEX enrollment_codes_expires ON enrollment_codes (expires_at);
`,
  },
];

/** The schema version this program writes: the last migration's. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export const SCHEMA_MIGRATIONS_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** Checks the list itself: versions from 1, increasing. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    const least = i === 0 ? 1 : migrations[i - 1]!.version + 1;
    if (!Number.isSafeInteger(m.version) || m.version < least || (i === 0 && m.version !== 1)) {
      throw new StoreError('schema', `migration list: entry ${i} has version ${m.version}, expected ${i === 0 ? 1 : `more than ${least - 1}`}`);
    }
  });
}

/** The highest version of a list. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/**
 * What to apply given the versions a database records. A recorded version
 * this code does not know means a newer program wrote the database: refuse
 * rather than run old code against a schema it does not understand.
 */
export function pendingMigrations(applied: readonly number[], migrations: readonly Migration[], where: string): Migration[] {
  const known = new Set(migrations.map((m) => m.version));
  const unknown = applied.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    const newest = Math.max(...unknown);
    if (newest < latestVersion(migrations)) {
      throw new StoreError('schema', `${where} has schema version ${newest}, which this program does not know (it knows ${[...known].join(', ')}): it was written by another build of otp-radius`);
    }
    throw new StoreError(
      'schema',
      `${where} has schema version ${newest}, newer than this program knows (${latestVersion(migrations)}): upgrade otp-radius, or restore a backup made before the upgrade`,
    );
  }
  const done = new Set(applied);
  return migrations.filter((m) => !done.has(m.version));
}

export interface MigrationResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The schema version afterwards. */
  version: number;
}

/** The versions a database records, lowest first. */
export const APPLIED_VERSIONS = 'SELECT version FROM schema_migrations ORDER BY version';

export const RECORD_MIGRATION: Statement = {
  params: ['version', 'name', 'applied_at'],
  text: (p) => `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${p('version')}, ${p('name')}, ${p('applied_at')})`,
};

/** RECORD_MIGRATION's parameters for `m`, applied now. */
export function migrationRecord(m: Migration): { version: number; name: string; applied_at: number } {
  return { version: m.version, name: m.name, applied_at: Math.floor(Date.now() / 1000) };
}

/** The error for a migration whose SQL failed; the transaction around it is rolled back. */
export function migrationFailed(m: Migration, where: string, err: unknown): StoreError {
  return new StoreError('schema', `${where}: migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
}
