// `otp-radius serve`: start, reload on SIGHUP, drain on SIGTERM/SIGINT.

import { ConfigError } from '../config/load.ts';
import { start } from '../main.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { CliError } from './errors.ts';

export async function serve(args: string[]): Promise<number> {
  const { values } = parse('serve', args, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    process.stdout.write('usage: otp-radius serve [--config FILE]\n  Runs the server. SIGHUP reloads clients and log level; SIGTERM finishes requests in flight and exits.\n');
    return 0;
  }
  const file = values.config ?? DEFAULT_CONFIG;
  let running;
  try {
    running = await start(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`${p}\n`);
      throw new CliError(`${file}: invalid config, not started`);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new CliError(`cannot listen on ${(e as { address?: string }).address ?? ''}:${(e as { port?: number }).port ?? ''}: ${e.code}`);
    }
    throw err;
  }
  const r = running;
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
