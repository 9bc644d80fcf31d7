// Config sections `resolvers` (where users live: a YAML file, LDAP, SQL) and
// `realms` (named groups of resolvers). The resolvers' own option checks
// (URIs, filters, names) run here on the YAML nodes, so a mistake is
// reported at its line; the resolvers check the same again when built.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isScalar, isSeq, type Node } from 'yaml';
import { attributeProblem, isSecretAttribute, LDAP_DEFAULTS, parseLdapFilter, uriProblem, type LdapResolverOptions, type LdapScope } from '../users/ldap-options.ts';
import { identifierProblem, SQL_DEFAULTS, whereProblem, type SqlResolverOptions } from '../users/sql-options.ts';
import { readSecret, resolvePath } from './secret.ts';
import { bool, checked, INVALID, keyErrors, int, list, nodeAt, object, oneOf, optional, record, str, stringOrList, withDefault, type Check } from './schema.ts';

export interface FileResolverConfig {
  type: 'file';
  path: string;
  caseInsensitive: boolean;
}

/** Every key present, defaults applied (optional ones only when given). */
export type LdapResolverConfig = { type: 'ldap' } & LdapResolverOptions &
  Required<
    Pick<
      LdapResolverOptions,
      | 'startTls'
      | 'tlsVerify'
      | 'scope'
      | 'userFilter'
      | 'loginAttribute'
      | 'uidAttribute'
      | 'attributes'
      | 'extraAttributes'
      | 'groupAttribute'
      | 'timeout'
      | 'connectTimeout'
      | 'sizeLimit'
      | 'poolSize'
      | 'cacheTtl'
    >
  >;

export type SqlResolverConfig = { type: 'sql' } & SqlResolverOptions &
  Required<Pick<SqlResolverOptions, 'extraColumns' | 'caseInsensitive' | 'timeout' | 'connectTimeout' | 'poolSize' | 'sizeLimit' | 'cacheTtl'>>;

export type ResolverConfig = FileResolverConfig | LdapResolverConfig | SqlResolverConfig;

export interface RealmConfig {
  resolvers: string[];
  default: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const RESOLVER_TYPES = ['file', 'ldap', 'sql'] as const;

/** Seconds, fractions allowed (tests and fast LANs use less than a second). */
function seconds(opts: { min: number; max: number }): Check<number> {
  return (node, ctx, path) => {
    const v = node !== undefined && isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < opts.min || v > opts.max) {
      ctx.error(node, path, `expected a number of seconds from ${opts.min} to ${opts.max}, got ${v === undefined || v === null ? 'nothing' : JSON.stringify(v)}`);
      return INVALID;
    }
    return v;
  };
}

const ldapUri = checked(uriProblem);
const ldapUris: Check<string[]> = (node, ctx, path) => {
  if (node !== undefined && isSeq(node)) return list(ldapUri, { minItems: 1 })(node, ctx, path);
  const v = ldapUri(node, ctx, path);
  return v === INVALID ? INVALID : [v];
};
const ldapFilter = checked((v) => {
  const f = parseLdapFilter(v);
  return 'problem' in f ? f.problem : undefined;
});
const ldapAttribute = checked(attributeProblem);
const uidAttribute = checked((v) => (v.toLowerCase() === 'dn' ? undefined : attributeProblem(v)));
const column = checked((v) => identifierProblem(v));
const table = checked((v) => identifierProblem(v, true));
const where = checked(whereProblem);

const fileResolver = object({
  type: oneOf(['file'] as const),
  path: str({ nonEmpty: true }),
  caseInsensitive: withDefault(bool(), false),
});

const ldapShape = object({
  type: oneOf(['ldap'] as const),
  uri: ldapUris,
  startTls: withDefault(bool(), LDAP_DEFAULTS.startTls),
  caFile: optional(str({ nonEmpty: true })),
  tlsVerify: withDefault(bool(), LDAP_DEFAULTS.tlsVerify),
  bindDn: optional(str({ nonEmpty: true })),
  bindPassword: optional(str()),
  bindPasswordFile: optional(str({ nonEmpty: true })),
  baseDn: str({ nonEmpty: true }),
  scope: withDefault(oneOf(['sub', 'one', 'base'] as const), LDAP_DEFAULTS.scope),
  userFilter: withDefault(ldapFilter, LDAP_DEFAULTS.userFilter),
  loginAttribute: withDefault(ldapAttribute, LDAP_DEFAULTS.loginAttribute),
  uidAttribute: withDefault(uidAttribute, LDAP_DEFAULTS.uidAttribute),
  attributes: withDefault(
    object({
      email: withDefault(ldapAttribute, LDAP_DEFAULTS.attributes.email),
      phone: withDefault(ldapAttribute, LDAP_DEFAULTS.attributes.phone),
      givenName: withDefault(ldapAttribute, LDAP_DEFAULTS.attributes.givenName),
      surname: withDefault(ldapAttribute, LDAP_DEFAULTS.attributes.surname),
    }),
    LDAP_DEFAULTS.attributes,
  ),
  extraAttributes: withDefault(list(ldapAttribute), []),
  groupAttribute: withDefault(ldapAttribute, LDAP_DEFAULTS.groupAttribute),
  groupBaseDn: optional(str({ nonEmpty: true })),
  groupFilter: optional(ldapFilter),
  groupMemberAttribute: optional(ldapAttribute),
  groupNameAttribute: optional(ldapAttribute),
  timeout: withDefault(seconds({ min: 0.05, max: 120 }), LDAP_DEFAULTS.timeout),
  connectTimeout: withDefault(seconds({ min: 0.05, max: 120 }), LDAP_DEFAULTS.connectTimeout),
  sizeLimit: withDefault(int({ min: 1, max: 1_000_000 }), LDAP_DEFAULTS.sizeLimit),
  poolSize: withDefault(int({ min: 1, max: 64 }), LDAP_DEFAULTS.poolSize),
  cacheTtl: withDefault(int({ min: 0, max: 86_400 }), LDAP_DEFAULTS.cacheTtl),
});

function isLoopback(uri: string): boolean {
  const host = new URL(uri).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

const ldapResolver: Check<LdapResolverConfig> = (node, ctx, path) => {
  const v = ldapShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const { at, fail, invalid, ok } = keyErrors(node, ctx, path);

  if (v.startTls && v.uri.some((u) => u.toLowerCase().startsWith('ldaps:'))) fail('startTls', 'ldaps:// is TLS already; use ldap:// with startTls, or ldaps:// without');
  let caFile: string | undefined;
  if (v.caFile !== undefined) {
    caFile = resolvePath(ctx, v.caFile);
    try {
      if (!readFileSync(caFile, 'latin1').includes('-----BEGIN CERTIFICATE-----')) fail('caFile', `${caFile} holds no PEM certificate`);
    } catch (e) {
      fail('caFile', `cannot read ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  let bindPassword: string | undefined;
  if (v.bindDn !== undefined) {
    const secret = readSecret(
      { inline: v.bindPassword, file: v.bindPasswordFile },
      { inline: nodeAt(node, ['bindPassword']), file: nodeAt(node, ['bindPasswordFile']), parent: node },
      ctx,
      { inline: `${path}.bindPassword`, file: `${path}.bindPasswordFile` },
      true,
    );
    if (secret === INVALID) invalid();
    else bindPassword = secret;
  } else if (v.bindPassword !== undefined || v.bindPasswordFile !== undefined) {
    fail(v.bindPassword !== undefined ? 'bindPassword' : 'bindPasswordFile', 'given without bindDn (leave both out for an anonymous search)');
  }
  for (const key of ['groupFilter', 'groupMemberAttribute', 'groupNameAttribute'] as const) {
    if (v[key] !== undefined && v.groupBaseDn === undefined) fail(key, 'used only with groupBaseDn (a group search); without it groups come from groupAttribute');
  }
  v.extraAttributes.forEach((a, i) => {
    if (isSecretAttribute(a)) {
      ctx.error(nodeAt(node, ['extraAttributes', i]), `${path}.extraAttributes[${i}]`, `"${a}" holds a password and is never read`);
      invalid();
    }
  });
  if (!ok()) return INVALID;

  if (!v.tlsVerify) ctx.warn(at('tlsVerify'), `${path}.tlsVerify`, 'the LDAP server certificate is not checked: anyone in the path can read the passwords');
  const clear = v.uri.filter((u) => u.toLowerCase().startsWith('ldap:') && !v.startTls && !isLoopback(u));
  if (clear.length > 0) ctx.warn(at('uri'), `${path}.uri`, `${clear.join(', ')} without startTls: bind passwords (the service's, and users' with otppin userstore) travel in clear`);

  const { bindPasswordFile: _file, caFile: _ca, bindPassword: _pw, groupFilter, groupMemberAttribute, groupNameAttribute, groupBaseDn, bindDn, ...rest } = v;
  return {
    ...rest,
    ...(caFile !== undefined ? { caFile } : {}),
    ...(bindDn !== undefined ? { bindDn, bindPassword } : {}),
    ...(groupBaseDn !== undefined
      ? {
          groupBaseDn,
          groupFilter: groupFilter ?? LDAP_DEFAULTS.groupFilter,
          groupMemberAttribute: groupMemberAttribute ?? LDAP_DEFAULTS.groupMemberAttribute,
          groupNameAttribute: groupNameAttribute ?? LDAP_DEFAULTS.groupNameAttribute,
        }
      : {}),
    scope: v.scope as LdapScope,
  };
};

const sqlShape = object({
  type: oneOf(['sql'] as const),
  driver: oneOf(['sqlite', 'postgres'] as const),
  path: optional(str({ nonEmpty: true })),
  url: optional(str()),
  urlFile: optional(str({ nonEmpty: true })),
  password: optional(str()),
  passwordFile: optional(str({ nonEmpty: true })),
  table,
  columns: object({
    login: column,
    id: optional(column),
    password: optional(column),
    email: optional(column),
    phone: optional(column),
    givenName: optional(column),
    surname: optional(column),
    groups: optional(column),
  }),
  extraColumns: withDefault(list(column), []),
  where: optional(where),
  caseInsensitive: withDefault(bool(), SQL_DEFAULTS.caseInsensitive),
  timeout: withDefault(seconds({ min: 0.05, max: 120 }), SQL_DEFAULTS.timeout),
  connectTimeout: withDefault(seconds({ min: 0.05, max: 120 }), SQL_DEFAULTS.connectTimeout),
  poolSize: withDefault(int({ min: 1, max: 100 }), SQL_DEFAULTS.poolSize),
  sizeLimit: withDefault(int({ min: 1, max: 1_000_000 }), SQL_DEFAULTS.sizeLimit),
  cacheTtl: withDefault(int({ min: 0, max: 86_400 }), SQL_DEFAULTS.cacheTtl),
});

const sqlResolver: Check<SqlResolverConfig> = (node, ctx, path) => {
  const v = sqlShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const { fail, invalid, ok } = keyErrors(node, ctx, path);
  const { type, driver, path: file, url: _url, urlFile: _urlFile, password: _pw, passwordFile: _pwFile, ...rest } = v;
  const out: SqlResolverConfig = { type, driver, ...rest };
  if (driver === 'sqlite') {
    if (file === undefined) fail('path', 'required with driver sqlite: the database file');
    else out.path = resolvePath(ctx, file);
    for (const key of ['url', 'urlFile', 'password', 'passwordFile'] as const) if (v[key] !== undefined) fail(key, `is for driver postgres; give path for sqlite`);
  } else {
    if (file !== undefined) fail('path', 'is for driver sqlite; give url for postgres');
    const url = readSecret(
      { inline: v.url, file: v.urlFile },
      { inline: nodeAt(node, ['url']), file: nodeAt(node, ['urlFile']), parent: node },
      ctx,
      { inline: `${path}.url`, file: `${path}.urlFile` },
      true,
    );
    if (url === INVALID || url === undefined) invalid();
    else {
      // The URL may hold a password: messages never show it.
      let valid = /^postgres(ql)?:\/\//.test(url);
      try {
        new URL(url);
      } catch {
        valid = false;
      }
      if (!valid)
        fail(v.urlFile !== undefined ? 'urlFile' : 'url', 'expected a URL postgres://[user[:password]@]host[:port]/database (percent-encode special characters in the user name and password)');
      else out.url = url;
    }
    const password = readSecret(
      { inline: v.password, file: v.passwordFile },
      { inline: nodeAt(node, ['password']), file: nodeAt(node, ['passwordFile']), parent: node },
      ctx,
      { inline: `${path}.password`, file: `${path}.passwordFile` },
      false,
    );
    if (password === INVALID) invalid();
    else if (password !== undefined) out.password = password;
  }
  const pw = v.columns.password;
  v.extraColumns.forEach((c, i) => {
    if (c === pw) {
      ctx.error(nodeAt(node, ['extraColumns', i]), `${path}.extraColumns[${i}]`, `"${c}" is the password column and is never handed out`);
      invalid();
    }
  });
  return ok() ? out : INVALID;
};

const resolverEntry: Check<ResolverConfig> = (node, ctx, path) => {
  const typeNode = nodeAt(node, ['type']);
  if (typeNode === undefined) {
    ctx.error(node, `${path}.type`, `required, one of ${RESOLVER_TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
    return INVALID;
  }
  const kind = oneOf(RESOLVER_TYPES)(typeNode, ctx, `${path}.type`);
  if (kind === INVALID) return INVALID;
  if (kind === 'ldap') return ldapResolver(node, ctx, path);
  if (kind === 'sql') return sqlResolver(node, ctx, path);
  const v = fileResolver(node, ctx, path);
  if (v === INVALID) return INVALID;
  return { type: 'file', path: resolvePath(ctx, v.path), caseInsensitive: v.caseInsensitive };
};

const realmEntry = object({
  resolvers: stringOrList({ nonEmpty: true }),
  default: withDefault(bool(), false),
});

export const userSections = {
  resolvers: optional(record(resolverEntry, { namePattern: NAME })),
  realms: optional(record(realmEntry, { namePattern: NAME })),
};

/** Cross-section checks: realms name existing resolvers, at most one default. */
export function checkRealms(
  resolvers: Record<string, ResolverConfig> | undefined,
  realms: Record<string, RealmConfig> | undefined,
  root: Node | undefined,
  error: (node: Node | undefined, path: string, message: string) => void,
): void {
  if (!realms) return;
  const defaults: string[] = [];
  for (const [name, realm] of Object.entries(realms)) {
    realm.resolvers.forEach((r, i) => {
      if (!resolvers || !(r in resolvers)) {
        const known = resolvers ? Object.keys(resolvers).join(', ') : 'none configured';
        error(nodeAt(root, ['realms', name, 'resolvers', i]) ?? nodeAt(root, ['realms', name, 'resolvers']), `realms.${name}.resolvers`, `unknown resolver "${r}" (resolvers: ${known})`);
      }
    });
    if (realm.default) defaults.push(name);
  }
  if (defaults.length > 1) error(nodeAt(root, ['realms', defaults[1]!, 'default']), `realms.${defaults[1]}.default`, `only one realm can be the default; ${defaults[0]} already is`);
}
