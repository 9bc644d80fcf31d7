// Wiring: config -> store -> resolvers -> auth service -> servers. Also the
// process-level behaviour of `serve`: SIGHUP reloads, SIGTERM drains, a failed
// WAL fsync stops the servers for the caller to exit (StartOptions.onFatal).

import type { Logger } from 'pino';
import { authEvent, logAuditSink, withAudit } from '../auth/audit.ts';
import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';
import { LIMIT_WINDOW_MS } from '../delivery/index.ts';
import { createEapHook } from '../eap/radius-hook.ts';
import { EapService } from '../eap/service.ts';
import { createAuditLogger, createLogger, defaultDestination } from './logging.ts';
import { traced } from '../auth/trace.ts';
import type { AccessRequest } from '../model/access-request.ts';
import type { Decision } from '../model/decision.ts';
import { ClientTable } from '../radius/clients.ts';
import { loadDictionaries } from '../radius/codec.ts';
import { RadiusServer } from '../radius/server.ts';
import { RadsecClientTable } from '../radius/radsec-clients.ts';
import { radsecBinding } from '../radius/radsec-options.ts';
import { RadsecServer } from '../radius/radsec-server.ts';
import { Metrics, withMetrics } from './metrics.ts';
import type { HttpListeners } from '../http/listeners.ts';
import { sharedLearnedClients } from './learned-clients.ts';
import { openServices, reloadResolvers, type Services } from './services.ts';

/** The audit table is purged this often; rows past their retention wait at most this long. */
const AUDIT_PURGE_INTERVAL_MS = 3_600_000;
/** Appended audit rows move into the indexed table this often (see store AuditTable): seldom enough that a move takes many rows. */
const AUDIT_SETTLE_INTERVAL_MS = 10_000;

export interface Running {
  config: Config;
  logger: Logger;
  radius: RadiusServer;
  /** The RadSec (RADIUS over TLS) listener, when `listen.radsec` is configured. */
  radsec: RadsecServer | undefined;
  /** The HTTP listeners (validate API, health, metrics), when `http:` is configured. */
  http: HttpListeners | undefined;
  services: Services;
  /** Re-read the config file: clients and log level change, file resolvers re-read their users; the rest needs a restart. */
  reload(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Stops as after a failed WAL fsync of this process's own (see
   * StartOptions.onFatal), for one that another process sharing the store saw:
   * logs `message` as fatal, answers the requests in flight, stops the
   * servers, leaves the store open and calls onFatal.
   */
  failStop(fields: Record<string, unknown>, message: string): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  reusePort?: boolean;
  /** Unix seconds; tests move the clock. */
  now?: () => number;
  /** Set in a worker of `serve --workers N`: its number, on every log line. */
  workerId?: number;
  /** `serve --debug`: debug level whatever the config says (each step of each decision), human-readable lines. */
  debug?: boolean;
  /**
   * The store failed in a way only a new process recovers from: an fsync of
   * the SQLite WAL failed (the store's `fatal`), here or, told by failStop(), in
   * another process sharing the store. By the time this is called, start()
   * has logged it, stopped taking requests (new packets are dropped, so the
   * NAS fails over) and sent the answers of those that were in flight
   * (rejects: the store refuses every write). The store is left open on
   * purpose: end the process now with process.exit and a non-zero code.
   * Closing the store, or a natural exit (better-sqlite3 closes open
   * databases then), would checkpoint the suspect WAL into the database file
   * instead of leaving it to the next start's recovery.
   */
  onFatal?: () => void;
}

export async function start(configFile: string, options: StartOptions = {}): Promise<Running> {
  const { config, warnings } = loadConfig(configFile);
  const base = options.logger ?? createLogger(options.debug ? 'debug' : config.log.level, options.debug ? defaultDestination(true) : undefined);
  const logger = options.workerId !== undefined ? base.child({ worker: options.workerId }) : base;
  for (const w of warnings) logger.warn({ config: config.file }, w);
  const audit = createAuditLogger(config.log, logger);
  loadDictionaries();

  const metrics = new Metrics();
  const services = await openServices(config, logger, {
    auditLog: logAuditSink(audit.logger),
    ...(options.now ? { now: options.now } : {}),
    onResolverError: (r) => metrics.resolverError(r),
    onDelivery: (d) => metrics.delivery(d.channel, d.outcome),
    checkpointedElsewhere: options.workerId !== undefined,
    create: true,
  });
  const auditSink = services.admin.audit;
  // At debug level every step of a decision is logged under the request's id (serve --debug).
  const decide = (request: AccessRequest): Promise<Decision> =>
    logger.isLevelEnabled('debug') ? traced(logger, request.id ?? request.userName, () => services.auth.authenticate(request)) : services.auth.authenticate(request);
  const authenticate = withAudit(auditSink, decide);

  let clients = new ClientTable(config.clients);
  const radiusHandler = withMetrics(metrics, 'radius', authenticate);
  // EAP hook: TTLS/PEAP conversations whose inner logins take the PAP path (radiusHandler).
  const eap = config.eap ? new EapService(config.eap, logger.child({ eap: true })) : undefined;
  const eapHook = eap && createEapHook(eap, radiusHandler, { auditResumed: (request, decision) => auditSink.write(authEvent(request, decision, 0)) });
  const learned = await sharedLearnedClients(services.store, logger, () => services.admin.auth.now());
  const radius = new RadiusServer({ listen: config.listen, clients, handler: radiusHandler, logger, learned, reusePort: options.reusePort ?? false, ...(eapHook ? { eap: eapHook } : {}) });
  metrics.setRadiusStats(() => radius.stats);
  const radsecOptions = config.listen.radsec;
  const radsec = radsecOptions
    ? new RadsecServer({
        listen: radsecOptions,
        clients: new RadsecClientTable(config.radsecClients),
        handler: radiusHandler,
        logger,
        learned,
        duplicateCacheSeconds: config.listen.duplicateCacheSeconds,
        shutdownGraceSeconds: config.listen.shutdownGraceSeconds,
        ...(eapHook ? { eap: eapHook } : {}),
      })
    : undefined;
  if (radsec) metrics.setRadsecStats(() => radsec);
  // The HTTP stack (Fastify, the APIs, the pages) is loaded only where a listener needs it, which keeps it out of the memory of RADIUS-only workers.
  let routes: { close(): void } | undefined;
  let http: HttpListeners | undefined;
  if (config.http) {
    const [{ httpRoutes }, { HttpListeners }] = await Promise.all([import('./http-routes.ts'), import('../http/listeners.ts')]);
    const wired = httpRoutes({
      config: config.http,
      handler: withMetrics(metrics, 'http', authenticate),
      clients: () => clients,
      services,
      metrics,
      logger,
      ...(options.workerId !== undefined ? { workerId: options.workerId } : {}),
    });
    routes = wired;
    http = new HttpListeners(config.http, wired.routes, { logger, onRefused: (cause) => metrics.httpRefused(cause) });
  }
  try {
    await radius.start();
    await radsec?.start();
    await http?.start();
  } catch (err) {
    await radius.stop(0);
    await radsec?.stop(0);
    routes?.close();
    eap?.close();
    await services.close();
    throw err;
  }
  logger.info(
    {
      config: config.file,
      clients: config.clients.length + config.radsecClients.length,
      store: services.store.description,
      realms: Object.keys(config.realms),
      port: radius.port(),
      ...(radsec ? { radsecPort: radsec.port() } : {}),
      pid: process.pid,
    },
    options.workerId !== undefined ? 'worker started' : 'otp-radius started',
  );

  // The janitor: expired challenges, throttles that have started over, ended admin and user sessions, old
  // enrollment codes and audit rows past their retention go even when no request touches them.
  let auditPurgedAt = -Infinity;
  const janitor = setInterval(() => {
    const now = services.admin.auth.now();
    const { sessionIdleSeconds, sessionMaxSeconds } = config.admin;
    services.store.admins.purgeSessions(now - sessionIdleSeconds, now - sessionMaxSeconds).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: session purge failed'));
    const self = config.selfService;
    services.store.selfService
      .purgeSessions(now - self.sessionIdleSeconds, now - self.sessionMaxSeconds)
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: user session purge failed'));
    // Used and expired enrollment codes are kept a day, for an admin asking why a code did not work.
    services.store.selfService.purgeEnrollmentCodes(now - 86_400).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: enrollment code purge failed'));
    if (config.audit.table && Date.now() - auditPurgedAt >= AUDIT_PURGE_INTERVAL_MS) {
      auditPurgedAt = Date.now();
      services.store.audit
        .purge(Date.now() - config.audit.retentionDays * 86_400_000)
        .then((removed) => removed > 0 && logger.info({ removed, retentionDays: config.audit.retentionDays }, 'janitor: audit rows past their retention purged'))
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: audit purge failed'));
    }
    services.store.purgeChallenges(now, config.policy.maxChallengesPerToken).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: challenge purge failed'));
    const { throttle } = config.policy;
    if (throttle) services.store.purgeThrottles(now - throttle.resetAfterSeconds).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: throttle purge failed'));
    learned.refresh().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: could not read the clients that send Message-Authenticator'));
    if (config.delivery) services.store.purgeSends(Date.now() - LIMIT_WINDOW_MS).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'janitor: purge of old code sends failed'));
  }, 60_000);
  janitor.unref();

  let settling = false;
  const settler = setInterval(() => {
    if (settling || !config.audit.table) return;
    settling = true;
    services.store.audit
      .settle()
      .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'audit rows could not be moved into the indexed table; they stay readable and are tried again'))
      .finally(() => (settling = false));
  }, AUDIT_SETTLE_INTERVAL_MS);
  settler.unref();

  // Both stop() and a fatal store error stop the servers, and RadiusServer.stop() is not made to run twice.
  let serversStopped: Promise<unknown> | undefined;
  const stopServers = (): Promise<unknown> => (serversStopped ??= Promise.all([radius.stop(), radsec?.stop(), http?.stop()]));

  // Fail-stop: the servers stop at once (a packet that arrives now is dropped, so the NAS asks its other
  // server), the logins in flight get their answers (rejects: the store refuses every write), then the caller
  // ends the process (StartOptions.onFatal). Nothing here closes the store.
  let failStopped: Promise<void> | undefined;
  const failStop = (fields: Record<string, unknown>, message: string): Promise<void> => {
    if (!failStopped) {
      logger.fatal(fields, message);
      clearInterval(janitor);
      clearInterval(settler);
      failStopped = stopServers()
        .catch((stopErr: unknown) => logger.error({ err: stopErr }, 'error while stopping'))
        .then(() => options.onFatal?.());
    }
    return failStopped;
  };
  // The store's fatal failure fail-stops the server; one that came earlier is kept by the promise.
  void services.store.fatal.then((err) =>
    failStop({ wal: err.path, errno: err.errno, err: err.message }, 'WAL fsync failed: answering the requests in flight with reject and stopping, so that a new process reopens the store'),
  );

  let current = config;
  return {
    config,
    logger,
    radius,
    radsec,
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
      radsec?.setClients(new RadsecClientTable(next.radsecClients));
      if (!options.debug) logger.level = next.log.level;
      // RadSec: new certificates (and CA) for the connections from now on; the rest of listen needs a restart.
      if (radsec && next.listen.radsec) radsec.reload(next.listen.radsec);
      const binding = (l: Config['listen']): string => JSON.stringify({ ...l, radsec: radsecBinding(l.radsec) });
      if (binding(next.listen) !== binding(current.listen)) {
        logger.warn('listen settings changed; they take effect after a restart');
      }
      if (next.log.audit !== config.log.audit) logger.warn({ audit: config.log.audit }, 'log.audit changed; it takes effect after a restart');
      // EAP hook: new certificate files for the conversations that start from now on.
      if (eap && next.eap) eap.reload(next.eap);
      else if (Boolean(next.eap) !== Boolean(config.eap)) logger.warn('eap turned on or off; it takes effect after a restart');
      // HTTP listeners: new certificates (setSecureContext) and allow lists for those that keep their socket.
      if (http) http.reload(next.http);
      else if (next.http) logger.warn('http turned on; it takes effect after a restart');
      await reloadResolvers(services, logger);
      current = next;
      logger.info({ clients: next.clients.length + next.radsecClients.length, logLevel: next.log.level }, 'config reloaded');
    },
    async stop() {
      clearInterval(janitor);
      clearInterval(settler);
      await stopServers();
      routes?.close();
      eap?.close();
      learned.close();
      if (!failStopped) await services.close();
      // A failed WAL fsync (before, or in the store's last sync inside close()) leaves the store open: see StartOptions.onFatal.
      if (failStopped) return failStopped;
      logger.info('otp-radius stopped');
    },
    failStop,
  };
}
