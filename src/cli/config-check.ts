// `otp-radius config check [FILE]`: the start-up validation, without starting.

import { ConfigError, loadConfig } from '../config/load.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';

export async function configCheck(args: string[]): Promise<number> {
  const { values, positionals } = parse('config check', args, { config: { type: 'string', short: 'c' } }, 1);
  if (values.help) {
    process.stdout.write('usage: otp-radius config check [FILE]\n');
    return 0;
  }
  const file = positionals[0] ?? values.config ?? DEFAULT_CONFIG;
  try {
    const { config, warnings } = loadConfig(file);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`${file}: OK (${config.clients.length} client${config.clients.length === 1 ? '' : 's'})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${p}\n`);
    return 1;
  }
}
