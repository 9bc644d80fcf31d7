// Wiring: config -> store -> resolvers -> auth service -> servers. Also the
// process-level behaviour of `serve`: SIGHUP reloads, SIGTERM drains.

import type { Logger } from 'pino';
import { withAudit } from './auth/audit.ts';
import { reject } from './auth/decision.ts';
import type { AccessHandler } from './auth/request.ts';
import type { Config } from './config/config.ts';
import { loadConfig } from './config/load.ts';
import { createAuditLogger, createLogger } from './logging.ts';
import { ClientTable } from './radius/clients.ts';
import { loadDictionaries } from './radius/codec.ts';
import { RadiusServer } from './radius/server.ts';

export interface Running {
  config: Config;
  logger: Logger;
  radius: RadiusServer;
  /** Re-read the config file: clients and log level change, the rest needs a restart. */
  reload(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  reusePort?: boolean;
}

export async function start(configFile: string, options: StartOptions = {}): Promise<Running> {
  const { config, warnings } = loadConfig(configFile);
  const logger = options.logger ?? createLogger(config.log.level);
  for (const w of warnings) logger.warn({ config: config.file }, w);
  const audit = createAuditLogger(config.log, logger);
  loadDictionaries();

  // Replaced by the authentication service (token issue): every user is rejected until then.
  const backend: AccessHandler = async () => reject('no authentication backend configured');
  const handler = withAudit(audit, backend);

  const radius = new RadiusServer({ listen: config.listen, clients: new ClientTable(config.clients), handler, logger, reusePort: options.reusePort ?? false });
  await radius.start();
  logger.info({ config: config.file, clients: config.clients.length }, 'otp-radius started');

  let current = config;
  return {
    config,
    logger,
    radius,
    reload() {
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
      current = next;
      logger.info({ clients: next.clients.length, logLevel: next.log.level }, 'config reloaded');
    },
    async stop() {
      await radius.stop();
      logger.info('otp-radius stopped');
    },
  };
}
