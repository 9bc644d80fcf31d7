// LinOTP's JSON answers of /admin/*: {"result": {"status", "value"},
// "detail", "version", "jsonrpc", "id"}; errors carry status false and
// {"code", "message"}, with HTTP 200 as LinOTP sends them (401 when not
// logged in).

import { API_VERSION, ERR_INTERNAL, ERR_MISSING_PARAMETER, JSONRPC_VERSION } from '../../linotp.ts';
import type { AdminErrorCode } from '../../../auth/admin.ts';

/** LinOTP's PolicyException id: the admin's policies do not allow it. */
export const ERR_POLICY = 410;
/** LinOTP's id for an /admin/set or /admin/setPin without any known parameter. */
export const ERR_USAGE = 77;

export function result(value: unknown, detail?: Record<string, unknown>, id: unknown = 1): Record<string, unknown> {
  return { version: API_VERSION, jsonrpc: JSONRPC_VERSION, result: { status: true, value }, ...(detail && Object.keys(detail).length > 0 ? { detail } : {}), id };
}

export function failure(code: number, message: string): Record<string, unknown> {
  return { version: API_VERSION, jsonrpc: JSONRPC_VERSION, result: { status: false, error: { code, message } }, id: 1 };
}

/** The LinOTP error id of an admin operation's refusal. */
export function errorCodeOf(code: AdminErrorCode): number {
  if (code === 'forbidden') return ERR_POLICY;
  if (code === 'invalid') return ERR_MISSING_PARAMETER;
  return ERR_INTERNAL;
}

/** A missing or bad parameter, answered as LinOTP's ParameterError. */
export class LinotpParameterError extends Error {
  readonly code: number;
  constructor(message: string, code = ERR_MISSING_PARAMETER) {
    super(message);
    this.name = 'LinotpParameterError';
    this.code = code;
  }
}
