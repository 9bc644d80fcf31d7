// Subcommand table of `otp-radius`.

import { checkCommand } from './check.ts';
import { configCheck } from './config-check.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { serve } from './serve.ts';
import { tokenCommand } from './token.ts';
import { userCommand } from './user.ts';
import { storeCommand } from './store.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';

export { CliError };

type Command = { summary: string; run: (args: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  serve: { summary: 'run the RADIUS server', run: serve },
  token: { summary: 'enroll, list, show, enable, disable, revoke, delete, set-pin, reset, resync, assign, unassign, challenge', run: tokenCommand },
  user: { summary: 'list, show: users of a realm and their tokens', run: userCommand },
  check: { summary: 'authenticate a user as RADIUS would and print the decision', run: checkCommand },
  import: { summary: 'linotp, oath-csv, pskc, freeradius-clients: bring tokens and NAS clients over', run: importCommand },
  export: { summary: 'pskc, oath-csv: tokens for another system (encrypted PSKC by default)', run: exportCommand },
  store: { summary: 'migrate --from sqlite:PATH --to postgres:URL: move tokens between stores', run: storeCommand },
  config: { summary: 'config check [FILE]: validate a config file', run: configCommand },
};

async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') return configCheck(rest);
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write('usage: otp-radius config check [FILE]\n  Validates FILE (default: $OTP_RADIUS_CONFIG or config/otp-radius.yaml); exit 0 when valid, 1 when not.\n');
    return sub === undefined ? EXIT_USAGE : 0;
  }
  throw new CliError(`config: unknown subcommand "${sub}" (expected: check)`, EXIT_USAGE);
}

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: otp-radius COMMAND [options]\n\ncommands:\n${lines.join('\n')}\n\nEvery command takes --help; most take --config FILE.\n`;
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V') {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
    process.stdout.write(`otp-radius ${pkg.version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) throw new CliError(`unknown command "${name}" (see otp-radius --help)`, EXIT_USAGE);
  return command.run(rest);
}
