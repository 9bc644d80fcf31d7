// The server side of the tunnels: certificate, chain and key, TLS versions.
// One context per method, so a session of one method cannot be resumed as
// the other (the session id context differs). Swapped whole on SIGHUP;
// conversations under way keep the context they started with.

import { constants } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { EapMethodName, EapTlsOptions } from './options.ts';

export type TlsContexts = Record<EapMethodName, SecureContext>;

export function createTlsContexts(tls: EapTlsOptions): TlsContexts {
  const make = (method: EapMethodName): SecureContext =>
    createSecureContext({
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca ? { ca: tls.ca } : {}),
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      // Resumption goes through our own bounded cache of session ids (session-cache.ts), where a session is
      // only kept once its inner login succeeded; stateless tickets would resume sessions we never vetted.
      secureOptions: constants.SSL_OP_NO_TICKET,
      sessionIdContext: `otp-radius-${method}`,
    });
  return { ttls: make('ttls'), peap: make('peap') };
}
