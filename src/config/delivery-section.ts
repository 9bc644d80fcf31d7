// Config section `delivery`: how codes for e-mail and SMS tokens are sent
// (an SMTP server, an HTTP SMS gateway) and how often. Templates, patterns,
// CA files and secrets are checked here, so a typo stops the start at its
// line instead of failing a user's login.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isSeq, type Node } from 'yaml';
import { fromAddressProblem } from '../delivery/email-address.ts';
import { DELIVERY_DEFAULTS, type DeliveryOptions, type EmailOptions, type SmsAuth, type SmsOptions, type SmtpTls } from '../delivery/options.ts';
import { countryProblem } from '../delivery/phone.ts';
import { GATEWAY_PLACEHOLDERS, MESSAGE_PLACEHOLDERS, placeholdersOf, templateProblem, timeZoneProblem } from '../delivery/template.ts';
import { expandEnv, readSecret, resolvePath } from './secret.ts';
import { bool, checked, INVALID, int, list, nodeAt, object, oneOf, optional, record, str, withDefault, type Check, type Ctx } from './schema.ts';

export type DeliveryConfig = DeliveryOptions;

const SMTP_PORTS: Record<SmtpTls, number> = { starttls: 587, implicit: 465, none: 25 };
/** NAS clients commonly give up after 3-10 s; a send must end well before. */
const SLOW_TIMEOUT_MS = 10_000;

const messageTemplate = checked((v) => templateProblem(v, MESSAGE_PLACEHOLDERS));
const gatewayTemplate = checked((v) => templateProblem(v, GATEWAY_PLACEHOLDERS), { nonEmpty: false });
const timeoutMs = withDefault(int({ min: 100, max: 60_000 }), DELIVERY_DEFAULTS.timeoutMs);
const HOST = /^[A-Za-z0-9_.:-]+$/;

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** PEM text of a CA file, or INVALID with the reason at the caFile key. */
function readCa(file: string | undefined, node: Node | undefined, ctx: Ctx, path: string): string | undefined | typeof INVALID {
  if (file === undefined) return undefined;
  const p = resolvePath(ctx, file);
  let pem: string;
  try {
    pem = readFileSync(p, 'utf8');
  } catch (e) {
    ctx.error(nodeAt(node, ['caFile']), `${path}.caFile`, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return INVALID;
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    ctx.error(nodeAt(node, ['caFile']), `${path}.caFile`, `${p} holds no PEM certificate`);
    return INVALID;
  }
  return pem;
}

/** `password` / `passwordFile` (or another pair) under `node`. */
function secretPair(node: Node | undefined, ctx: Ctx, path: string, key: string, value: { inline?: string; file?: string }, required: boolean): string | undefined | typeof INVALID {
  return readSecret(value, { inline: nodeAt(node, [key]), file: nodeAt(node, [`${key}File`]), parent: node }, ctx, { inline: `${path}.${key}`, file: `${path}.${key}File` }, required);
}

const smtpShape = object({
  host: str({ nonEmpty: true, pattern: HOST, patternText: 'a host name or IP address' }),
  port: optional(int({ min: 1, max: 65535 })),
  tls: withDefault(oneOf<SmtpTls>(['starttls', 'implicit', 'none']), 'starttls' as SmtpTls),
  tlsVerify: withDefault(bool(), true),
  caFile: optional(str({ nonEmpty: true })),
  maxConnections: withDefault(int({ min: 1, max: 20 }), DELIVERY_DEFAULTS.smtpMaxConnections),
});

const emailShape = object({
  smtp: smtpShape,
  auth: optional(object({ user: str({ nonEmpty: true }), password: optional(str()), passwordFile: optional(str({ nonEmpty: true })) })),
  from: checked(fromAddressProblem),
  subject: withDefault(messageTemplate, 'Your login code'),
  body: withDefault(messageTemplate, 'Your login code is {otp}. It is valid until {validUntil}.'),
  html: optional(messageTemplate),
  timeoutMs,
});

function emailSection(timeZone: string | undefined): Check<EmailOptions> {
  return (node, ctx, path) => {
    const v = emailShape(node, ctx, path);
    if (v === INVALID) return INVALID;
    let ok = true;
    const smtpNode = nodeAt(node, ['smtp']);
    const ca = readCa(v.smtp.caFile, smtpNode, ctx, `${path}.smtp`);
    if (ca === INVALID) ok = false;
    let auth: EmailOptions['auth'];
    if (v.auth) {
      const password = secretPair(nodeAt(node, ['auth']), ctx, `${path}.auth`, 'password', { inline: v.auth.password, file: v.auth.passwordFile }, true);
      if (password === INVALID || password === undefined) ok = false;
      else auth = { user: v.auth.user, password };
    }
    for (const key of ['body', 'html'] as const) {
      const text = v[key];
      if (text !== undefined && !placeholdersOf(text).includes('otp')) {
        ctx.error(nodeAt(node, [key]) ?? node, `${path}.${key}`, 'must contain {otp}, or the user never sees the code');
        ok = false;
      }
    }
    if (!ok || ca === INVALID) return INVALID;
    const at = (key: string): Node | undefined => nodeAt(smtpNode, [key]) ?? smtpNode;
    if (v.smtp.tls === 'none' && !isLoopback(v.smtp.host)) {
      ctx.warn(at('tls'), `${path}.smtp.tls`, `codes${auth ? ' and the SMTP password' : ''} travel in clear to ${v.smtp.host}; use starttls or implicit`);
    }
    if (!v.smtp.tlsVerify && v.smtp.tls !== 'none') ctx.warn(at('tlsVerify'), `${path}.smtp.tlsVerify`, 'the mail server certificate is not checked: anyone in the path can read the codes');
    if (v.timeoutMs > SLOW_TIMEOUT_MS) ctx.warn(nodeAt(node, ['timeoutMs']), `${path}.timeoutMs`, `over ${SLOW_TIMEOUT_MS} ms: the NAS may give up on the login before a slow send fails`);
    return {
      smtp: {
        host: v.smtp.host,
        port: v.smtp.port ?? SMTP_PORTS[v.smtp.tls],
        tls: v.smtp.tls,
        tlsVerify: v.smtp.tlsVerify,
        ...(ca !== undefined ? { ca } : {}),
        maxConnections: v.smtp.maxConnections,
      },
      ...(auth ? { auth } : {}),
      from: v.from,
      subject: v.subject,
      body: v.body,
      ...(v.html !== undefined ? { html: v.html } : {}),
      timeoutMs: v.timeoutMs,
      ...(timeZone !== undefined ? { timeZone } : {}),
    };
  };
}

const httpUrl = checked((v) => {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'expected an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http:// or https:// URL, got a ${url.protocol} URL`;
  if (url.username || url.password) return 'put credentials under auth (user, password), not in the URL';
  return undefined;
});

const statusList: Check<number[]> = (node, ctx, path) => {
  const code = int({ min: 100, max: 599 });
  if (node !== undefined && isSeq(node)) return list(code, { minItems: 1 })(node, ctx, path);
  const one = code(node, ctx, path);
  return one === INVALID ? INVALID : [one];
};

const regex = checked((v) => {
  try {
    new RegExp(v);
    return undefined;
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
});

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerValue = checked((v) => (/[\r\n\0]/.test(v) ? 'a header value cannot span lines' : templateProblem(v, GATEWAY_PLACEHOLDERS)));

const smsShape = object({
  url: httpUrl,
  method: withDefault(oneOf(['GET', 'POST'] as const), 'POST' as const),
  params: record(gatewayTemplate),
  body: optional(oneOf(['form', 'json'] as const)),
  headers: optional(record(headerValue, { namePattern: HEADER_NAME })),
  auth: optional(
    object({
      user: optional(str({ nonEmpty: true })),
      password: optional(str()),
      passwordFile: optional(str({ nonEmpty: true })),
      bearer: optional(str()),
      bearerFile: optional(str({ nonEmpty: true })),
    }),
  ),
  message: withDefault(messageTemplate, DELIVERY_DEFAULTS.smsMessage),
  success: optional(object({ status: withDefault(statusList, [...DELIVERY_DEFAULTS.smsSuccessStatus]), bodyRegex: optional(regex) })),
  timeoutMs,
  defaultCountry: optional(checked(countryProblem)),
  tlsVerify: withDefault(bool(), true),
  caFile: optional(str({ nonEmpty: true })),
});

function smsAuth(
  v: { user?: string; password?: string; passwordFile?: string; bearer?: string; bearerFile?: string },
  node: Node | undefined,
  ctx: Ctx,
  path: string,
): SmsAuth | undefined | typeof INVALID {
  const basic = v.user !== undefined || v.password !== undefined || v.passwordFile !== undefined;
  const bearer = v.bearer !== undefined || v.bearerFile !== undefined;
  if (basic && bearer) {
    ctx.error(node, path, 'give either user and password (basic auth) or bearer, not both');
    return INVALID;
  }
  if (bearer) {
    const token = secretPair(node, ctx, path, 'bearer', { inline: v.bearer, file: v.bearerFile }, true);
    return token === INVALID || token === undefined ? INVALID : { bearer: token };
  }
  if (v.user === undefined) {
    ctx.error(node, `${path}.user`, 'required with password (basic auth); or give bearer');
    return INVALID;
  }
  const password = secretPair(node, ctx, path, 'password', { inline: v.password, file: v.passwordFile }, true);
  return password === INVALID || password === undefined ? INVALID : { basic: { user: v.user, password } };
}

/** `${env:X}` in parameter and header values: gateways often take their API key there. */
function expandAll(values: Record<string, string>, node: Node | undefined, ctx: Ctx, path: string): Record<string, string> | typeof INVALID {
  const out: Record<string, string> = {};
  let ok = true;
  for (const [name, value] of Object.entries(values)) {
    const v = expandEnv(value, nodeAt(node, [name]), ctx, `${path}.${name}`);
    if (v === INVALID) ok = false;
    else out[name] = v;
  }
  return ok ? out : INVALID;
}

function smsSection(timeZone: string | undefined): Check<SmsOptions> {
  return (node, ctx, path) => {
    const v = smsShape(node, ctx, path);
    if (v === INVALID) return INVALID;
    let ok = true;
    const fail = (key: string, message: string): void => {
      ctx.error(nodeAt(node, [key]) ?? node, `${path}.${key}`, message);
      ok = false;
    };
    const used = Object.values(v.params).flatMap(placeholdersOf);
    if (!used.includes('phone')) fail('params', 'no parameter carries the number: give one the template {phone}');
    if (!used.includes('otp') && !(used.includes('message') && placeholdersOf(v.message).includes('otp'))) {
      fail('params', 'no parameter carries the code: use {otp}, or {message} with a message that contains {otp}');
    }
    if (!placeholdersOf(v.message).includes('otp') && used.includes('message')) fail('message', 'must contain {otp}, or the user never sees the code');
    if (v.method === 'GET' && v.body !== undefined) fail('body', 'used only with method POST; GET sends the parameters in the query');
    const ca = readCa(v.caFile, node, ctx, path);
    const auth = v.auth ? smsAuth(v.auth, nodeAt(node, ['auth']), ctx, `${path}.auth`) : undefined;
    const params = expandAll(v.params, nodeAt(node, ['params']), ctx, `${path}.params`);
    const headers = expandAll(v.headers ?? {}, nodeAt(node, ['headers']), ctx, `${path}.headers`);
    if (!ok || ca === INVALID || auth === INVALID || params === INVALID || headers === INVALID) return INVALID;
    const url = new URL(v.url);
    if (url.protocol === 'http:' && !isLoopback(url.hostname))
      ctx.warn(nodeAt(node, ['url']), `${path}.url`, `codes${auth ? ' and the gateway credentials' : ''} travel in clear to ${url.host}; use https`);
    if (!v.tlsVerify) ctx.warn(nodeAt(node, ['tlsVerify']), `${path}.tlsVerify`, 'the gateway certificate is not checked: anyone in the path can read the codes');
    if (v.timeoutMs > SLOW_TIMEOUT_MS) ctx.warn(nodeAt(node, ['timeoutMs']), `${path}.timeoutMs`, `over ${SLOW_TIMEOUT_MS} ms: the NAS may give up on the login before a slow send fails`);
    if (v.defaultCountry === undefined) ctx.warn(node, `${path}.defaultCountry`, 'not set: numbers without a country code (+49...) cannot be used');
    return {
      url: v.url,
      method: v.method,
      params,
      body: v.body ?? 'form',
      headers,
      ...(auth ? { auth } : {}),
      message: v.message,
      success: {
        status: v.success?.status ?? [...DELIVERY_DEFAULTS.smsSuccessStatus],
        ...(v.success?.bodyRegex !== undefined ? { bodyRegex: new RegExp(v.success.bodyRegex) } : {}),
      },
      timeoutMs: v.timeoutMs,
      ...(v.defaultCountry !== undefined ? { defaultCountry: v.defaultCountry } : {}),
      tlsVerify: v.tlsVerify,
      ...(ca !== undefined ? { ca } : {}),
      ...(timeZone !== undefined ? { timeZone } : {}),
    };
  };
}

const limitsShape = object({
  resendIntervalSeconds: withDefault(int({ min: 0, max: 3600 }), DELIVERY_DEFAULTS.limits.resendIntervalMs / 1000),
  maxPerHourPerUser: withDefault(int({ min: 1, max: 1000 }), DELIVERY_DEFAULTS.limits.maxPerHourPerUser),
  maxPerHourPerDestination: withDefault(int({ min: 1, max: 1000 }), DELIVERY_DEFAULTS.limits.maxPerHourPerDestination),
});

const shape = object({
  timeZone: optional(checked(timeZoneProblem)),
  limits: optional(limitsShape),
  // Checked below with the time zone in hand.
  email: optional((node) => node),
  sms: optional((node) => node),
});

export const deliverySection: Check<DeliveryConfig | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  const v = shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const email = v.email !== undefined ? emailSection(v.timeZone)(v.email, ctx, `${path}.email`) : undefined;
  const sms = v.sms !== undefined ? smsSection(v.timeZone)(v.sms, ctx, `${path}.sms`) : undefined;
  if (email === INVALID || sms === INVALID) return INVALID;
  if (!email && !sms) ctx.warn(node, path, 'neither email nor sms is configured: e-mail and SMS tokens cannot get codes');
  const limits = v.limits ?? {
    resendIntervalSeconds: DELIVERY_DEFAULTS.limits.resendIntervalMs / 1000,
    maxPerHourPerUser: DELIVERY_DEFAULTS.limits.maxPerHourPerUser,
    maxPerHourPerDestination: DELIVERY_DEFAULTS.limits.maxPerHourPerDestination,
  };
  return {
    ...(email ? { email } : {}),
    ...(sms ? { sms } : {}),
    limits: { resendIntervalMs: limits.resendIntervalSeconds * 1000, maxPerHourPerUser: limits.maxPerHourPerUser, maxPerHourPerDestination: limits.maxPerHourPerDestination },
  };
};
