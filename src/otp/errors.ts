/**
 * Thrown for malformed caller input (a bad seed, URI, OCRA suite or argument),
 * so callers can tell "the data is wrong" from a programming error and show
 * the message to an administrator as is. Messages never contain secrets.
 */
export class OtpInputError extends Error {
  override name = 'OtpInputError';
}
