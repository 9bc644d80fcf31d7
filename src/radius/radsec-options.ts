// Where and how the RadSec (RADIUS over TLS) listener binds, with the
// defaults and ranges the config section reads.

export type RadsecTlsVersion = 'TLSv1.2' | 'TLSv1.3';
/** RADIUS versions a client may negotiate with ALPN (RFC 9765): 1.0 is RFC 6614's RADIUS/TLS, 1.1 drops MD5. */
export type RadiusVersion = '1.0' | '1.1';

export interface RadsecListenOptions {
  address: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** The CA (or CAs) whose client certificates are accepted. */
  caFile: string;
  /** CRLs of those CAs (PEM): a revoked client certificate is refused; without it nothing is checked for revocation. */
  crlFile?: string;
  /** PEM contents, read when the config is loaded (and again on SIGHUP). */
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  crl?: Buffer;
  minVersion: RadsecTlsVersion;
  /** What ALPN may choose; a client that offers no ALPN speaks 1.0 unless only 1.1 is allowed. */
  radiusVersions: RadiusVersion[];
  /** Open connections at once (per process); past it a new connection is closed at once. */
  maxConnections: number;
  /** Requests of one connection being authenticated at once; past it the connection is read no further until one is answered. */
  maxInFlight: number;
  /** A connection with nothing sent or received for this long is closed (Status-Server keeps it open). */
  idleTimeoutSeconds: number;
  /** A TLS handshake that has not finished by then is abandoned. */
  handshakeTimeoutSeconds: number;
}

export const RADSEC_DEFAULTS = {
  address: '0.0.0.0',
  port: 2083,
  minVersion: 'TLSv1.2' as RadsecTlsVersion,
  radiusVersions: ['1.0', '1.1'] as RadiusVersion[],
  maxConnections: 1000,
  maxInFlight: 64,
  idleTimeoutSeconds: 300,
  handshakeTimeoutSeconds: 10,
};

export const RADSEC_RANGES = {
  port: { min: 0, max: 65535 },
  maxConnections: { min: 1, max: 100_000 },
  maxInFlight: { min: 1, max: 4096 },
  idleTimeoutSeconds: { min: 1, max: 86_400 },
  handshakeTimeoutSeconds: { min: 1, max: 120 },
} as const;

/** The settings only a restart changes: not the certificates (SIGHUP reloads them) nor the PEM bytes. */
export function radsecBinding(o: RadsecListenOptions | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  return {
    address: o.address,
    port: o.port,
    radiusVersions: o.radiusVersions,
    maxConnections: o.maxConnections,
    maxInFlight: o.maxInFlight,
    idleTimeoutSeconds: o.idleTimeoutSeconds,
    handshakeTimeoutSeconds: o.handshakeTimeoutSeconds,
  };
}
