// Wiring: config -> store -> resolvers -> auth service -> servers. Also the
// process-level behaviour of `serve`: SIGHUP reloads, SIGTERM drains.

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
}

export async function start(configFile: string, options: StartOptions = {}): Promise<Running> {
  const { config, warnings } = loadConfig(configFile);
  const base = options.logger ?? createLogger(config.log.level);
  const logger = options.workerId !== undefined ? base.child({ worker: options.workerId }) : base;
  for (const w of warnings) logger.warn({ config: config.file }, w);
  const audit = createAuditLogger(config.log, logger);
  loadDictionaries();

  const metrics = new Metrics(options.workerId !== undefined ? { worker: String(options.workerId) } : {});
  const services = await openServices(config, logger, {
    ...(options.now ? { now: options.now } : {}),
    onResolverError: (r) => metrics.resolverError(r),
    checkpointedElsewhere: options.workerId !== undefined,
  });
  const authenticate = withAudit(audit.logger, (request) => services.auth.authenticate(request));

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
      await Promise.all([radius.stop(), http?.stop()]);
      await services.close();
      logger.info('otp-radius stopped');
    },
  };
}
