// LinOTP's validate API on top of the authentication service: parameters in,
// the answers its clients parse out. /validate/simplecheck is what the
// LinOTP FreeRADIUS plugin and PAM module read (":-)", ":-(", ":-( TXID TEXT",
// ":-/"); /validate/check is LinOTP's JSON-RPC-like envelope.

import { createRequire } from 'node:module';
import type { Decision } from '../model/decision.ts';
import type { AccessRequest } from '../model/access-request.ts';
import type { NasClient } from '../radius/clients.ts';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

/** LinOTP writes "<product> <version>" here, e.g. "LinOTP 3.4.4". */
export const API_VERSION = `otp-radius ${pkg.version}`;
/** LinOTP 2.9 and later, 3.x included, put their API version here, not the JSON-RPC one. */
export const JSONRPC_VERSION = '2.0802';

/** LinOTP's ParameterError id. */
export const ERR_MISSING_PARAMETER = 905;
/** What LinOTP's sendError answers for an error that has no id of its own. */
export const ERR_INTERNAL = -311;

export const SIMPLE_OK = ':-)';
export const SIMPLE_REJECT = ':-(';
/** The clients' "server failed" answer (RLM_MODULE_FAIL in the plugin). */
export const SIMPLE_ERROR = ':-/';

export class ParameterError extends Error {
  readonly code = ERR_MISSING_PARAMETER;
  constructor(message: string) {
    super(`ERR${ERR_MISSING_PARAMETER}: ${message}`);
    this.name = 'ParameterError';
  }
}

/**
 * An AccessRequest from the validate parameters. `client` (the NAS address the
 * plugin passes on) picks the NAS client and its realm as a RADIUS source
 * address would; without it the caller's own address does. `realm` goes in
 * the request's own field, so it wins over user@realm and the client's realm
 * without re-joining the user name (which splitAtSign: false would not undo).
 */
export function accessRequest(params: URLSearchParams, remoteAddress: string, lookup: (address: string) => NasClient | undefined): AccessRequest {
  const user = params.get('user');
  if (user === null || user === '') throw new ParameterError("Missing parameter: 'user'");
  const pass = params.get('pass');
  if (pass === null) throw new ParameterError("Missing parameter: 'pass'");
  const address = params.get('client') || remoteAddress;
  const nas = lookup(address);
  // LinOTP looks at state first, then transactionid.
  const state = params.get('state') || params.get('transactionid');
  const realm = params.get('realm');
  const serial = params.get('serial');
  return {
    userName: user,
    password: Buffer.from(pass, 'utf8'),
    nas: { client: nas?.name ?? 'http', address, ...(nas?.realm !== undefined ? { realm: nas.realm } : {}) },
    ...(realm ? { realm } : {}),
    ...(serial ? { serial } : {}),
    ...(state ? { state: Buffer.from(state, 'latin1') } : {}),
  };
}

/** The plugin splits a challenge line on blanks into three: ":-(", State, Reply-Message. */
export function simplecheckText(d: Decision): string {
  if (d.decision === 'accept') return SIMPLE_OK;
  if (d.decision === 'challenge') return [SIMPLE_REJECT, d.challenge.transactionId, d.replyMessage ?? ''].join(' ').trim();
  return SIMPLE_REJECT;
}

function envelope(result: Record<string, unknown>, detail?: Record<string, unknown>): Record<string, unknown> {
  return { version: API_VERSION, jsonrpc: JSONRPC_VERSION, result, ...(detail ? { detail } : {}), id: 0 };
}

/**
 * LinOTP 3's answers: accept and reject carry no detail; a challenge's detail
 * is the challenge itself (transactionid, message, linotp_tokenserial, and for
 * OCRA the question as `challenge`; e-mail and SMS tokens add `state`, the
 * transaction id again, as LinOTP's token classes do); several tokens give a
 * top-level transactionid, "Multiple challenges submitted." and one entry
 * per serial.
 */
export function checkJson(d: Decision): Record<string, unknown> {
  if (d.decision !== 'challenge') return envelope({ status: true, value: d.decision === 'accept' });
  const { transactionId, data, serials } = d.challenge;
  const sent = new Set((d.challenge.codes ?? []).map((c) => c.serial));
  const one = (serial: string | undefined): Record<string, unknown> => ({
    transactionid: transactionId,
    message: d.replyMessage ?? '',
    ...(data ? { challenge: data } : {}),
    ...(serial && sent.has(serial) ? { state: transactionId } : {}),
    ...(serial ? { linotp_tokenserial: serial } : {}),
  });
  if (serials.length <= 1) return envelope({ status: true, value: false }, one(serials[0]));
  return envelope({ status: true, value: false }, { transactionid: transactionId, message: 'Multiple challenges submitted.', challenges: Object.fromEntries(serials.map((s) => [s, one(s)])) });
}

export function errorJson(code: number, message: string): Record<string, unknown> {
  return envelope({ status: false, error: { code, message } });
}
