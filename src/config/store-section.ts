// Config section `store`: the embedded SQLite file by default; PostgreSQL
// for several servers sharing tokens slots in beside it.

import { resolvePath } from './secret.ts';
import { INVALID, int, object, optional, str, withDefault, type Check } from './schema.ts';

export interface StoreConfig {
  sqlite: { path: string; busyTimeoutMs: number };
  /** AES-256-GCM key for seeds and the PIN pepper; created on first start when absent. */
  keyFile: string;
}

export const DEFAULT_DB = 'data/otp-radius.db';
export const DEFAULT_KEY_FILE = 'data/otp-radius.key';

const shape = object({
  sqlite: optional(object({
    path: withDefault(str({ nonEmpty: true }), DEFAULT_DB),
    busyTimeoutMs: withDefault(int({ min: 0, max: 600_000 }), 5000),
  })),
  keyFile: withDefault(str({ nonEmpty: true }), DEFAULT_KEY_FILE),
});

export const storeSection: Check<StoreConfig> = (node, ctx, path) => {
  const v = node === undefined ? { keyFile: DEFAULT_KEY_FILE } : shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const sqlite = 'sqlite' in v && v.sqlite ? v.sqlite : { path: DEFAULT_DB, busyTimeoutMs: 5000 };
  return { sqlite: { path: resolvePath(ctx, sqlite.path), busyTimeoutMs: sqlite.busyTimeoutMs }, keyFile: resolvePath(ctx, v.keyFile) };
};
