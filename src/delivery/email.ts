// Codes by e-mail: one pooled SMTP transport (nodemailer) with a small,
// fixed number of connections, so a burst of logins reuses sessions instead
// of opening one per code, and a slow mail server cannot make us open more.

import type * as Nodemailer from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer';
import { boundedSend } from './bounded.ts';
import { checkEmailAddress } from './email-address.ts';
import { failed, type DeliveryMessage, type Sender, type SendResult } from './message.ts';
import type { EmailOptions } from './options.ts';
import { smtpFailure } from './smtp-failure.ts';
import { escapeHtml, fillTemplate, formatValidUntil } from './template.ts';

/** Idle pooled connections are closed after this; mail servers drop them soon after anyway. */
const POOL_IDLE_MS = 30_000;

function transportOptions(options: EmailOptions): SMTPPoolOptions & { pool: true } {
  const { smtp, timeoutMs } = options;
  return {
    pool: true,
    maxConnections: smtp.maxConnections,
    maxMessages: 100,
    idleTimeout: POOL_IDLE_MS,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    tls: {
      rejectUnauthorized: smtp.tlsVerify,
      minVersion: 'TLSv1.2',
      ...(smtp.ca !== undefined ? { ca: smtp.ca } : {}),
    },
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.password } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    socketTimeout: Math.max(timeoutMs, POOL_IDLE_MS + 5000),
    // Templates are the admin's text; nothing in a message may make nodemailer read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

function poolTransport(nodemailer: typeof Nodemailer, options: EmailOptions) {
  const transport = nodemailer.createTransport(transportOptions(options));
  // An idle pooled connection that breaks must not crash the process; each send reports its own failure.
  transport.on('error', () => undefined);
  return transport;
}

type PoolTransport = ReturnType<typeof poolTransport>;

export function createEmailSender(options: EmailOptions): Sender {
  // nodemailer is loaded with the first message, so that a server without e-mail tokens does not carry it in memory.
  let transport: Promise<PoolTransport> | undefined;
  const opened = (): Promise<PoolTransport> => {
    transport ??= import('nodemailer').then((nodemailer) => poolTransport(nodemailer, options));
    return transport;
  };
  let closed = false;

  async function deliver(message: DeliveryMessage, address: string, signal: AbortSignal): Promise<SendResult> {
    const values = { otp: message.otp, login: message.login, validUntil: formatValidUntil(message.validUntil, options.timeZone) };
    const info = await (await opened()).sendMail({
      from: options.from,
      to: address,
      subject: fillTemplate(options.subject, values),
      text: fillTemplate(options.body, values),
      ...(options.html !== undefined ? { html: fillTemplate(options.html, values, escapeHtml) } : {}),
      // RFC 3834: vacation responders must not answer a machine's message.
      headers: { 'Auto-Submitted': 'auto-generated' },
      signal,
    });
    if (info.rejected.length > 0) return failed('rejected', 'smtp: recipient refused');
    return { ok: true, to: address, ...(info.messageId ? { id: info.messageId } : {}) };
  }

  return {
    channel: 'email',
    send(message: DeliveryMessage): Promise<SendResult> {
      if (closed) return Promise.resolve(failed('not-configured', 'smtp: sender closed'));
      const address = checkEmailAddress(message.to);
      if (!address.ok) return Promise.resolve(failed('invalid-destination', `email: ${address.reason}`));
      return boundedSend(options.timeoutMs, 'smtp', (signal) => deliver(message, address.address, signal), smtpFailure);
    },
    async close(): Promise<void> {
      closed = true;
      (await transport)?.close();
    },
  };
}
