// The RadSec client table: a TLS peer whose certificate our CA signed is a
// client when its certificate matches an entry (subject attributes, a
// subjectAltName, or the certificate's SHA-256 fingerprint) and, if the entry
// names a network, its address is in it. RFC 6614 fixes the
// shared secret of RADIUS/TLS as "radsec".

import type { X509Certificate } from 'node:crypto';
import { addressBytes, cidrContains, sourceAddressBytes, type Cidr } from '../net/cidr.ts';
import type { ClientPolicy, MessageAuthenticatorPolicy } from './clients.ts';

export const RADSEC_SECRET = 'radsec';

/** How an entry recognises its peer's certificate. */
export type CertificateMatch =
  /** Each attribute must be in the certificate's subject with that value (others may be there too). */
  | { subject: SubjectAttribute[]; text: string }
  /** A DNS name, IP address, URI or e-mail address among the subjectAltName entries. */
  | { san: string }
  /** SHA-256 of the certificate (DER), as 64 lower-case hex digits. */
  | { fingerprint: string };

export interface SubjectAttribute {
  /** Short name as OpenSSL prints it (CN, O, OU, C ...), upper-cased for comparison. */
  key: string;
  value: string;
}

/** A RadSec client entry of the config. */
export interface RadsecClient {
  name: string;
  certificate: CertificateMatch;
  /** When set, the connection must also come from this network. */
  network?: Cidr;
  requireMessageAuthenticator: MessageAuthenticatorPolicy;
  realm?: string;
}

/**
 * Parses `CN=radsecproxy.example.org, O=Example\, Inc.` (RFC 4514 order does
 * not matter here; a comma inside a value is written `\,`). Throws with what
 * is wrong.
 */
export function parseSubject(text: string): SubjectAttribute[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((part) => {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !/^[A-Za-z][A-Za-z0-9.-]*$/.test(key) || value === '') throw new Error(`"${part.trim()}" is not an attribute of the form KEY=value (such as CN=radsecproxy.example.org)`);
    return { key: key.toUpperCase(), value };
  });
}

/** `sha256:AB:CD:...` or bare hex, with or without colons -> 64 lower-case hex digits; throws otherwise. */
export function parseFingerprint(text: string): string {
  const hex = text
    .replace(/^sha256:/i, '')
    .replaceAll(':', '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('expected a SHA-256 fingerprint: 64 hex digits, optionally prefixed sha256: and separated by colons (openssl x509 -noout -fingerprint -sha256)');
  return hex;
}

/**
 * The entries of Node's subjectAltName text: `DNS:a, IP Address:192.0.2.1,
 * URI:"https://x/a,b"`; a value holding a comma or a quote is a JSON string.
 */
export function subjectAltNames(text: string | undefined): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  if (!text) return out;
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    let value: string;
    let next: number;
    if (text[colon + 1] === '"') {
      let end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      } catch {
        value = text.slice(colon + 2, end);
      }
      next = end + 1;
    } else {
      const sep = text.indexOf(', ', colon + 1);
      next = sep < 0 ? text.length : sep;
      value = text.slice(colon + 1, next);
    }
    out.push({ type, value });
    i = next;
    if (text.startsWith(', ', i)) i += 2;
  }
  return out;
}

function subjectMatches(cert: X509Certificate, wanted: SubjectAttribute[]): boolean {
  const subject = cert.toLegacyObject().subject as Record<string, string | string[]> | undefined;
  if (!subject) return false;
  const byKey = new Map<string, string[]>();
  for (const [k, v] of Object.entries(subject)) byKey.set(k.toUpperCase(), Array.isArray(v) ? v : [v]);
  return wanted.every((a) => byKey.get(a.key)?.includes(a.value) === true);
}

function sanMatches(cert: X509Certificate, wanted: string): boolean {
  const ip = addressBytes(wanted);
  return subjectAltNames(cert.subjectAltName).some(({ type, value }) => {
    if (type === 'IP Address') return ip !== undefined && addressBytes(value)?.equals(ip) === true;
    if (type === 'DNS') return value.toLowerCase() === wanted.toLowerCase();
    return (type === 'URI' || type === 'email') && value === wanted;
  });
}

export function certificateMatches(cert: X509Certificate, match: CertificateMatch): boolean {
  if ('subject' in match) return subjectMatches(cert, match.subject);
  if ('san' in match) return sanMatches(cert, match.san);
  return cert.fingerprint256.replaceAll(':', '').toLowerCase() === match.fingerprint;
}

/** How the match reads in logs and messages. */
export function describeMatch(match: CertificateMatch): string {
  if ('subject' in match) return `subject ${match.text}`;
  if ('san' in match) return `subjectAltName ${match.san}`;
  return `fingerprint sha256:${match.fingerprint}`;
}

/** The client a RadSec connection speaks for, as the request pipeline sees it. */
export function radsecPolicy(client: RadsecClient): ClientPolicy {
  return { name: client.name, secret: RADSEC_SECRET, requireMessageAuthenticator: client.requireMessageAuthenticator, ...(client.realm !== undefined ? { realm: client.realm } : {}) };
}

export class RadsecClientTable {
  private readonly clients: RadsecClient[];

  /** Entries that name a network come first, the narrowest first; otherwise the config's order. */
  constructor(clients: RadsecClient[]) {
    this.clients = clients
      .map((c, i) => ({ c, i }))
      .sort((a, b) => (b.c.network?.prefix ?? -1) - (a.c.network?.prefix ?? -1) || a.i - b.i)
      .map(({ c }) => c);
  }

  get size(): number {
    return this.clients.length;
  }

  /** The entry for a peer: its certificate matches and its address is in the entry's network, if one is given. */
  lookup(cert: X509Certificate, address: string): RadsecClient | undefined {
    const bytes = sourceAddressBytes(address);
    return this.clients.find((c) => (c.network === undefined || (bytes !== undefined && cidrContains(c.network, bytes))) && certificateMatches(cert, c.certificate));
  }
}
