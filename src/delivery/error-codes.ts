// Library errors turned into the words of a failure reason. Only error
// codes (fixed identifiers such as ECONNREFUSED or CERT_HAS_EXPIRED) are read,
// never messages: a server's or gateway's text may echo what was sent.

/** Codes found on the error, its `originalCode` and its chain of causes, outermost first. */
export function errorCodes(error: unknown): string[] {
  const out: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    for (const key of ['code', 'originalCode'] as const) {
      const v = (e as Record<string, unknown>)[key];
      if (typeof v === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(v) && !out.includes(v)) out.push(v);
    }
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

const CERT_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate not trusted (self-signed CA)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate not trusted (unknown issuer)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate not trusted (unknown issuer)',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not name the host',
  HOSTNAME_MISMATCH: 'certificate does not name the host',
};

/** What went wrong with TLS, when one of the codes says it was TLS. */
export function tlsReason(codes: string[]): string | undefined {
  for (const code of codes) {
    const known = CERT_REASONS[code];
    if (known) return `TLS failed: ${known}`;
  }
  const other = codes.find((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c.includes('CERT'));
  return other ? `TLS failed (${other})` : undefined;
}

const CONNECT_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection closed by the peer',
  EPIPE: 'connection closed by the peer',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

export function connectReason(codes: string[]): string | undefined {
  for (const code of codes) {
    const known = CONNECT_REASONS[code];
    if (known) return known;
  }
  return undefined;
}
