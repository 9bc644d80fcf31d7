// The configuration schema: every section, its defaults, and the typed
// result. Later sections (store, resolvers, realms, policy, tokens, http)
// slot into `sections` below with their own checks.

import type { Node } from 'yaml';
import { ipAddress, network } from './address-checks.ts';
import { LISTEN_DEFAULTS, LISTEN_RANGES, type ListenOptions } from '../radius/listen.ts';
import type { MessageAuthenticatorPolicy, NasClient } from '../radius/clients.ts';
import type { RadsecClient } from '../radius/radsec-clients.ts';
import { radsecClientEntry, radsecListenSection } from './radsec-section.ts';
import type { AuthPolicy } from '../model/policy.ts';
import type { ReplyRule } from '../auth/reply-rules.ts';
import { adminSection, auditSection, checkDirectoryRealms } from './admin-section.ts';
import { authSections, buildAuthPolicy } from './auth-sections.ts';
import type { AdminPolicy, AuditPolicy } from '../model/admin-policy.ts';
import type { TokenDefaults } from '../model/token-defaults.ts';
import { deliverySection, type DeliveryConfig } from './delivery-section.ts';
import { eapSection } from './eap-section.ts';
import type { EapOptions } from '../eap/options.ts';
import { httpSection, type HttpConfig } from './http-section.ts';
import { replySection } from './reply-section.ts';
import { checkSelfServiceRealms, selfServiceSection } from './self-service-section.ts';
import type { SelfServicePolicy } from '../model/self-service.ts';
import { readSecret, resolvePath } from './secret.ts';
import { warnRiskySettings } from './risky-settings.ts';
import { storeSection, type StoreConfig } from './store-section.ts';
import { checkRealms, userSections, type RealmConfig, type ResolverConfig } from './user-sections.ts';
import { INVALID, int, list, nodeAt, object, oneOf, optional, str, withDefault, type Check, type Ctx } from './schema.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export interface LogConfig {
  level: LogLevel;
  /** 'stdout', 'stderr', or a file path for the audit events. */
  audit: string;
}

export interface Config {
  /** Path of the file the config was read from. */
  file: string;
  listen: ListenOptions;
  /** UDP clients: address and shared secret. */
  clients: NasClient[];
  /** RadSec clients: matched by their TLS certificate. */
  radsecClients: RadsecClient[];
  log: LogConfig;
  store: StoreConfig;
  resolvers: Record<string, ResolverConfig>;
  realms: Record<string, RealmConfig>;
  policy: AuthPolicy;
  tokenDefaults: TokenDefaults;
  /** Attributes added to Access-Accept (`reply:` rules). */
  reply: ReplyRule[];
  /** The LinOTP-compatible HTTP API; undefined = off. */
  http?: HttpConfig;
  /** Sending codes for e-mail and SMS tokens; undefined = not configured. */
  delivery?: DeliveryConfig;
  /** EAP-TTLS and PEAP on the RADIUS listeners; undefined = EAP refused. */
  eap?: EapOptions;
  /** Administration over HTTP: sessions, directory admins, upload size. */
  admin: AdminPolicy;
  /** The store's audit table and its retention. */
  audit: AuditPolicy;
  /** The self-service portal: sessions, PIN rule, enrollment codes, and per realm who may do what. */
  selfService: SelfServicePolicy;
}

/** What the LinOTP rlm_perl plugin answered; NAS scripts and users may look for these texts. */
export const LINOTP_REPLY_MESSAGES = { accept: 'LinOTP access granted', reject: 'LinOTP server denied access!' } as const;

/**
 * LinOTP 3's challenge prompt of HOTP and TOTP tokens (HmacTokenClass, its
 * default "Please enter your otp value: "), as the plugin passes it on: the
 * simplecheck answer it reads is stripped of the trailing blank.
 */
export const LINOTP_CHALLENGE_PROMPT = 'Please enter your otp value:';

/** What LinOTP 3 answers a PIN alone with for its e-mail and SMS tokens (the mail provider's and the SMS token's texts). */
export const LINOTP_CODE_PROMPTS = { email: 'e-mail sent successfully', sms: 'sms submitted' } as const;

/** Below this a shared secret is brute-forceable offline from one captured packet. */
export const WEAK_SECRET_LENGTH = 16;

const port = int(LISTEN_RANGES.port);

const listenSection = object(
  {
    address: withDefault(ipAddress, LISTEN_DEFAULTS.address),
    port: withDefault(port, LISTEN_DEFAULTS.port),
    accountingPort: optional(port),
    receiveBufferBytes: withDefault(int(LISTEN_RANGES.receiveBufferBytes), LISTEN_DEFAULTS.receiveBufferBytes),
    duplicateCacheSeconds: withDefault(int(LISTEN_RANGES.duplicateCacheSeconds), LISTEN_DEFAULTS.duplicateCacheSeconds),
    shutdownGraceSeconds: withDefault(int(LISTEN_RANGES.shutdownGraceSeconds), LISTEN_DEFAULTS.shutdownGraceSeconds),
    radsec: radsecListenSection,
  },
  {
    refine: (v, node, ctx, path) => {
      if (v.accountingPort !== undefined && v.accountingPort !== 0 && v.accountingPort === v.port) {
        ctx.error(nodeAt(node, ['accountingPort']), `${path}.accountingPort`, `must differ from ${path}.port (${v.port})`);
      }
    },
  },
);

const udpClientEntry: Check<NasClient> = (node, ctx, path) => {
  const shape = object({
    name: str({ nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, patternText: 'a name of letters, digits, _ . : -' }),
    address: network,
    secret: optional(str()),
    secretFile: optional(str({ nonEmpty: true })),
    requireMessageAuthenticator: withDefault<MessageAuthenticatorPolicy>(oneOf([true, false, 'auto'] as const), true),
    realm: optional(str({ nonEmpty: true })),
  });
  const v = shape(node, ctx, path);
  if (v === INVALID || node === undefined) return INVALID;
  const secret = readSecret(
    { inline: v.secret, file: v.secretFile },
    { inline: nodeAt(node, ['secret']), file: nodeAt(node, ['secretFile']), parent: nodeAt(node, ['secret']) ?? node },
    ctx,
    { inline: `${path}.secret`, file: `${path}.secretFile` },
    true,
  );
  if (secret === INVALID || secret === undefined) return INVALID;
  if (Buffer.byteLength(secret) < WEAK_SECRET_LENGTH) {
    ctx.warn(
      nodeAt(node, ['secret']) ?? nodeAt(node, ['secretFile']),
      `${path}.secret`,
      `client ${v.name}: shared secret is shorter than ${WEAK_SECRET_LENGTH} characters and can be guessed offline from one captured packet; use a longer one when the NAS allows`,
    );
  }
  return { name: v.name, network: v.address, secret, requireMessageAuthenticator: v.requireMessageAuthenticator, ...(v.realm ? { realm: v.realm.toLowerCase() } : {}) };
};

/** A client entry: with `certificate:` a RadSec client, else a UDP one. */
const clientEntry: Check<NasClient | RadsecClient> = (node, ctx, path) => (nodeAt(node, ['certificate']) !== undefined ? radsecClientEntry(node, ctx, path) : udpClientEntry(node, ctx, path));

export function isRadsecClient(c: NasClient | RadsecClient): c is RadsecClient {
  return 'certificate' in c;
}

/** Every entry in the file's order (messages name clients[i]); finish() parts them by transport. */
const clientsSection: Check<(NasClient | RadsecClient)[]> = (node, ctx, path) => {
  const v = list(clientEntry)(node, ctx, path);
  if (v === INVALID) return v;
  const names = new Map<string, number>();
  const networks = new Map<string, number>();
  v.forEach((c, i) => {
    const at = (key: string): Node | undefined => nodeAt(node, [i, key]);
    const prevName = names.get(c.name);
    if (prevName !== undefined) ctx.error(at('name'), `${path}[${i}].name`, `"${c.name}" is already the name of ${path}[${prevName}]`);
    names.set(c.name, i);
    if (isRadsecClient(c)) return;
    const key = `${c.network.bytes.toString('hex')}/${c.network.prefix}`;
    const prevNet = networks.get(key);
    if (prevNet !== undefined) ctx.error(at('address'), `${path}[${i}].address`, `${c.network.text} is already the address of ${path}[${prevNet}] (${v[prevNet]!.name})`);
    networks.set(key, i);
  });
  return v;
};

const auditTarget: Check<string> = (node, ctx, path) => {
  const v = str({ nonEmpty: true })(node, ctx, path);
  if (v === INVALID || v === 'stdout' || v === 'stderr') return v;
  return resolvePath(ctx, v);
};

const logSection = object({
  level: withDefault(oneOf(LOG_LEVELS), 'info' as LogLevel),
  audit: withDefault(auditTarget, 'stdout'),
});

export const sections = {
  listen: withDefault(listenSection, LISTEN_DEFAULTS),
  clients: withDefault(clientsSection, []),
  log: withDefault(logSection, { level: 'info' as LogLevel, audit: 'stdout' }),
  store: storeSection,
  ...userSections,
  ...authSections,
  reply: replySection,
  http: httpSection,
  delivery: deliverySection,
  eap: eapSection,
  admin: adminSection,
  audit: auditSection,
  selfService: selfServiceSection,
  /** `linotp`: the LinOTP FreeRADIUS plugin's Reply-Message texts, unless policy.replyMessages sets its own. */
  compat: optional(oneOf(['linotp'] as const)),
};

export const configShape = object(sections);

export function finish(v: Exclude<ReturnType<typeof configShape>, typeof INVALID>, file: string, ctx: Ctx, root: Node | undefined): Config {
  if (v.clients.length === 0) ctx.warn(nodeAt(root, ['clients']), 'clients', 'no NAS clients configured: every RADIUS request will be dropped');
  const clients = v.clients.filter((c): c is NasClient => !isRadsecClient(c));
  const radsecClients = v.clients.filter(isRadsecClient);
  v.clients.forEach((c, i) => {
    if (isRadsecClient(c) && !v.listen.radsec)
      ctx.warn(nodeAt(root, ['clients', i, 'certificate']), `clients[${i}].certificate`, `client ${c.name} is a RadSec client, but listen.radsec is not set: it can never connect`);
  });
  if (v.listen.radsec && radsecClients.length === 0) ctx.warn(nodeAt(root, ['listen', 'radsec']), 'listen.radsec', 'no client has certificate: every RadSec connection will be refused');
  checkRealms(v.resolvers, v.realms, root, (node, path, message) => ctx.error(node, path, message));
  const realms = Object.fromEntries(Object.entries(v.realms ?? {}).map(([k, r]) => [k.toLowerCase(), r]));
  v.clients.forEach((c, i) => {
    if (c.realm !== undefined && !(c.realm in realms)) ctx.error(nodeAt(root, ['clients', i, 'realm']), `clients[${i}].realm`, `unknown realm "${c.realm}"`);
  });
  const { policy, tokenDefaults } = buildAuthPolicy(v.policy, v.tokens, v.challenges);
  warnRiskySettings(policy, v.clients, v.listen.address, root, ctx);
  if (v.compat === 'linotp') {
    policy.replyMessages.accept ??= LINOTP_REPLY_MESSAGES.accept;
    policy.replyMessages.reject ??= LINOTP_REPLY_MESSAGES.reject;
    // OCRA keeps its own prompt: LinOTP answers a PIN alone with no OCRA challenge at all.
    const given = (type: string): boolean => nodeAt(root, ['policy', 'replyMessages', 'challenge', type]) !== undefined;
    policy.replyMessages.challenge = {
      ...policy.replyMessages.challenge,
      ...(given('hotp') ? {} : { hotp: LINOTP_CHALLENGE_PROMPT }),
      ...(given('totp') ? {} : { totp: LINOTP_CHALLENGE_PROMPT }),
      ...(given('email') ? {} : { email: LINOTP_CODE_PROMPTS.email }),
      ...(given('sms') ? {} : { sms: LINOTP_CODE_PROMPTS.sms }),
    };
  }
  (v.reply ?? []).forEach((r, i) => {
    if (r.realm !== undefined && !(r.realm in realms)) ctx.error(nodeAt(root, ['reply', i, 'realm']), `reply[${i}].realm`, `unknown realm "${r.realm}"`);
  });
  checkDirectoryRealms(v.admin, realms, root, ctx);
  checkSelfServiceRealms(v.selfService, realms, root, ctx);
  return {
    file,
    listen: v.listen,
    clients,
    radsecClients,
    log: v.log,
    store: v.store,
    resolvers: v.resolvers ?? {},
    realms,
    policy,
    tokenDefaults,
    reply: v.reply ?? [],
    admin: v.admin,
    audit: v.audit,
    selfService: v.selfService,
    ...(v.http ? { http: v.http } : {}),
    ...(v.delivery ? { delivery: v.delivery } : {}),
    ...(v.eap ? { eap: v.eap } : {}),
  };
}
