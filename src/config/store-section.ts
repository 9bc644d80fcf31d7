// Config section `store`: the embedded SQLite file by default, or one
// PostgreSQL database shared by several servers. Exactly one backend; the
// key file is used the same way by both (every server sharing a PostgreSQL
// database needs a copy of the same key file).

import { isMap, isScalar, type Node } from 'yaml';
import { readSecret, resolvePath } from './secret.ts';
import { INVALID, int, nodeAt, object, optional, str, withDefault, type Check } from './schema.ts';

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

export const DEFAULT_DB = 'data/otp-radius.db';
export const DEFAULT_KEY_FILE = 'data/otp-radius.key';
export const POSTGRES_CONFIG_DEFAULTS = { pool: { max: 10, idleTimeoutMs: 30_000, connectionTimeoutMs: 5000 }, statementTimeoutMs: 5000 };

const postgresShape = object({
  url: optional(str()),
  urlFile: optional(str({ nonEmpty: true })),
  pool: withDefault(
    object({
      max: withDefault(int({ min: 1, max: 1000 }), POSTGRES_CONFIG_DEFAULTS.pool.max),
      idleTimeoutMs: withDefault(int({ min: 0, max: 86_400_000 }), POSTGRES_CONFIG_DEFAULTS.pool.idleTimeoutMs),
      connectionTimeoutMs: withDefault(int({ min: 1, max: 600_000 }), POSTGRES_CONFIG_DEFAULTS.pool.connectionTimeoutMs),
    }),
    POSTGRES_CONFIG_DEFAULTS.pool,
  ),
  statementTimeoutMs: withDefault(int({ min: 0, max: 3_600_000 }), POSTGRES_CONFIG_DEFAULTS.statementTimeoutMs),
});

const postgresSection: Check<PostgresStoreConfig['postgres']> = (node, ctx, path) => {
  const v = postgresShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const urlNode: Node | undefined = nodeAt(node, ['url']);
  const url = readSecret(
    { inline: v.url, file: v.urlFile },
    { inline: urlNode, file: nodeAt(node, ['urlFile']), parent: node },
    ctx,
    { inline: `${path}.url`, file: `${path}.urlFile` },
    true,
  );
  if (url === INVALID || url === undefined) return INVALID;
  // The URL usually holds a password: messages show the scheme at most.
  const at = v.urlFile !== undefined ? nodeAt(node, ['urlFile']) : urlNode;
  const atPath = v.urlFile !== undefined ? `${path}.urlFile` : `${path}.url`;
  if (!/^postgres(ql)?:\/\//.test(url)) {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    ctx.error(at, atPath, `expected a URL postgres://[user[:password]@]host[:port]/database, got ${scheme ? `a ${scheme} URL` : 'something else'}`);
    return INVALID;
  }
  try {
    new URL(url);
  } catch {
    ctx.error(at, atPath, 'not a valid URL (percent-encode special characters in the user name and password)');
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
  sqlite: optional(object({
    path: withDefault(str({ nonEmpty: true }), DEFAULT_DB),
    busyTimeoutMs: withDefault(int({ min: 0, max: 600_000 }), 5000),
  })),
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
  const sqlite = 'sqlite' in v && v.sqlite ? v.sqlite : { path: DEFAULT_DB, busyTimeoutMs: 5000 };
  return { sqlite: { path: resolvePath(ctx, sqlite.path), busyTimeoutMs: sqlite.busyTimeoutMs }, keyFile };
};
