// Where an e-mail or SMS token's codes go: the address or number kept on
// the token (token info `email` / `phone`, set at enrollment or carried over
// from LinOTP), else the owner's from the directory: `email` (or a `mail`
// attribute) for e-mail; for SMS a `mobile` attribute first, then `phone`,
// since a directory's phone is often a desk line.

import type { Delivery } from '../delivery/index.ts';
import { maskDestination } from '../delivery/index.ts';
import type { DeliveredType, Token } from '../model/token.ts';
import type { User } from '../users/types.ts';

function text(v: string | string[] | undefined): string | undefined {
  const one = Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
  const t = one?.trim();
  return t ? t : undefined;
}

/** The destination as written in token info or in the directory, or undefined when neither has one. */
export function rawDestination(info: Readonly<Record<string, string>>, channel: DeliveredType, user: User | undefined): string | undefined {
  const attrs = user?.attributes ?? {};
  if (channel === 'email') return text(info.email) ?? text(user?.email) ?? text(attrs.email) ?? text(attrs.mail);
  return text(info.phone) ?? text(attrs.mobile) ?? text(user?.phone) ?? text(attrs.phone);
}

export type Destination =
  | { ok: true; channel: DeliveredType; to: string; masked: string }
  | { ok: false; channel: DeliveredType; failure: 'no-destination' | 'not-configured' | 'invalid-destination'; reason: string; masked: string };

/** The destination in the form sends and rate limits use, masked for Reply-Messages and the audit log. */
export function destinationOf(token: Token, channel: DeliveredType, user: User | undefined, sender: Delivery | undefined): Destination {
  const raw = rawDestination(token.info, channel, user);
  const what = channel === 'email' ? 'e-mail address' : 'phone number';
  if (raw === undefined) return { ok: false, channel, failure: 'no-destination', reason: `${channel}: no ${what} on the token or in the user's directory entry`, masked: '-' };
  if (!sender?.channels.includes(channel)) return { ok: false, channel, failure: 'not-configured', reason: `${channel}: delivery is not configured`, masked: maskDestination(channel, raw) };
  const normal = sender.normalize(channel, raw);
  if (!normal.ok) return { ok: false, channel, failure: 'invalid-destination', reason: `${channel}: ${normal.reason}`, masked: maskDestination(channel, raw) };
  return { ok: true, channel, to: normal.to, masked: maskDestination(channel, normal.to) };
}
