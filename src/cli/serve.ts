// `otp-radius serve`: start, reload on SIGHUP, drain on SIGTERM/SIGINT; with
// several workers, a supervisor that forks them (see src/workers.ts).

import cluster from 'node:cluster';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, type Loaded } from '../config/load.ts';
import { createLogger } from '../server/logging.ts';
import { start, type Running } from '../server/start.ts';
import { openServices } from '../server/services.ts';
import { notifyReady } from '../server/systemd-notify.ts';
import { startCheckpointer } from '../store/index.ts';
import { ClusterMetrics } from '../server/metrics-cluster.ts';
import { buildInfoRegistry, runtimeRegistry } from '../server/process-metrics.ts';
import { EXIT_STORE_FAILED, isFailStopMessage, reportReady, supervise, workerExecArgv, workerSlot } from '../server/workers.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { CliError, EXIT_USAGE, reportError } from './errors.ts';

const USAGE = `usage: otp-radius serve [--config FILE] [--workers N] [--debug]
  Runs the server. --workers N runs N processes on the same port (default: the
  number of CPUs; 1 runs in this process). SIGHUP reloads clients, log level and
  users files; SIGTERM finishes requests in flight and exits 0. When an fsync of
  the SQLite WAL fails, the server answers the requests in flight and exits 74
  without closing the store, so that the next start recovers it.
  --debug: one process, human-readable log lines on the terminal, and for each
  request what it carried (passwords masked), the client, realm, user, each
  token tried and how its checks went, the decision and the answer (like
  radiusd -X).
`;

function invalidConfig(file: string, err: ConfigError): CliError {
  for (const p of err.problems) process.stderr.write(`${p}\n`);
  return new CliError(`${file}: invalid config, not started`);
}

export async function serve(args: string[]): Promise<number> {
  const { values } = parse('serve', args, { config: { type: 'string', short: 'c' }, workers: { type: 'string', short: 'w' }, debug: { type: 'boolean', short: 'X' } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  if (values.workers !== undefined && !/^[1-9]\d{0,2}$/.test(values.workers)) throw new CliError(`serve: --workers: expected a number from 1 to 999, got "${values.workers}"`, EXIT_USAGE);
  if (values.debug && values.workers !== undefined && values.workers !== '1') throw new CliError('serve: --debug runs one process: leave out --workers', EXIT_USAGE);
  if (values.debug) return serveHere(file, false, undefined, true);
  const slot = workerSlot();
  if (slot !== undefined) return serveWorker(file, slot);

  let workers = values.workers !== undefined ? Number(values.workers) : availableParallelism();
  if (workers > 1) {
    let loaded: Loaded;
    try {
      loaded = loadConfig(file);
    } catch (err) {
      if (err instanceof ConfigError) throw invalidConfig(file, err);
      throw err;
    }
    const logger = createLogger(loaded.config.log.level).child({ supervisor: true });
    if (loaded.config.listen.port === 0) {
      logger.warn('listen.port 0 picks a different port per process: serving with one worker');
      workers = 1;
    } else {
      await probePort(loaded.config.listen.address, loaded.config.listen.port);
      if (loaded.config.listen.accountingPort !== undefined) await probePort(loaded.config.listen.address, loaded.config.listen.accountingPort);
      // Create the key file, apply migrations and check resolvers once, before the workers race to.
      const services = await openServices(loaded.config, logger, { create: true });
      await services.close();
      cluster.setupPrimary({ silent: false, execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
      // The workers leave WAL checkpoints to this process (see store/sqlite/checkpointer.ts).
      let failStop: ((fields: Record<string, unknown>, message: string) => void) | undefined;
      const sqlitePath = 'sqlite' in loaded.config.store ? loaded.config.store.sqlite.path : undefined;
      const checkpointer = sqlitePath === undefined ? undefined : startCheckpointer(sqlitePath, logger);
      void checkpointer?.fatal.then((err) =>
        failStop?.(
          { store: sqlitePath, code: err.code, err: err.message },
          'WAL checkpoint failed with an I/O error: stopping every worker without closing the store, so that the next start recovers it from disk',
        ),
      );
      // A scrape of /metrics reaches one worker, which asks this process for the sum over all of them.
      const scraped = loaded.config.http?.listeners.some((l) => l.serve.includes('metrics')) ?? false;
      const metrics = scraped ? new ClusterMetrics([runtimeRegistry({ worker: 'supervisor' }), buildInfoRegistry()]) : undefined;
      const code = await supervise({ workers, logger, onStart: (f) => (failStop = f), ...(metrics ? { metrics } : {}), onReady: () => notifyReady(logger) });
      if (code === EXIT_STORE_FAILED) {
        // Not a close, and not a natural exit (better-sqlite3 closes open databases then): either would checkpoint the suspect WAL.
        checkpointer?.abandon();
        process.exit(code);
      }
      checkpointer?.stop();
      return code;
    }
  }
  return serveHere(file, false);
}

async function serveWorker(file: string, slot: number): Promise<number> {
  let code: number;
  try {
    code = await serveHere(file, true, slot);
  } catch (err) {
    code = reportError(err);
  }
  // The IPC channel to the supervisor would keep this process alive.
  process.exit(code);
}

/** Fails early, with one line, when another program holds the port: better than N workers failing. */
function probePort(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4', reusePort: true });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      reject(new CliError(`cannot listen on ${address}:${port}: ${err.code ?? err.message}`));
    });
    socket.bind({ port, address, exclusive: true }, () => socket.close(() => resolve()));
  });
}

async function serveHere(file: string, reusePort: boolean, workerId?: number, debug = false): Promise<number> {
  let running: Running;
  try {
    running = await start(file, {
      reusePort,
      ...(debug ? { debug } : {}),
      ...(workerId !== undefined ? { workerId } : {}),
      // A failed WAL fsync: start() has logged it and answered the requests in flight. Exit now, leaving the store
      // open (see StartOptions.onFatal); systemd (Restart=on-failure) restarts the service.
      onFatal: () => process.exit(EXIT_STORE_FAILED),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw invalidConfig(file, err);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new CliError(`cannot listen on ${(e as { address?: string }).address ?? ''}:${(e as { port?: number }).port ?? ''}: ${e.code}`);
    }
    throw err;
  }
  const r = running;
  // The supervisor's word that another worker's WAL fsync (or its own checkpoint) failed: stop the same way.
  if (workerId !== undefined) {
    process.on('message', (msg: unknown) => {
      if (isFailStopMessage(msg))
        void r.failStop({ reason: 'store failed in another process' }, 'stopping: the store failed in another process of this server; answering the requests in flight and exiting without closing it');
    });
  }
  reportReady();
  if (workerId === undefined) notifyReady(r.logger);
  process.on('SIGHUP', () => {
    void r.reload();
  });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      r.logger.info({ signal }, 'stopping: finishing requests in flight');
      r.stop().then(
        () => resolve(0),
        (err: unknown) => {
          r.logger.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
