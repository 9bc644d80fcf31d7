// Destinations as a Reply-Message or an audit line may show them: enough for
// the user to recognise their own address or phone, too little to learn
// someone else's from a login prompt.

import type { DeliveryChannel } from './message.ts';
import { callingCodeOf } from './phone.ts';

/** `alice@example.org` -> `a***@example.org`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return '***';
  const local = address.slice(0, at);
  // A one-letter local part would be shown whole.
  const shown = local.length > 1 ? [...local][0]! : '';
  return `${shown}***${address.slice(at)}`;
}

/** `+4915112345689` -> `+49*********89`: the country and the last two digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 5) return '*'.repeat(digits.length || 3);
  const cc = phone.startsWith('+') ? (callingCodeOf(phone) ?? '') : '';
  const prefix = cc ? `+${cc}` : '';
  const hidden = digits.length - cc.length - 2;
  return `${prefix}${'*'.repeat(hidden)}${digits.slice(-2)}`;
}

export function maskDestination(channel: DeliveryChannel, to: string): string {
  return channel === 'email' ? maskEmail(to) : maskPhone(to);
}
