#!/usr/bin/env node
// The `otp-radius` command. Each subcommand lives in its own file; this one
// only dispatches and turns errors into one line and a non-zero exit.

import { CliError, run } from './commands.ts';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`otp-radius: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`otp-radius: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
