// Subcommand table of `otp-radius`.

import { runSubcommand } from './args.ts';
import { configCheck } from './config-check.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

export { CliError };

type Command = { summary: string; run: (args: string[]) => Promise<number> };

// Each command's module is loaded when it runs: a server worker then carries
// neither the QR-code nor the XML, import or export code.
const commands: Record<string, Command> = {
  serve: { summary: 'run the RADIUS server', run: async (a) => (await import('./serve.ts')).serve(a) },
  token: { summary: 'enroll, list, show, enable, disable, revoke, delete, set-pin, reset, resync, assign, unassign, challenge', run: async (a) => (await import('./token.ts')).tokenCommand(a) },
  admin: {
    summary: 'add, list, disable, enable, delete, passwd, key create|list|revoke: admin accounts and API keys; enrollment-code',
    run: async (a) => (await import('./admin.ts')).adminCommand(a),
  },
  user: { summary: 'list, show: users of a realm and their tokens; hash: a password hash for a users file', run: async (a) => (await import('./user.ts')).userCommand(a) },
  check: { summary: 'authenticate a user as RADIUS would and print the decision', run: async (a) => (await import('./check.ts')).checkCommand(a) },
  import: { summary: 'linotp, oath-csv, pskc, freeradius-clients: bring tokens and NAS clients over', run: async (a) => (await import('./import.ts')).importCommand(a) },
  export: { summary: 'pskc, oath-csv: tokens for another system (encrypted PSKC by default)', run: async (a) => (await import('./export.ts')).exportCommand(a) },
  store: { summary: 'init, backup FILE, restore FILE, migrate --to postgres:URL: the store and its key file', run: async (a) => (await import('./store.ts')).storeCommand(a) },
  config: { summary: 'config check [FILE]: validate a config file', run: configCommand },
  status: { summary: 'ask the running server over RADIUS whether it answers (a health check)', run: async (a) => (await import('./status.ts')).statusCommand(a) },
};

const CONFIG_USAGE = 'usage: otp-radius config check [FILE]\n  Validates FILE (default: $OTP_RADIUS_CONFIG or config/otp-radius.yaml); exit 0 when valid, 1 when not.\n';

function configCommand(args: string[]): Promise<number> {
  return runSubcommand('config', CONFIG_USAGE, { check: configCheck }, args);
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
