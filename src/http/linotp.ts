// LinOTP's validate API on top of the authentication service: parameters in,
// the answers its clients parse out. /validate/simplecheck is what the
// LinOTP FreeRADIUS plugin reads (":-)", ":-(", ":-( TXID TEXT");
// /validate/check is LinOTP's JSON-RPC-like shape.

import type { Decision } from '../auth/decision.ts';
import type { AccessRequest } from '../auth/request.ts';
import type { ClientTable } from '../radius/clients.ts';

export const API_VERSION = 'otp-radius (LinOTP validate API)';

/** LinOTP's code for a missing parameter (ParameterError). */
export const ERR_MISSING_PARAMETER = 905;
export const ERR_INTERNAL = -311;

export class ParameterError extends Error {
  constructor(name: string) {
    super(`ERR${ERR_MISSING_PARAMETER}: Missing parameter: '${name}'`);
    this.name = 'ParameterError';
  }
}

/**
 * An AccessRequest from the validate parameters. `client` (the NAS address a
 * RADIUS plugin passes on) picks the NAS client and its realm like a RADIUS
 * source address would; without it the caller's own address does.
 */
export function accessRequest(params: URLSearchParams, remoteAddress: string, clients: ClientTable): AccessRequest {
  const user = params.get('user');
  if (user === null || user === '') throw new ParameterError('user');
  const pass = params.get('pass');
  if (pass === null) throw new ParameterError('pass');
  const address = params.get('client') || remoteAddress;
  const nas = clients.lookup(address);
  const state = params.get('transactionid') ?? params.get('state');
  const realm = params.get('realm');
  return {
    userName: user,
    password: pass,
    nas: { client: nas?.name ?? 'http', address, ...(nas?.realm !== undefined ? { realm: nas.realm } : {}) },
    ...(realm ? { realm } : {}),
    ...(state ? { state: Buffer.from(state, 'latin1') } : {}),
    attributes: {},
  };
}

export function simplecheckText(d: Decision): string {
  if (d.decision === 'accept') return ':-)';
  if (d.decision === 'challenge') return `:-( ${d.transactionId ?? ''} ${d.replyMessage ?? ''}`.trimEnd();
  return ':-(';
}

function envelope(result: Record<string, unknown>, detail?: Record<string, unknown>): Record<string, unknown> {
  return { version: API_VERSION, jsonrpc: '2.0', result, ...(detail ? { detail } : {}), id: 0 };
}

export function checkJson(d: Decision): Record<string, unknown> {
  if (d.decision !== 'challenge') return envelope({ status: true, value: d.decision === 'accept' });
  const serials = d.challengeSerials ?? (d.serial ? [d.serial] : []);
  const one = (serial?: string) => ({
    transactionid: d.transactionId,
    message: d.replyMessage,
    ...(d.challengeData ? { transactiondata: d.challengeData } : {}),
    ...(serial ? { serial } : {}),
  });
  if (serials.length <= 1) return envelope({ status: true, value: false }, one(serials[0]));
  return envelope(
    { status: true, value: false },
    { transactionid: d.transactionId, message: 'Multiple challenges submitted.', challenges: Object.fromEntries(serials.map((s) => [s, one(s)])) },
  );
}

export function errorJson(code: number, message: string): Record<string, unknown> {
  return envelope({ status: false, error: { code, message } });
}
