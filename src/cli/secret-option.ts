// Secrets (PINs, passwords) given to a command: `-` reads a line from stdin,
// `--NAME-file FILE` reads the file's first line, a value on the command line
// works but is visible to every user in `ps`, so it draws a warning.

import { readFile } from 'node:fs/promises';
import { CliError, EXIT_USAGE } from './errors.ts';
import { readSecret } from './terminal.ts';

export interface SecretSource {
  /** The option's value: a secret, or `-` for stdin. */
  value: string | undefined;
  /** The value of the matching --NAME-file option. */
  file: string | undefined;
}

/**
 * The secret, or undefined when neither option was given and `ask` is not set;
 * with `ask`, the secret is prompted for without echo on a terminal (one line
 * of stdin otherwise).
 */
export async function secretOption(command: string, name: string, source: SecretSource, ask?: string): Promise<string | undefined> {
  if (source.value !== undefined && source.file !== undefined) throw new CliError(`${command}: give --${name} or --${name}-file, not both`, EXIT_USAGE);
  if (source.file !== undefined) {
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch (err) {
      throw new CliError(`${command}: --${name}-file: cannot read ${source.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return text.split(/\r?\n/, 1)[0]!;
  }
  if (source.value === '-') return readSecret('');
  if (source.value !== undefined) {
    process.stderr.write(`warning: --${name} on the command line is visible to other users (ps, shell history); use --${name} - (stdin) or --${name}-file FILE\n`);
    return source.value;
  }
  return ask === undefined ? undefined : readSecret(ask);
}
