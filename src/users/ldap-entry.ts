// From a directory entry to a User: attribute names matched without regard
// to case (servers answer "memberOf" when asked for "memberof"), the stable
// id from entryUUID, Active Directory's binary objectGUID, or the DN, and
// group names from group DNs.

import type { Entry } from 'ldapts';
import type { LdapSettings } from './ldap-options.ts';
import type { User } from './types.ts';

/** All values of attribute `name` in `entry`, as strings (binary values as UTF-8). */
export function values(entry: Entry, name: string): string[] {
  const raw = rawValues(entry, name);
  return raw.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** All values of attribute `name` as the client returned them. */
export function rawValues(entry: Entry, name: string): (string | Buffer)[] {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(entry)) {
    if (key.toLowerCase() !== wanted || key === 'dn') continue;
    if (Array.isArray(value)) return value;
    return [value];
  }
  return [];
}

/**
 * Active Directory's objectGUID (16 bytes, the first three fields
 * little-endian) as the usual lower-case 8-4-4-4-12 string.
 */
export function guidToString(bytes: Buffer): string {
  if (bytes.length !== 16) throw new Error(`objectGUID: expected 16 bytes, got ${bytes.length}`);
  const hex = Buffer.concat([Buffer.from(bytes.subarray(0, 4)).reverse(), Buffer.from(bytes.subarray(4, 6)).reverse(), Buffer.from(bytes.subarray(6, 8)).reverse(), bytes.subarray(8, 16)]).toString(
    'hex',
  );
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const GUID = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** The 16 bytes AD stores for a GUID string, or undefined when it is not one. */
export function guidToBytes(text: string): Buffer | undefined {
  const m = GUID.exec(text);
  if (!m) return undefined;
  const hex = m.slice(1).join('');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)]);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Undoes RFC 4514 escaping in one attribute value: `\,` and friends, and `\XX` hex bytes (UTF-8). */
export function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const pair = value.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 2;
        continue;
      }
      bytes.push(...Buffer.from(value[i + 1]!, 'utf8'));
      i += 1;
      continue;
    }
    bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8').trim();
}

/** The value of the first RDN of `dn` (cn=vpn-admins,ou=groups,... -> vpn-admins). */
export function firstRdnValue(dn: string): string {
  let i = 0;
  let escaped = false;
  for (; i < dn.length; i++) {
    const c = dn[i];
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === ',' || c === '+' || c === ';') break;
  }
  const rdn = dn.slice(0, i);
  const eq = rdn.indexOf('=');
  return unescapeDnValue(eq < 0 ? rdn : rdn.slice(eq + 1));
}

/** Comparable form of a DN: lower case, no spaces around separators. Good enough for "is under baseDn". */
export function normalizeDn(dn: string): string {
  return dn
    .trim()
    .toLowerCase()
    .replace(/\s*([,=+])\s*/g, '$1');
}

export function isUnderBase(dn: string, baseDn: string): boolean {
  const d = normalizeDn(dn);
  const b = normalizeDn(baseDn);
  return d === b || d.endsWith(`,${b}`);
}

/** The attributes to ask the server for. */
export function requestedAttributes(s: LdapSettings): string[] {
  const names = [s.loginAttribute, ...Object.values(s.attributes), ...s.extraAttributes];
  if (s.uidAttribute.toLowerCase() !== 'dn') names.push(s.uidAttribute);
  if (!s.group) names.push(s.groupAttribute);
  return [...new Set(names)];
}

/** The binary attributes ldapts must not decode as text (it matches their names with case). */
export function binaryAttributes(s: LdapSettings): string[] {
  if (s.uidAttribute.toLowerCase() !== 'objectguid') return [];
  return [...new Set([s.uidAttribute, 'objectGUID', 'objectguid'])];
}

/** The stable id of an entry; throws when the entry lacks the uid attribute (a misconfiguration). */
export function entryId(entry: Entry, s: LdapSettings): string {
  const attr = s.uidAttribute.toLowerCase();
  if (attr === 'dn') return entry.dn;
  const raw = rawValues(entry, s.uidAttribute);
  const first = raw[0];
  if (first === undefined || raw.length > 1) {
    throw new Error(`entry ${entry.dn} has ${raw.length === 0 ? 'no' : 'several values of'} ${s.uidAttribute}; set uidAttribute to a single-valued attribute every user has`);
  }
  if (attr === 'objectguid') return guidToString(Buffer.isBuffer(first) ? first : Buffer.from(first, 'utf8'));
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : first;
  return attr === 'entryuuid' ? text.toLowerCase() : text;
}

export function entryToUser(resolver: string, entry: Entry, s: LdapSettings, login: string | undefined, groups: string[]): User {
  const one = (name: string): string | undefined => values(entry, name)[0];
  // The directory's spelling of the login (so "ALICE" and "alice" are one user), and of the value that matched.
  const logins = values(entry, s.loginAttribute);
  const wanted = login?.toLowerCase();
  const user: User = {
    resolver,
    id: entryId(entry, s),
    login: logins.find((l) => l.toLowerCase() === wanted) ?? logins[0] ?? login ?? '',
    groups,
    attributes: { dn: entry.dn },
  };
  const email = one(s.attributes.email);
  const phone = one(s.attributes.phone);
  const givenName = one(s.attributes.givenName);
  const surname = one(s.attributes.surname);
  if (email !== undefined) user.email = email;
  if (phone !== undefined) user.phone = phone;
  if (givenName !== undefined) user.givenName = givenName;
  if (surname !== undefined) user.surname = surname;
  for (const name of s.extraAttributes) {
    const v = values(entry, name);
    if (v.length === 1) user.attributes[name] = v[0]!;
    else if (v.length > 1) user.attributes[name] = v;
  }
  return user;
}

/** Group names from the user entry's group attribute (memberOf): the first RDN value of each DN. */
export function groupsFromEntry(entry: Entry, s: LdapSettings): string[] {
  return [
    ...new Set(
      values(entry, s.groupAttribute)
        .map(firstRdnValue)
        .filter((g) => g !== ''),
    ),
  ];
}
