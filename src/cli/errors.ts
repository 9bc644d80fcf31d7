import { OtpInputError } from '../otp/errors.ts';
import { StoreError } from '../store/errors.ts';
import { TokenTypeError } from '../tokens/types.ts';
import { ResolverConfigError, ResolverUnavailableError } from '../users/types.ts';

/** An error the user can fix: printed as one line, exit code 2 for usage, 1 otherwise. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const EXIT_USAGE = 2;

/** Errors whose message is already the one line an admin needs. */
const EXPLAINED = [CliError, StoreError, ResolverConfigError, ResolverUnavailableError, TokenTypeError, OtpInputError];

/** Writes the one-line error to stderr and answers the exit code. */
export function reportError(err: unknown): number {
  if (EXPLAINED.some((cls) => err instanceof cls)) {
    process.stderr.write(`otp-radius: ${(err as Error).message.split('\n').join('; ')}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
  if (process.env.OTP_RADIUS_DEBUG) {
    process.stderr.write(`otp-radius: ${(err as Error)?.stack ?? String(err)}\n`);
  } else {
    process.stderr.write(`otp-radius: internal error: ${(err as Error)?.message ?? String(err)} (OTP_RADIUS_DEBUG=1 shows the stack)\n`);
  }
  return 1;
}
