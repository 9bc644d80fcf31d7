#!/usr/bin/env node
// The `otp-radius` command. Each subcommand lives in its own file; this one
// only dispatches and turns errors into one line and a non-zero exit.

import { OtpInputError } from '../otp/errors.ts';
import { StoreError } from '../store/errors.ts';
import { TokenTypeError } from '../tokens/types.ts';
import { ResolverConfigError, ResolverUnavailableError } from '../users/types.ts';
import { CliError, run } from './commands.ts';

/** Errors whose message is already the one line an admin needs. */
const EXPLAINED = [CliError, StoreError, ResolverConfigError, ResolverUnavailableError, TokenTypeError, OtpInputError];

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (EXPLAINED.some((cls) => err instanceof cls)) {
      const e = err as Error;
      process.stderr.write(`otp-radius: ${e.message.split('\n').join('; ')}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    } else if (process.env.OTP_RADIUS_DEBUG) {
      process.stderr.write(`otp-radius: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`otp-radius: internal error: ${(err as Error)?.message ?? String(err)} (OTP_RADIUS_DEBUG=1 shows the stack)\n`);
      process.exitCode = 1;
    }
  },
);
