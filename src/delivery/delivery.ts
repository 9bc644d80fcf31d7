// The delivery layer as auth/ uses it: one object that sends a message over
// the channel it names, with the senders the config asked for. A channel that
// is not configured is a failure like any other, never an exception.

import { normalizeDestination, type DestinationResult } from './destination.ts';
import { createEmailSender } from './email.ts';
import { failed, type DeliveryChannel, type DeliveryMessage, type Sender, type SendResult } from './message.ts';
import type { DeliveryOptions } from './options.ts';
import { createSmsSender } from './sms.ts';

export interface Delivery {
  /** The configured channels. */
  readonly channels: readonly DeliveryChannel[];
  send(message: DeliveryMessage): Promise<SendResult>;
  /** The destination as sends and rate limits use it, or why it cannot receive codes. */
  normalize(channel: DeliveryChannel, to: string): DestinationResult;
  close(): Promise<void>;
}

/** Senders by channel; tests and the lead's wiring may pass their own. */
export function createDelivery(options: Pick<DeliveryOptions, 'email' | 'sms'>, senders: Partial<Record<DeliveryChannel, Sender>> = {}): Delivery {
  const byChannel: Partial<Record<DeliveryChannel, Sender>> = { ...senders };
  if (options.email && !byChannel.email) byChannel.email = createEmailSender(options.email);
  if (options.sms && !byChannel.sms) byChannel.sms = createSmsSender(options.sms);
  const channels = (['email', 'sms'] as const).filter((c) => byChannel[c] !== undefined);
  return {
    channels,
    send(message: DeliveryMessage): Promise<SendResult> {
      const sender = byChannel[message.channel];
      if (!sender) return Promise.resolve(failed('not-configured', `${message.channel}: delivery is not configured`));
      return sender.send(message);
    },
    normalize(channel: DeliveryChannel, to: string): DestinationResult {
      return normalizeDestination(channel, to, options.sms?.defaultCountry);
    },
    async close(): Promise<void> {
      await Promise.all(Object.values(byChannel).map((s) => s.close()));
    },
  };
}
