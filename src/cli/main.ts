#!/usr/bin/env node
// The `otp-radius` command. Each subcommand lives in its own file; this one
// only dispatches and turns errors into one line and a non-zero exit.

import { run } from './commands.ts';
import { reportError } from './errors.ts';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
