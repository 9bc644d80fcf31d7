// Where and how the RADIUS listener binds, with the defaults and ranges the
// config section reads.

import type { RadsecListenOptions } from './radsec-options.ts';

export interface ListenOptions {
  address: string;
  port: number;
  /** Accounting port; undefined = accounting off. */
  accountingPort?: number;
  /** SO_RCVBUF in bytes: the kernel default (~208 KiB) overflows under a login burst. */
  receiveBufferBytes: number;
  /** How long a duplicate request is answered from cache (RFC 5080). */
  duplicateCacheSeconds: number;
  /** Longest wait for in-flight requests on shutdown. */
  shutdownGraceSeconds: number;
  /** The RadSec (RADIUS over TLS) listener; undefined = off. */
  radsec?: RadsecListenOptions;
}

export const LISTEN_DEFAULTS: ListenOptions = {
  address: '0.0.0.0',
  port: 1812,
  receiveBufferBytes: 4 * 1024 * 1024,
  duplicateCacheSeconds: 30,
  shutdownGraceSeconds: 10,
};

export const LISTEN_RANGES = {
  // 0 lets the kernel choose a free port: for tests, never for a NAS.
  port: { min: 0, max: 65535 },
  receiveBufferBytes: { min: 65536, max: 1 << 30 },
  duplicateCacheSeconds: { min: 1, max: 600 },
  shutdownGraceSeconds: { min: 0, max: 600 },
} as const;
