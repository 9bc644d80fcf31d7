// Why an admin operation did not happen, in words the front ends show as
// they are: the CLI prints the message, HTTP maps the code to a status.

export type AdminErrorCode = 'forbidden' | 'not-found' | 'conflict' | 'invalid';

export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: AdminErrorCode;

  constructor(code: AdminErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
