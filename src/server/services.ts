// The pieces below the front ends, opened from a config: the token store, the
// resolvers and realms, and the authentication service over them. `serve`
// and the CLI commands open the same thing, so `check` decides like RADIUS.

import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AdminContext } from '../auth/admin.ts';
import { teeAuditSink } from '../auth/audit.ts';
import { tableAuditSink } from '../auth/audit-table-sink.ts';
import { createAuthContext, type DeliveryDeps, type DeliveryOutcome } from '../auth/context.ts';
import { AuthService } from '../auth/service.ts';
import type { AuditSink } from '../model/audit.ts';
import type { Config } from '../config/config.ts';
import { createDelivery, StoreDeliveryLimiter } from '../delivery/index.ts';
import { openStore, type KeyedTokenStore } from '../store/index.ts';
import { createResolver, Realms, type UserResolver } from '../users/index.ts';

export interface Services {
  config: Config;
  store: KeyedTokenStore;
  resolvers: Map<string, UserResolver>;
  realms: Realms;
  auth: AuthService;
  /** What the admin operations (auth/admin.ts) run with. */
  admin: AdminContext;
  /** Store and resolvers answer (for /healthz). */
  health(): Promise<{ ok: boolean; checks: Record<string, { ok: boolean; error?: string }> }>;
  close(): Promise<void>;
}

export interface ServiceHooks {
  /**
   * The audit log (file, stdout or stderr), or none: audit events go there
   * and, with `audit.table` on, to the store's audit table.
   */
  auditLog?: AuditSink;
  now?: () => number;
  onResolverError?: (resolver: string) => void;
  /** Every attempted send of an e-mail or SMS code (metrics). */
  onDelivery?: (outcome: DeliveryOutcome) => void;
  /** A worker of `serve --workers N`: its supervisor checkpoints the SQLite store. */
  checkpointedElsewhere?: boolean;
  /**
   * Create the store and its key file when they do not exist: `serve` does
   * (its first start). Default false: the admin commands refuse a missing
   * store with one line naming it rather than make an empty one elsewhere.
   */
  create?: boolean;
}

export async function openServices(config: Config, logger: Logger, allHooks: ServiceHooks): Promise<Services> {
  const { auditLog, checkpointedElsewhere, create, ...hooks } = allHooks;
  const keyFileExisted = existsSync(config.store.keyFile);
  const store = await openStore({
    ...config.store,
    create: create ?? false,
    logger: logger.child({ store: true }),
    ...(checkpointedElsewhere ? { checkpointedElsewhere: true } : {}),
  });
  if (!keyFileExisted) logger.warn({ keyFile: config.store.keyFile }, `created the key file ${config.store.keyFile}: back it up; without it the token seeds in the store cannot be decrypted`);
  const resolvers = new Map<string, UserResolver>();
  let delivery: DeliveryDeps | undefined;
  try {
    for (const [name, options] of Object.entries(config.resolvers)) resolvers.set(name, await createResolver(name, options, { logger: logger.child({ resolver: name }) }));
    const realms = new Realms(config.realms, resolvers);
    delivery = config.delivery ? deliveryOf(config.delivery, store) : undefined;
    const context = createAuthContext({ store, users: realms, pins: store.pins, policy: config.policy, replyRules: config.reply, logger, ...(delivery ? { delivery } : {}), ...hooks });
    const auth = new AuthService(context);
    const sinks = [...(auditLog ? [auditLog] : []), ...(config.audit.table ? [tableAuditSink(store.audit, logger.child({ audit: 'table' }))] : [])];
    const audit = teeAuditSink(...sinks);
    const secrets = { hash: (p: string) => store.passwords.hash(p), verify: (p: string, h: string | null) => store.passwords.verify(p, h), digest: (s: string) => store.digest(s) };
    return {
      config,
      store,
      resolvers,
      realms,
      auth,
      admin: { auth: context, tokenDefaults: config.tokenDefaults, audit, secrets, policy: config.admin },
      async health() {
        const checks: Record<string, { ok: boolean; error?: string }> = {};
        const probe = async (name: string, run: () => Promise<unknown>): Promise<void> => {
          try {
            await withTimeout(run(), 5000);
            checks[name] = { ok: true };
          } catch (err) {
            checks[name] = { ok: false, error: (err as Error).message };
          }
        };
        await Promise.all([probe('store', () => store.ping()), ...[...resolvers.values()].map((r) => probe(`resolver:${r.name}`, () => r.listUsers(undefined, 1)))]);
        return { ok: Object.values(checks).every((c) => c.ok), checks };
      },
      async close() {
        // The audit events of the last requests go into the store before it closes.
        await audit.flush();
        await delivery?.sender.close().catch(() => undefined);
        for (const r of resolvers.values()) await r.close().catch(() => undefined);
        await store.close();
      },
    };
  } catch (err) {
    await delivery?.sender.close().catch(() => undefined);
    for (const r of resolvers.values()) await r.close().catch(() => undefined);
    await store.close();
    throw err;
  }
}

/** The senders the config asks for, over rate limits kept in the store (shared by every worker and server). */
function deliveryOf(options: NonNullable<Config['delivery']>, store: KeyedTokenStore): DeliveryDeps {
  return { sender: createDelivery(options), limiter: new StoreDeliveryLimiter(store, options.limits), resendIntervalSeconds: options.limits.resendIntervalMs / 1000 };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** SIGHUP: resolvers that read files (users.yaml) pick up edits without a restart. */
export async function reloadResolvers(services: Services, logger: Logger): Promise<void> {
  for (const r of services.resolvers.values()) {
    const reloadable = r as UserResolver & { reload?: () => Promise<void> };
    if (typeof reloadable.reload !== 'function') continue;
    try {
      await reloadable.reload();
    } catch (err) {
      logger.error({ resolver: r.name, err: (err as Error).message }, 'resolver reload failed; keeping the users it had');
    }
  }
}
