// A destination in the one form used for sending and for rate-limit keys,
// so "0151 123..." and "+49151..." count as the same phone and
// "Alice@Example.org" as the same mailbox.

import { checkEmailAddress } from './email-address.ts';
import type { DeliveryChannel } from './message.ts';
import { normalizePhone } from './phone.ts';

export type DestinationResult = { ok: true; to: string } | { ok: false; reason: string };

/** E-mail addresses lower-cased (as every mail system in practice treats them), numbers in E.164. */
export function normalizeDestination(channel: DeliveryChannel, to: string, defaultCountry?: string): DestinationResult {
  if (channel === 'sms') {
    const phone = normalizePhone(to, defaultCountry);
    return phone.ok ? { ok: true, to: phone.e164 } : phone;
  }
  const address = checkEmailAddress(to);
  return address.ok ? { ok: true, to: address.address.toLowerCase() } : address;
}
