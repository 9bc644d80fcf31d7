// Wiring: config -> store -> resolvers -> auth service -> servers. Also the
// process-level behaviour of `serve`: SIGHUP reloads, SIGTERM drains, a failed
// WAL fsync stops the servers for the caller to exit (StartOptions.onFatal).

import type { Logger } from 'pino';
import { withAudit } from './auth/audit.ts';
import type { Config } from './config/config.ts';
import { loadConfig } from './config/load.ts';
import { createAuditLogger, createLogger } from './logging.ts';
import { ClientTable } from './radius/clients.ts';
import { loadDictionaries } from './radius/codec.ts';
import { RadiusServer } from './radius/server.ts';
import { Metrics, withMetrics } from './http/metrics.ts';
import { HttpServer } from './http/server.ts';
import { openServices, reloadResolvers, type Services } from './services.ts';
import type { WalSyncError } from './store/index.ts';

export interface Running {
  config: Config;
  logger: Logger;
  radius: RadiusServer;
  /** The LinOTP-compatible HTTP API, when `http:` is configured. */
  http: HttpServer | undefined;
  services: Services;
  /** Re-read the config file: clients and log level change, file resolvers re-read their users; the rest needs a restart. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  reusePort?: boolean;
  /** Unix seconds; tests move the clock. */
  now?: () => number;
  /** Set in a worker of `serve --workers N`: its number, on every log line. */
  workerId?: number;
  /**
   * The store failed in a way only a new process recovers from: an fsync of
   * the SQLite WAL failed (store/wal-sync.ts). By the time this is called,
   * start() has logged it, stopped taking requests and sent the answers of
   * those that were in flight (rejects: the store refuses every write). The
   * store is left open on purpose: end the process now with process.exit and
   * a non-zero code. Closing the store, or a natural exit (better-sqlite3
   * closes open databases then), would checkpoint the suspect WAL into the
   * database file instead of leaving it to the next start's recovery.
   */
  onFatal?: (err: WalSyncError) => void;
}

export async function start(configFile: string, options: StartOptions = {}): Promise<Running> {
  const { config, warnings } = loadConfig(configFile);
  const base = options.logger ?? createLogger(config.log.level);
  const logger = options.workerId !== undefined ? base.child({ worker: options.workerId }) : base;
  for (const w of warnings) logger.warn({ config: config.file }, w);
  const audit = createAuditLogger(config.log, logger);
  loadDictionaries();

  const metrics = new Metrics(options.workerId !== undefined ? { worker: String(options.workerId) } : {});
  // Until the servers below run, a fatal store error is only kept (a write needs a request or the janitor, so none comes yet).
  let storeFailed: WalSyncError | undefined;
  let onStoreFatal = (err: WalSyncError): void => {
    storeFailed ??= err;
  };
  const services = await openServices(config, logger, {
    ...(options.now ? { now: options.now } : {}),
    onResolverError: (r) => metrics.resolverError(r),
    checkpointedElsewhere: options.workerId !== undefined,
    onStoreFatal: (err) => onStoreFatal(err),
  });
  // After a fatal store error a login is rejected at once, as the store would reject its writes (see failStop below).
  let storeFailing = false;
  let deciding = 0;
  const authenticate = withAudit(audit.logger, async (request) => {
    if (storeFailing) return services.auth.reject('store failed', { user: request.userName });
    deciding++;
    try {
      return await services.auth.authenticate(request);
    } finally {
      deciding--;
    }
  });

  let clients = new ClientTable(config.clients);
  const radius = new RadiusServer({ listen: config.listen, clients, handler: withMetrics(metrics, 'radius', authenticate), logger, reusePort: options.reusePort ?? false });
  metrics.setRadiusStats(() => radius.stats);
  const http = config.http
    ? new HttpServer({ config: config.http, handler: withMetrics(metrics, 'http', authenticate), clients: () => clients, health: () => services.health(), metrics, logger })
    : undefined;
  try {
    await radius.start();
    await http?.start();
  } catch (err) {
    await radius.stop(0);
    await services.close();
    throw err;
  }
  logger.info({ config: config.file, clients: config.clients.length, store: services.store.description, realms: Object.keys(config.realms), port: radius.port(), pid: process.pid }, options.workerId !== undefined ? 'worker started' : 'otp-radius started');

  // The challenge janitor: expired transactions go even when nobody opens new ones.
  const janitor = setInterval(() => {
    services.store.purgeChallenges(services.auth.now(), config.policy.maxChallengesPerToken).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'challenge janitor: purge failed'));
  }, 60_000);
  janitor.unref();

  // Both stop() and a fatal store error stop the servers, and RadiusServer.stop() is not made to run twice.
  let serversStopped: Promise<unknown> | undefined;
  const stopServers = (): Promise<unknown> => (serversStopped ??= Promise.all([radius.stop(), http?.stop()]));

  // Fail-stop: the logins in flight get their answers (rejects: the store refuses every write), the servers
  // stop, then the caller ends the process (StartOptions.onFatal). Nothing here closes the store.
  // RadiusServer.stop() is called only once no login is being decided: it closes its sockets in the very
  // turn the last request in flight settles, before that answer's send (dgram sends on a later tick) has
  // left, so the answers of those last requests would be lost. Logins arriving meanwhile are rejected at once.
  let failStopped: Promise<void> | undefined;
  onStoreFatal = (err) => {
    if (failStopped) return;
    storeFailing = true;
    logger.fatal({ wal: err.path, errno: err.errno, err: err.message }, 'WAL fsync failed: answering the requests in flight with reject and stopping, so that a new process reopens the store');
    clearInterval(janitor);
    failStopped = noneLeft(() => deciding, config.listen.shutdownGraceSeconds * 1000)
      .then(stopServers)
      .catch((stopErr: unknown) => logger.error({ err: stopErr }, 'error while stopping'))
      .then(() => options.onFatal?.(err));
  };
  if (storeFailed) onStoreFatal(storeFailed);

  let current = config;
  return {
    config,
    logger,
    radius,
    http,
    services,
    async reload() {
      // logrotate moves the audit file and sends SIGHUP: later lines go to a new file under the name,
      // whether or not the config reloads.
      try {
        audit.reopen();
      } catch (err) {
        logger.error({ file: config.log.audit, err: (err as Error).message }, 'could not reopen the audit file; audit events still go to the old one');
      }
      let next: Config;
      try {
        const loaded = loadConfig(configFile);
        next = loaded.config;
        for (const w of loaded.warnings) logger.warn({ config: next.file }, w);
      } catch (err) {
        logger.error({ config: configFile, problems: (err as Error).message.split('\n') }, 'config reload failed; keeping the running config');
        return;
      }
      clients = new ClientTable(next.clients);
      radius.setClients(clients);
      logger.level = next.log.level;
      if (JSON.stringify(next.listen) !== JSON.stringify(current.listen)) {
        logger.warn('listen settings changed; they take effect after a restart');
      }
      if (next.log.audit !== config.log.audit) logger.warn({ audit: config.log.audit }, 'log.audit changed; it takes effect after a restart');
      await reloadResolvers(services, logger);
      current = next;
      logger.info({ clients: next.clients.length, logLevel: next.log.level }, 'config reloaded');
    },
    async stop() {
      clearInterval(janitor);
      await stopServers();
      if (!failStopped) await services.close();
      // A failed WAL fsync (before, or in the store's last sync inside close()) leaves the store open: see StartOptions.onFatal.
      if (failStopped) return failStopped;
      logger.info('otp-radius stopped');
    },
  };
}

/**
 * Resolves at the start of an event-loop turn in which `count()` is 0, or
 * after `limitMs`: the answers of requests settled in earlier turns have been
 * handed to their sockets by then.
 */
function noneLeft(count: () => number, limitMs: number): Promise<void> {
  const deadline = performance.now() + limitMs;
  return new Promise((resolve) => {
    const check = (): void => {
      if (count() === 0 || performance.now() >= deadline) resolve();
      else setTimeout(check, 1);
    };
    setImmediate(check);
  });
}
