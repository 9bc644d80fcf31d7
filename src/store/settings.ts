// What a deployment may tune on the store: each default and allowed range is
// written here once, so the backends that check their options and the config
// section that reads the `store:` keys cannot drift apart.

import { checkInt } from './validate.ts';

/** A whole-number setting: its default and the range it must lie in. */
export interface Setting {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** The SQLite file when the config names none; relative to the config file's folder. */
export const DEFAULT_DB_PATH = 'data/otp-radius.db';
/** The key file when the config names none; relative to the config file's folder. */
export const DEFAULT_KEY_FILE = 'data/otp-radius.key';

export const SQLITE_SETTINGS = {
  /** How long to wait for another process's write lock, in ms. */
  busyTimeoutMs: { default: 5000, min: 0, max: 600_000 },
} as const satisfies Record<string, Setting>;

export const POSTGRES_SETTINGS = {
  pool: {
    /** Connections per process. */
    max: { default: 10, min: 1, max: 1000 },
    /** Close a connection idle this long, in ms. */
    idleTimeoutMs: { default: 30_000, min: 0, max: 86_400_000 },
    /** Give up connecting after this long, in ms, so a dead database fails requests fast. */
    connectionTimeoutMs: { default: 5000, min: 1, max: 600_000 },
  },
  /** Server-side limit per statement in ms (0 = none); the client gives up a second later. */
  statementTimeoutMs: { default: 5000, min: 0, max: 3_600_000 },
} as const satisfies { pool: Record<string, Setting>; statementTimeoutMs: Setting };

/** `value`, or the setting's default when it is absent, checked against the setting's range. */
export function setting(value: number | undefined, s: Setting, what: string): number {
  return checkInt(value ?? s.default, what, s.min, s.max);
}

/** The defaults of a group of settings, e.g. the whole pool when the config gives none of it. */
export function defaultsOf<K extends string>(group: Readonly<Record<K, Setting>>): Record<K, number> {
  return Object.fromEntries(Object.entries<Setting>(group).map(([k, s]) => [k, s.default])) as Record<K, number>;
}
