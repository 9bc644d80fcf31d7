// Counters of the RadSec listener's connections, for logs and metrics; its
// packets are counted in a RadiusStats of its own, as the UDP listener's.

/** Why a connection was not taken: the TLS handshake failed, or the peer is no client. */
export type RefusalCause =
  | 'handshake-timeout'
  | 'tls'
  | 'no-certificate'
  | 'certificate'
  | 'revoked'
  | 'crl'
  | 'alpn'
  | 'radius-1.1-without-tls-1.3'
  | 'unknown-client'
  | 'too-many-connections'
  | 'shutting-down';

/** Why a connection that was taken ended. */
export type CloseCause = 'peer' | 'idle' | 'malformed' | 'error' | 'shutdown' | 'client-removed';

export class RadsecStats {
  /** Connections taken: handshake done and the certificate a client's. */
  accepted = 0;
  /** Connections open now. */
  open = 0;
  readonly refused = new Map<RefusalCause, number>();
  readonly closed = new Map<CloseCause, number>();

  refuse(cause: RefusalCause): void {
    this.refused.set(cause, (this.refused.get(cause) ?? 0) + 1);
  }

  close(cause: CloseCause): void {
    this.closed.set(cause, (this.closed.get(cause) ?? 0) + 1);
  }
}
