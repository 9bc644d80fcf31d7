// What the HTTP listeners need from the config (config/http-section.ts fills
// it): one entry per listener, each with its own address, TLS, allow list and
// the services it serves.

import type { Cidr } from '../net/cidr.ts';

/**
 * What a listener serves. `admin` is the native API (/api/v1) and LinOTP's
 * /admin/*; `console` the admin console's pages, `self` the self-service
 * portal's. Their routes are registered by whoever provides them
 * (HttpRoutes).
 */
export type HttpService = 'validate' | 'health' | 'metrics' | 'admin' | 'console' | 'self';
export const HTTP_SERVICES: readonly HttpService[] = ['validate', 'health', 'metrics', 'admin', 'console', 'self'];
/** What a listener serves when the config does not say: everything but the portal, which faces users and is turned on by listing it. */
export const DEFAULT_SERVICES: readonly HttpService[] = ['validate', 'health', 'metrics', 'admin', 'console'];
/** Services whose passwords and session cookies may travel in clear only on loopback, or when the operator says so. */
export const SESSION_SERVICES: readonly HttpService[] = ['admin', 'console', 'self'];

export interface HttpTlsOptions {
  certFile: string;
  keyFile: string;
  /** PEM contents, read when the config was loaded (and again on SIGHUP). */
  cert: Buffer;
  key: Buffer;
}

export interface HttpListenerOptions {
  /** For logs and metrics; unique among the listeners. */
  name: string;
  address: string;
  port: number;
  tls?: HttpTlsOptions;
  /** Networks allowed to call this listener; everyone else gets 403. */
  allow: Cidr[];
  serve: HttpService[];
  /** The operator accepted admin traffic in clear off loopback. */
  allowPlaintext: boolean;
}

export interface HttpLimits {
  /** Largest request body, and query string, in bytes. */
  maxBodyBytes: number;
  /** Seconds a client may take to send a whole request. */
  requestTimeoutSeconds: number;
}

export interface HttpOptions extends HttpLimits {
  listeners: HttpListenerOptions[];
}

export const HTTP_DEFAULTS = {
  address: '127.0.0.1',
  port: 5000,
  allow: ['127.0.0.0/8', '::1'],
  maxBodyBytes: 16 * 1024,
  requestTimeoutSeconds: 10,
} as const;
