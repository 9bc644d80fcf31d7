// The options each sender and the limiter are built from. The config loader
// fills them (secrets read, CA files loaded, templates checked); tests build
// them directly.

export type SmtpTls = 'starttls' | 'implicit' | 'none';

export interface EmailOptions {
  smtp: {
    host: string;
    port: number;
    /** starttls: plain connect, then STARTTLS is required; implicit: TLS from the first byte (port 465); none: clear text. */
    tls: SmtpTls;
    /** Check the server certificate against the CAs and the host name. */
    tlsVerify: boolean;
    /** PEM of the CAs to trust instead of the system's. */
    ca?: string;
    /** Open connections to the mail server at most, reused between sends. */
    maxConnections: number;
  };
  auth?: { user: string; password: string };
  /** The From header, e.g. `VPN login <otp@example.org>`. */
  from: string;
  /** Templates with {otp}, {login}, {validUntil}. */
  subject: string;
  body: string;
  html?: string;
  /** After this a send counts as failed. */
  timeoutMs: number;
  /** IANA time zone for {validUntil}; the server's own when absent. */
  timeZone?: string;
}

export type SmsAuth = { basic: { user: string; password: string } } | { bearer: string };

export interface SmsOptions {
  /** The gateway's URL; http or https. */
  url: string;
  method: 'GET' | 'POST';
  /** Gateway parameter name -> template with {phone}, {otp}, {message}, {login}, {validUntil}. Sent in the query for GET. */
  params: Record<string, string>;
  /** How POST carries params. */
  body: 'form' | 'json';
  /** Extra request headers (templates like params). */
  headers: Record<string, string>;
  auth?: SmsAuth;
  /** The text {message} stands for: a template with {otp}, {login}, {validUntil}. */
  message: string;
  /** A send succeeded when the status is one of these and the body matches bodyRegex (when given). */
  success: { status: number[]; bodyRegex?: RegExp };
  timeoutMs: number;
  /** ISO 3166 country for numbers written without a country code, e.g. DE. */
  defaultCountry?: string;
  tlsVerify: boolean;
  /** PEM of the CAs to trust instead of the system's. */
  ca?: string;
  timeZone?: string;
}

export interface DeliveryLimits {
  /** No second message to the same destination within this time. */
  resendIntervalMs: number;
  /** Messages per user in any hour. */
  maxPerHourPerUser: number;
  /** Messages per destination (address or number) in any hour. */
  maxPerHourPerDestination: number;
}

export interface DeliveryOptions {
  email?: EmailOptions;
  sms?: SmsOptions;
  limits: DeliveryLimits;
}

export const DELIVERY_DEFAULTS = {
  timeoutMs: 5000,
  smtpMaxConnections: 2,
  smsMessage: 'Your login code is {otp}',
  smsSuccessStatus: [200, 201, 202, 204],
  limits: { resendIntervalMs: 60_000, maxPerHourPerUser: 10, maxPerHourPerDestination: 10 } satisfies DeliveryLimits,
} as const;
