// A nodemailer error as a failure reason. The SMTP reply code and its
// enhanced status (e.g. 550 5.1.1) are kept, because they tell an admin what
// the mail server disliked; the reply text is not.

import { connectReason, errorCodes, tlsReason } from './error-codes.ts';
import { failed, type SendResult } from './message.ts';

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  timeoutType?: unknown;
}

function replyCode(e: SmtpErrorFields): string {
  if (typeof e.responseCode !== 'number') return '';
  const enhanced = typeof e.response === 'string' ? /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(e.response)?.[1] : undefined;
  return ` (${e.responseCode}${enhanced ? ` ${enhanced}` : ''})`;
}

const TIMEOUTS: Record<string, string> = {
  CONNECT_TIMEOUT: 'no connection',
  GREETING_TIMEOUT: 'no greeting from the server',
  UPGRADE_TIMEOUT: 'no answer to STARTTLS',
  SOCKET_TIMEOUT: 'the server stopped answering',
};

export function smtpFailure(error: unknown): SendResult {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpErrorFields;
  const codes = errorCodes(error);
  const code = codes[0];
  const reply = replyCode(e);
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  // 530: the server wants AUTH before MAIL FROM, and we sent none.
  if (e.responseCode === 530) return failed('auth', `smtp: the server requires authentication${reply}`);
  switch (code) {
    case 'EAUTH':
      return failed('auth', `smtp: authentication refused${reply}`);
    case 'ENOAUTH':
      return failed('auth', 'smtp: the server needs a user and password, none configured');
    case 'ETIMEDOUT':
      return failed('timeout', `smtp: ${TIMEOUTS[String(e.timeoutType)] ?? 'timed out'}`);
    case 'EABORT':
      return failed('timeout', 'smtp: send aborted');
    case 'EDNS':
      return failed('connect', `smtp: ${connectReason(codes.slice(1)) ?? 'host name not found'}`);
    case 'EENVELOPE':
      return failed('rejected', command.startsWith('MAIL') ? `smtp: sender refused${reply}` : `smtp: recipient refused${reply}`);
    case 'EMESSAGE':
      return failed('rejected', `smtp: message refused${reply}`);
  }
  const tls = tlsReason(codes);
  if (tls || code === 'ETLS') {
    // STARTTLS required but not offered comes as ETLS without a certificate code.
    return failed('tls', `smtp: ${tls ?? (command === 'STARTTLS' ? `TLS failed: the server refused STARTTLS${reply}` : 'TLS failed (the server offers no STARTTLS, or the handshake failed)')}`);
  }
  const connect = connectReason(codes);
  if (connect) return failed('connect', `smtp: ${connect}`);
  if (code === 'ECONNECTION' || code === 'ESOCKET') return failed('connect', 'smtp: connection lost');
  if (reply) return failed('rejected', `smtp: refused${reply}`);
  return failed('protocol', `smtp: failed${code ? ` (${code})` : ''}`);
}
