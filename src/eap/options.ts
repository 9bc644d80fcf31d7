// What the EAP service needs from the config (config/eap-section.ts fills it).

export type EapMethodName = 'ttls' | 'peap';
export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

export interface EapTlsOptions {
  certFile: string;
  keyFile: string;
  caFile?: string;
  /** PEM contents, read when the config was loaded (and again on SIGHUP). */
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
}

export interface EapLimits {
  /** Open conversations kept per worker; past it the oldest is dropped. */
  maxConversations: number;
  /** EAP round trips one conversation may take. */
  maxRounds: number;
  /** EAP bytes one conversation may send us in total (bounds a reassembled TLS message too). */
  maxBytes: number;
  /** Seconds from the first to the last round of a conversation. */
  timeoutSeconds: number;
}

export interface EapResumption {
  /** Seconds a tunnel whose inner login succeeded may be resumed without a new login; 0 turns resumption off. */
  lifetimeSeconds: number;
  /** Sessions kept per worker; past it the oldest goes. */
  maxSessions: number;
}

export interface EapOptions {
  /** Offered in this order. */
  methods: EapMethodName[];
  tls: EapTlsOptions;
  /** Largest EAP packet we send; a smaller Framed-MTU from the NAS wins. */
  fragmentSize: number;
  limits: EapLimits;
  resumption: EapResumption;
}

export const EAP_DEFAULTS = {
  fragmentSize: 1024,
  limits: { maxConversations: 1000, maxRounds: 60, maxBytes: 65536, timeoutSeconds: 60 },
  resumption: { lifetimeSeconds: 3600, maxSessions: 10000 },
} as const satisfies Pick<EapOptions, 'fragmentSize' | 'limits' | 'resumption'>;
