// Options of the `ldap` resolver, their defaults, and the checks shared by
// the config loader and the resolver itself (so a resolver built in code
// gets the same clear errors as one read from YAML).

import { readFileSync } from 'node:fs';
import { FilterParser, type Filter } from 'ldapts';
import { ResolverConfigError } from './types.ts';

export type LdapScope = 'sub' | 'one' | 'base';

/** User fields filled from directory attributes. */
export interface LdapAttributeMap {
  email?: string;
  phone?: string;
  givenName?: string;
  surname?: string;
}

export interface LdapResolverOptions {
  /** One URI or several, tried in order: ldap://host[:port] or ldaps://host[:port]. */
  uri: string | string[];
  /** Upgrade ldap:// connections with StartTLS before binding. */
  startTls?: boolean;
  /** PEM file of the CA(s) that signed the server certificate; the system store when absent. */
  caFile?: string;
  /** Check the server certificate and name (default true). */
  tlsVerify?: boolean;
  /** Service account for searches; anonymous when absent. */
  bindDn?: string;
  bindPassword?: string;
  baseDn: string;
  scope?: LdapScope;
  /** ANDed with (loginAttribute=login). */
  userFilter?: string;
  loginAttribute?: string;
  /** entryUUID, objectGUID, dn, or any single-valued attribute that never changes. */
  uidAttribute?: string;
  attributes?: LdapAttributeMap;
  /** More attributes copied into User.attributes (for reply rules). */
  extraAttributes?: string[];
  /** Attribute on the user entry listing group DNs (used when groupBaseDn is absent). */
  groupAttribute?: string;
  /** Search groups under this DN instead of reading groupAttribute. */
  groupBaseDn?: string;
  groupFilter?: string;
  /** Group attribute holding members: a DN (member, uniqueMember) or, for memberUid, the login. */
  groupMemberAttribute?: string;
  groupNameAttribute?: string;
  /** Seconds a lookup or password check may take in all, failover included. */
  timeout?: number;
  /** Seconds to wait for one server's TCP (and TLS) connection. */
  connectTimeout?: number;
  /** Most entries a user listing or group search returns. */
  sizeLimit?: number;
  /** Service-bound connections kept open and shared by concurrent lookups. */
  poolSize?: number;
  /** Seconds a found user is cached; 0 turns the cache off. */
  cacheTtl?: number;
}

export const LDAP_DEFAULTS = {
  startTls: false,
  tlsVerify: true,
  scope: 'sub' as LdapScope,
  userFilter: '(objectClass=person)',
  loginAttribute: 'uid',
  uidAttribute: 'entryUUID',
  attributes: { email: 'mail', phone: 'telephoneNumber', givenName: 'givenName', surname: 'sn' } satisfies Required<LdapAttributeMap>,
  groupAttribute: 'memberOf',
  groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))',
  groupMemberAttribute: 'member',
  groupNameAttribute: 'cn',
  timeout: 5,
  connectTimeout: 2,
  sizeLimit: 500,
  poolSize: 4,
  cacheTtl: 60,
};

/** Attributes a resolver must never hand out, whatever extraAttributes says. */
const SECRET_ATTRIBUTES = new Set(['userpassword', 'unicodepwd', 'sambantpassword', 'sambalmpassword', 'authpassword', 'supplementalcredentials', 'dbcspwd', 'ntpwdhistory', 'lmpwdhistory']);

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$/;

/** Why `name` is not usable as an attribute name, or undefined. */
export function attributeProblem(name: string): string | undefined {
  if (!ATTRIBUTE.test(name)) return `"${name}" is not an LDAP attribute name (letters, digits and "-", starting with a letter, or an OID)`;
  return undefined;
}

export function isSecretAttribute(name: string): boolean {
  return SECRET_ATTRIBUTES.has(name.toLowerCase().split(';')[0] ?? '');
}

/** Why `uri` is not an LDAP server address, or undefined. */
export function uriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri}" is not a URI; expected ldap://host[:port] or ldaps://host[:port]`;
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') return `"${uri}": expected the scheme ldap:// or ldaps://, got ${url.protocol}//`;
  if (url.hostname === '') return `"${uri}": no host`;
  if (url.username !== '' || url.password !== '') return `"${url.protocol}//${url.host}": no user or password in the URI; use bindDn and bindPassword`;
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    return `"${uri}": only scheme, host and port are used; put the base DN in baseDn and the filter in userFilter`;
  }
  return undefined;
}

/** The parsed filter, or the reason it does not parse. */
export function parseLdapFilter(text: string): Filter | { problem: string } {
  const trimmed = text.trim();
  if (!trimmed.startsWith('(') || !trimmed.endsWith(')')) return { problem: `"${text}" is not an LDAP filter: expected it in parentheses, e.g. (objectClass=person)` };
  // Parentheses in values are written \28 and \29 (RFC 4515), so the bare ones must pair up into one group.
  let depth = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || (depth === 0 && i < trimmed.length - 1)) return { problem: `"${text}" is not an LDAP filter: a ")" without its "(" at character ${i + 1}, or text after the filter` };
  }
  if (depth !== 0) return { problem: `"${text}" is not an LDAP filter: ${depth} "(" not closed` };
  try {
    return FilterParser.parseString(trimmed);
  } catch (e) {
    return { problem: `"${text}" is not an LDAP filter: ${(e as Error).message}` };
  }
}

/** Everything the resolver needs, defaults applied, filters parsed, times in ms. */
export interface LdapSettings {
  uris: string[];
  startTls: boolean;
  ca: Buffer | undefined;
  tlsVerify: boolean;
  bind: { dn: string; password: string } | undefined;
  baseDn: string;
  scope: LdapScope;
  userFilter: Filter;
  loginAttribute: string;
  uidAttribute: string;
  attributes: Required<LdapAttributeMap>;
  extraAttributes: string[];
  groupAttribute: string;
  group: { baseDn: string; filter: Filter; memberAttribute: string; nameAttribute: string } | undefined;
  timeoutMs: number;
  connectTimeoutMs: number;
  sizeLimit: number;
  poolSize: number;
  cacheTtlMs: number;
}

function positive(value: number | undefined, fallback: number, key: string, problems: string[], opts: { min?: number; integer?: boolean } = {}): number {
  const v = value ?? fallback;
  const min = opts.min ?? 0;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (opts.integer && !Number.isInteger(v))) {
    problems.push(`${key}: expected ${opts.integer ? 'a whole number' : 'a number'} of at least ${min}, got ${String(v)}`);
    return fallback;
  }
  return v;
}

/** Applies defaults and checks everything; throws ResolverConfigError naming each problem. */
export function ldapSettings(name: string, o: LdapResolverOptions): LdapSettings {
  const problems: string[] = [];
  const uris = typeof o.uri === 'string' ? [o.uri] : [...o.uri];
  if (uris.length === 0) problems.push('uri: at least one ldap:// or ldaps:// URI is needed');
  for (const u of uris) {
    const p = uriProblem(u);
    if (p) problems.push(`uri: ${p}`);
  }
  const startTls = o.startTls ?? LDAP_DEFAULTS.startTls;
  if (startTls && uris.some((u) => u.toLowerCase().startsWith('ldaps:'))) problems.push('startTls: ldaps:// is TLS already; use ldap:// with startTls, or ldaps:// without');
  let ca: Buffer | undefined;
  if (o.caFile !== undefined) {
    try {
      ca = readFileSync(o.caFile);
      if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) problems.push(`caFile: ${o.caFile} holds no PEM certificate`);
    } catch (e) {
      problems.push(`caFile: cannot read ${o.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (o.bindDn !== undefined && (o.bindPassword === undefined || o.bindPassword === '')) problems.push('bindPassword: required with bindDn (an empty password would be an anonymous bind)');
  if (o.bindDn === undefined && o.bindPassword !== undefined) problems.push('bindPassword: given without bindDn');
  if (o.baseDn.trim() === '') problems.push('baseDn: must not be empty');

  const filter = (text: string, key: string): Filter => {
    const f = parseLdapFilter(text);
    if ('problem' in f) {
      problems.push(`${key}: ${f.problem}`);
      return parseLdapFilter('(objectClass=*)') as Filter;
    }
    return f;
  };
  const attr = (value: string, key: string): string => {
    const p = attributeProblem(value);
    if (p) problems.push(`${key}: ${p}`);
    return value;
  };

  const uidAttribute = o.uidAttribute ?? LDAP_DEFAULTS.uidAttribute;
  if (uidAttribute.toLowerCase() !== 'dn') attr(uidAttribute, 'uidAttribute');
  const attributes = { ...LDAP_DEFAULTS.attributes, ...o.attributes };
  for (const [k, v] of Object.entries(attributes)) attr(v, `attributes.${k}`);
  const extraAttributes = o.extraAttributes ?? [];
  extraAttributes.forEach((a, i) => {
    attr(a, `extraAttributes[${i}]`);
    if (isSecretAttribute(a)) problems.push(`extraAttributes[${i}]: "${a}" holds a password and is never read`);
  });

  const settings: LdapSettings = {
    uris,
    startTls,
    ca,
    tlsVerify: o.tlsVerify ?? LDAP_DEFAULTS.tlsVerify,
    bind: o.bindDn !== undefined ? { dn: o.bindDn, password: o.bindPassword ?? '' } : undefined,
    baseDn: o.baseDn,
    scope: o.scope ?? LDAP_DEFAULTS.scope,
    userFilter: filter(o.userFilter ?? LDAP_DEFAULTS.userFilter, 'userFilter'),
    loginAttribute: attr(o.loginAttribute ?? LDAP_DEFAULTS.loginAttribute, 'loginAttribute'),
    uidAttribute,
    attributes,
    extraAttributes,
    groupAttribute: attr(o.groupAttribute ?? LDAP_DEFAULTS.groupAttribute, 'groupAttribute'),
    group:
      o.groupBaseDn === undefined
        ? undefined
        : {
            baseDn: o.groupBaseDn,
            filter: filter(o.groupFilter ?? LDAP_DEFAULTS.groupFilter, 'groupFilter'),
            memberAttribute: attr(o.groupMemberAttribute ?? LDAP_DEFAULTS.groupMemberAttribute, 'groupMemberAttribute'),
            nameAttribute: attr(o.groupNameAttribute ?? LDAP_DEFAULTS.groupNameAttribute, 'groupNameAttribute'),
          },
    timeoutMs: positive(o.timeout, LDAP_DEFAULTS.timeout, 'timeout', problems, { min: 0.05 }) * 1000,
    connectTimeoutMs: positive(o.connectTimeout, LDAP_DEFAULTS.connectTimeout, 'connectTimeout', problems, { min: 0.05 }) * 1000,
    sizeLimit: positive(o.sizeLimit, LDAP_DEFAULTS.sizeLimit, 'sizeLimit', problems, { min: 1, integer: true }),
    poolSize: positive(o.poolSize, LDAP_DEFAULTS.poolSize, 'poolSize', problems, { min: 1, integer: true }),
    cacheTtlMs: positive(o.cacheTtl, LDAP_DEFAULTS.cacheTtl, 'cacheTtl', problems) * 1000,
  };
  if (problems.length > 0)
    throw new ResolverConfigError(
      problems.map((p) => `resolvers.${name}.${p}`),
      ['resolvers', name],
    );
  return settings;
}
