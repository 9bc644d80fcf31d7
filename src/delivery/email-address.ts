// The address a code goes to comes from a directory attribute or a token,
// which a user may be able to edit. It must be exactly one plain mailbox:
// "a@x.org, b@evil.org" or a display name with a second address in it would
// send the code to someone else.

import addressparser from 'nodemailer/lib/addressparser';

export type EmailAddressResult = { ok: true; address: string } | { ok: false; reason: string };

const LOCAL = /^[^\s\p{Cc}@",;:<>()[\]\\]{1,64}$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

export function checkEmailAddress(input: string): EmailAddressResult {
  const address = input.trim();
  if (address.length === 0) return { ok: false, reason: 'no e-mail address' };
  if (address.length > 254) return { ok: false, reason: 'too long for an e-mail address' };
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.indexOf('@') !== at) return { ok: false, reason: 'not a single e-mail address (name@domain)' };
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return { ok: false, reason: 'not a single e-mail address (the part before @ has spaces, commas, quotes or brackets)' };
  }
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return { ok: false, reason: 'not a single e-mail address (the domain is not a host name)' };
  }
  return { ok: true, address };
}

/** Undefined when `from` is one mailbox, bare or with a display name (`VPN login <otp@example.org>`). */
export function fromAddressProblem(from: string): string | undefined {
  const parsed = addressparser(from, { flatten: true });
  if (parsed.length !== 1 || !parsed[0]!.address) return 'expected one sender address, e.g. "VPN login <otp@example.org>"';
  const address = checkEmailAddress(parsed[0]!.address);
  return address.ok ? undefined : `the sender address is ${address.reason}`;
}
