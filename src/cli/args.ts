// Argument parsing over node:util's parseArgs, with our error style.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT_USAGE } from './errors.ts';

export const DEFAULT_CONFIG = process.env.OTP_RADIUS_CONFIG ?? 'config/otp-radius.yaml';

type Options = NonNullable<ParseArgsConfig['options']>;

export type Subcommand = (args: string[]) => Promise<number>;

/**
 * Runs the subcommand of `command` that `args` starts with. None prints
 * `usage` and is a usage error, so a script that forgot it does not pass;
 * --help prints it and succeeds.
 */
export async function runSubcommand(command: string, usage: string, subcommands: Readonly<Record<string, Subcommand>>, args: string[], noun = 'subcommand'): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub === undefined ? EXIT_USAGE : 0;
  }
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (!run) throw new CliError(`${command}: unknown ${noun} "${sub}" (expected: ${Object.keys(subcommands).join(', ')})`, EXIT_USAGE);
  return run(rest);
}

export function parse<O extends Options>(command: string, args: string[], options: O, maxPositionals = 0) {
  const parsed = usageErrors(command, () => parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  if (parsed.positionals.length > maxPositionals) {
    throw new CliError(`${command}: unexpected argument "${parsed.positionals[maxPositionals]}" (see otp-radius ${command} --help)`, EXIT_USAGE);
  }
  return parsed;
}

/** `run`'s value; what it throws becomes a usage error for `command`. */
function usageErrors<T>(command: string, run: () => T): T {
  try {
    return run();
  } catch (e) {
    // parseArgs' messages are long and mention internals; keep the first sentence.
    const msg = (e as Error).message.split('. ')[0]!.replace(/^Unknown option '(.*)'$/, 'unknown option $1');
    throw new CliError(`${command}: ${msg} (see otp-radius ${command} --help)`, EXIT_USAGE);
  }
}
