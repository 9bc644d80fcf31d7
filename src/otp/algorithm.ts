import { OtpInputError } from './errors.ts';

/** The HMAC hash of a token; otp/ keeps its own name so it depends on nothing else. */
export type OtpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export const OTP_ALGORITHMS: readonly OtpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

/** Output size of each hash in bytes, which is also the recommended seed length (RFC 4226 §4, RFC 6238 §5.1). */
export const HASH_BYTES: Readonly<Record<OtpAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

export function isOtpAlgorithm(value: unknown): value is OtpAlgorithm {
  return value === 'sha1' || value === 'sha256' || value === 'sha512';
}

/** Throws the one message for an algorithm that is none of ours (a caller bypassing the types). */
export function checkOtpAlgorithm(value: unknown): asserts value is OtpAlgorithm {
  if (!isOtpAlgorithm(value)) throw new OtpInputError(`algorithm: expected sha1, sha256 or sha512, got '${String(value)}'`);
}

/** Accepts 'sha1', 'SHA1', 'SHA-256' and the like; otherwise a clear error naming `what`. */
export function parseAlgorithm(text: string, what = 'algorithm'): OtpAlgorithm {
  const name = text.trim().toLowerCase().replace('-', '');
  if (isOtpAlgorithm(name)) return name;
  throw new OtpInputError(`${what}: expected SHA1, SHA256 or SHA512, got '${text}'`);
}
