import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { NewToken } from '../../src/model/token.ts';

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const SEED = Buffer.from('12345678901234567890');

export function newToken(serial: string, extra: Partial<NewToken> = {}): NewToken {
  return {
    serial,
    type: 'hotp',
    seed: SEED,
    otpLength: 6,
    algorithm: 'sha1',
    timeStep: 30,
    window: 10,
    syncWindow: 100,
    maxFail: 3,
    ...extra,
  };
}

export const OWNER = { realm: 'corp', resolver: 'ldap1', userId: 'uid-1', login: 'alice' };

/** The tables and indexes every migrated store has, on SQLite and PostgreSQL alike (primary keys and SQLite's own left out). */
export const SCHEMA_TABLES = [
  'admin_accounts',
  'admin_sessions',
  'api_keys',
  'audit',
  'audit_recent',
  'challenge_tokens',
  'challenges',
  'delivery_sends',
  'enrollment_codes',
  'nas_learned',
  'schema_migrations',
  'store_meta',
  'throttle',
  'tokens',
  'user_sessions',
];
export const SCHEMA_INDEXES = [
  'admin_sessions_account',
  'admin_sessions_last_seen',
  'audit_at',
  'audit_serial',
  'audit_user',
  'challenge_tokens_serial',
  'challenges_expires',
  'challenges_seq',
  'challenges_user',
  'delivery_sends_sent_at',
  'delivery_sends_subject',
  'enrollment_codes_expires',
  'enrollment_codes_user',
  'throttle_last_failure',
  'tokens_owner',
  'tokens_owner_login',
  'user_sessions_last_seen',
  'user_sessions_user',
];
