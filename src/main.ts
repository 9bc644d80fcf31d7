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
import { openServices, reloadResolvers, type Services } from './services.ts';

export interface Running {
  config: Config;
  logger: Logger;
  radius: RadiusServer;
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

  const services = await openServices(config, logger, options.now);
  const handler = withAudit(audit, (request) => services.auth.authenticate(request));

  const radius = new RadiusServer({ listen: config.listen, clients: new ClientTable(config.clients), handler, logger, reusePort: options.reusePort ?? false });
  try {
    await radius.start();
  } catch (err) {
    await services.close();
    throw err;
  }
  logger.info({ config: config.file, clients: config.clients.length, store: services.store.description, realms: Object.keys(config.realms), port: radius.port(), pid: process.pid }, options.workerId !== undefined ? 'worker started' : 'otp-radius started');

  let current = config;
  return {
    config,
    logger,
    radius,
    services,
    async reload() {
      let next: Config;
      try {
        const loaded = loadConfig(configFile);
        next = loaded.config;
        for (const w of loaded.warnings) logger.warn({ config: next.file }, w);
      } catch (err) {
        logger.error({ config: configFile, problems: (err as Error).message.split('\n') }, 'config reload failed; keeping the running config');
        return;
      }
      radius.setClients(new ClientTable(next.clients));
      logger.level = next.log.level;
      if (JSON.stringify(next.listen) !== JSON.stringify(current.listen)) {
        logger.warn('listen settings changed; they take effect after a restart');
      }
      await reloadResolvers(services, logger);
      current = next;
      logger.info({ clients: next.clients.length, logLevel: next.log.level }, 'config reloaded');
    },
    async stop() {
      await radius.stop();
      await services.close();
      logger.info('otp-radius stopped');
    },
  };
}
