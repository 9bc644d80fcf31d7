// What auth/ hands to delivery and what it gets back. A send never throws
// and never hangs: it ends in a result, and a failed one carries a short
// reason built from fixed words and numbers only, so it can go to the audit
// log as it is and can never carry the code or a server's free text.

export type DeliveryChannel = 'email' | 'sms';

export const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['email', 'sms'];

export interface DeliveryMessage {
  channel: DeliveryChannel;
  /** An e-mail address, or a phone number in any form the default country makes sense of. */
  to: string;
  /** The user's login, for the `{login}` placeholder. */
  login: string;
  /** The one-time code; it goes into the message and nowhere else. */
  otp: string;
  /** When the code stops being accepted, for the `{validUntil}` placeholder. */
  validUntil: Date;
}

/** Why a send failed, as a label for metrics; the reason text says the rest. */
export type DeliveryFailure = 'not-configured' | 'invalid-destination' | 'timeout' | 'connect' | 'tls' | 'auth' | 'rejected' | 'protocol';

export const DELIVERY_FAILURES: readonly DeliveryFailure[] = ['not-configured', 'invalid-destination', 'timeout', 'connect', 'tls', 'auth', 'rejected', 'protocol'];

export type SendResult =
  | {
      ok: true;
      /** The destination as it was used: the address, or the number in E.164. */
      to: string;
      /** The message id the mail server or gateway gave, when it gave one. */
      id?: string;
    }
  | {
      ok: false;
      failure: DeliveryFailure;
      /** Short, for the audit log, e.g. "smtp: authentication refused (535)". */
      reason: string;
    };

export interface Sender {
  readonly channel: DeliveryChannel;
  /** Resolves within the sender's timeout (plus a little), whatever the peer does. */
  send(message: DeliveryMessage): Promise<SendResult>;
  /** Closes pooled connections; sends after close fail. */
  close(): Promise<void>;
}

export function failed(failure: DeliveryFailure, reason: string): SendResult {
  return { ok: false, failure, reason };
}
