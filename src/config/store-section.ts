// Config section `store`: the embedded SQLite file by default, or one
// PostgreSQL database shared by several servers. Exactly one backend; the
// key file is used the same way by both (every server sharing a PostgreSQL
// database needs a copy of the same key file).

import { isMap, isScalar, type Node } from 'yaml';
import { postgresUrlProblem, POSTGRES_URL_FORM, URL_SYNTAX_PROBLEM } from '../store/postgres/url.ts';
import { DEFAULT_DB_PATH, DEFAULT_KEY_FILE, defaultsOf, POSTGRES_SETTINGS, SQLITE_SETTINGS, type Setting } from '../store/settings.ts';
import { readSecret, resolvePath } from './secret.ts';
import { INVALID, int, nodeAt, object, optional, str, withDefault, type Check } from './schema.ts';

export { DEFAULT_KEY_FILE };

export interface SqliteStoreConfig {
  sqlite: { path: string; busyTimeoutMs: number };
  /** AES-256-GCM key for seeds and the PIN pepper; created on first start when absent. */
  keyFile: string;
}

export interface PostgresStoreConfig {
  postgres: {
    /** Connection URL, password included; from `url` (with `${env:NAME}`) or `urlFile`. */
    url: string;
    pool: { max: number; idleTimeoutMs: number; connectionTimeoutMs: number };
    statementTimeoutMs: number;
  };
  keyFile: string;
}

export type StoreConfig = SqliteStoreConfig | PostgresStoreConfig;

/** A whole number within the store's range for it, its default when absent. */
function setting(s: Setting): Check<number> {
  return withDefault(int(s), s.default);
}

const { pool } = POSTGRES_SETTINGS;
const postgresShape = object({
  url: optional(str()),
  urlFile: optional(str({ nonEmpty: true })),
  pool: withDefault(object({ max: setting(pool.max), idleTimeoutMs: setting(pool.idleTimeoutMs), connectionTimeoutMs: setting(pool.connectionTimeoutMs) }), defaultsOf(pool)),
  statementTimeoutMs: setting(POSTGRES_SETTINGS.statementTimeoutMs),
});

const postgresSection: Check<PostgresStoreConfig['postgres']> = (node, ctx, path) => {
  const v = postgresShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const urlNode: Node | undefined = nodeAt(node, ['url']);
  const url = readSecret({ inline: v.url, file: v.urlFile }, { inline: urlNode, file: nodeAt(node, ['urlFile']), parent: node }, ctx, { inline: `${path}.url`, file: `${path}.urlFile` }, true);
  if (url === INVALID || url === undefined) return INVALID;
  // The URL usually holds a password: messages show the scheme at most.
  const at = v.urlFile !== undefined ? nodeAt(node, ['urlFile']) : urlNode;
  const atPath = v.urlFile !== undefined ? `${path}.urlFile` : `${path}.url`;
  const problem = postgresUrlProblem(url);
  if (problem === 'scheme') {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    ctx.error(at, atPath, `expected a URL ${POSTGRES_URL_FORM}, got ${scheme ? `a ${scheme} URL` : 'something else'}`);
    return INVALID;
  }
  if (problem === 'syntax') {
    ctx.error(at, atPath, URL_SYNTAX_PROBLEM);
    return INVALID;
  }
  return { url, pool: v.pool, statementTimeoutMs: v.statementTimeoutMs };
};

/** The key itself (`postgres:`), for errors about the key rather than its value. */
function keyNode(node: Node | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => isScalar(p.key) && p.key.value === key)?.key as Node | undefined;
}

const shape = object({
  sqlite: optional(
    object({
      path: withDefault(str({ nonEmpty: true }), DEFAULT_DB_PATH),
      busyTimeoutMs: setting(SQLITE_SETTINGS.busyTimeoutMs),
    }),
  ),
  postgres: optional(postgresSection),
  keyFile: withDefault(str({ nonEmpty: true }), DEFAULT_KEY_FILE),
});

export const storeSection: Check<StoreConfig> = (node, ctx, path) => {
  const v = node === undefined ? { keyFile: DEFAULT_KEY_FILE } : shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const keyFile = resolvePath(ctx, v.keyFile);
  if ('postgres' in v && v.postgres) {
    if ('sqlite' in v && v.sqlite) {
      ctx.error(keyNode(node, 'postgres'), `${path}.postgres`, `give either ${path}.sqlite or ${path}.postgres, not both`);
      return INVALID;
    }
    return { postgres: v.postgres, keyFile };
  }
  const sqlite = 'sqlite' in v && v.sqlite ? v.sqlite : { path: DEFAULT_DB_PATH, ...defaultsOf(SQLITE_SETTINGS) };
  return { sqlite: { path: resolvePath(ctx, sqlite.path), busyTimeoutMs: sqlite.busyTimeoutMs }, keyFile };
};
