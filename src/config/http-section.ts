// Config section `http`: the HTTP listeners (LinOTP's validate API, health,
// metrics, the admin API, the admin console and the self-service portal).
// Off unless the section is present. Two shapes: one listener written as
// `listen`/`tls`/`allow` (serving every default service), or named
// `listeners`, each with its own address, TLS, allow list and services.

import { createSecureContext } from 'node:tls';
import { isScalar, type Node } from 'yaml';
import { ipAddress, network } from './address-checks.ts';
import { addressBytes, cidrContains, parseCidr, type Cidr } from '../net/cidr.ts';
import { DEFAULT_SERVICES, HTTP_DEFAULTS, HTTP_SERVICES, SESSION_SERVICES, type HttpListenerOptions, type HttpOptions, type HttpService, type HttpTlsOptions } from '../http/options.ts';
import { readPem } from './pem.ts';
import { resolvePath } from './secret.ts';
import { bool, INVALID, int, list, nodeAt, object, oneOf, optional, required, str, withDefault, type Check, type Ctx } from './schema.ts';

export type HttpConfig = HttpOptions;

const LOOPBACK = [parseCidr('127.0.0.0/8'), parseCidr('::1')];
const SINGLE_KEYS = ['listen', 'tls', 'allow', 'allowPlaintext', 'serve'] as const;

const file = str({ nonEmpty: true });
const port = int({ min: 0, max: 65535 });

export function isLoopbackAddress(address: string): boolean {
  const bytes = addressBytes(address);
  return bytes !== undefined && LOOPBACK.some((n) => cidrContains(n, bytes));
}

/**
 * `tls: { certFile, keyFile }`; `cert`/`key` are the names of the first
 * release and still read. The files are read here so that a missing file or a
 * key of another certificate stops the start, or a SIGHUP reload, on its line.
 */
const tlsCheck: Check<HttpTlsOptions> = (node, ctx, path) => {
  const v = object({ certFile: optional(file), keyFile: optional(file), cert: optional(file), key: optional(file) })(node, ctx, path);
  if (v === INVALID) return INVALID;
  const pick = (which: 'cert' | 'key'): { name: string; key: string } | typeof INVALID => {
    const modern = v[`${which}File`];
    const old = v[which];
    if (modern !== undefined && old !== undefined) {
      ctx.error(nodeAt(node, [which]), `${path}.${which}`, `give either ${which}File or ${which}, not both`);
      return INVALID;
    }
    const name = modern ?? old;
    if (name === undefined) {
      ctx.error(node, `${path}.${which}File`, 'required, a non-empty string');
      return INVALID;
    }
    return { name, key: modern !== undefined ? `${which}File` : which };
  };
  const certName = pick('cert');
  const keyName = pick('key');
  if (certName === INVALID || keyName === INVALID) return INVALID;
  const cert = readPem(ctx, nodeAt(node, [certName.key]), `${path}.${certName.key}`, certName.name);
  const key = readPem(ctx, nodeAt(node, [keyName.key]), `${path}.${keyName.key}`, keyName.name);
  if (cert === INVALID || key === INVALID) return INVALID;
  // A key that does not belong to the certificate would otherwise only show at start-up.
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    ctx.error(node, path, `the certificate and key do not load together: ${(e as Error).message}`);
    return INVALID;
  }
  return { certFile: resolvePath(ctx, certName.name), keyFile: resolvePath(ctx, keyName.name), cert, key };
};

const serveCheck: Check<HttpService[]> = (node, ctx, path) => {
  const v = list(oneOf(HTTP_SERVICES), { minItems: 1 })(node, ctx, path);
  if (v === INVALID) return INVALID;
  if (new Set(v).size !== v.length) {
    ctx.error(node, path, 'a service is listed twice');
    return INVALID;
  }
  return v;
};

const listenerEntry = object({
  name: str({ nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, patternText: 'a name of letters, digits, _ . -' }),
  address: withDefault(ipAddress, HTTP_DEFAULTS.address),
  port: required(port, 'a whole number from 0 to 65535'),
  tls: optional(tlsCheck),
  allow: optional(list(network, { minItems: 1 })),
  serve: serveCheck,
  allowPlaintext: withDefault(bool(), false),
});

const shape = object({
  listen: optional(object({ address: withDefault(ipAddress, HTTP_DEFAULTS.address), port: withDefault(port, HTTP_DEFAULTS.port) })),
  tls: optional(tlsCheck),
  allow: optional(list(network, { minItems: 1 })),
  allowPlaintext: optional(bool()),
  serve: optional(serveCheck),
  listeners: optional(list(listenerEntry, { minItems: 1 })),
  maxBodyBytes: withDefault(int({ min: 1024, max: 1024 * 1024 }), HTTP_DEFAULTS.maxBodyBytes),
  requestTimeoutSeconds: withDefault(int({ min: 1, max: 300 }), HTTP_DEFAULTS.requestTimeoutSeconds),
});

function defaultAllow(): Cidr[] {
  return HTTP_DEFAULTS.allow.map((a) => parseCidr(a));
}

/** The services of a listener whose passwords and session cookies would travel in clear off loopback. */
function sessionsInClear(l: HttpListenerOptions): HttpService[] {
  return l.tls === undefined && !isLoopbackAddress(l.address) ? l.serve.filter((s) => SESSION_SERVICES.includes(s)) : [];
}

/** Refusals and warnings that need the whole listener; `at(key)` finds the node of one of its keys. */
function checkListener(given: HttpListenerOptions, path: string, at: (key: string) => Node | undefined, ctx: Ctx, explicitServe: boolean): HttpListenerOptions {
  let l = given;
  const inClear = sessionsInClear(l);
  if (inClear.length > 0 && !l.allowPlaintext) {
    // A config from before the admin API keeps working: admin and the pages are served only where they were asked for.
    if (!explicitServe) l = { ...l, serve: l.serve.filter((s) => !SESSION_SERVICES.includes(s)) };
    else ctx.error(at('serve'), `${path}.serve`, `serves ${inClear.join(', ')} on ${l.address} without TLS: add tls (certFile, keyFile), listen on a loopback address, or set allowPlaintext: true`);
  } else if (l.allowPlaintext) {
    const whose = inClear.includes('self') ? (inClear.length > 1 ? 'user and admin' : 'user') : 'admin';
    const why =
      inClear.length > 0 ? `${whose} passwords and session cookies travel in clear` : `it has no effect here (TLS is on, the address is loopback or none of ${SESSION_SERVICES.join(', ')} is served)`;
    ctx.warn(at('allowPlaintext'), `${path}.allowPlaintext`, `listener ${l.name}: ${why}`);
  }
  if (l.serve.includes('validate') && l.tls === undefined && !isLoopbackAddress(l.address)) {
    ctx.warn(at('address'), path, `listener ${l.name} on ${l.address} without TLS: PINs and OTPs sent to /validate travel in clear; add tls`);
  }
  return l;
}

function single(v: Exclude<ReturnType<typeof shape>, typeof INVALID>, node: Node | undefined, ctx: Ctx, path: string): HttpListenerOptions {
  const listen = v.listen ?? { address: HTTP_DEFAULTS.address, port: HTTP_DEFAULTS.port };
  const listener: HttpListenerOptions = {
    name: 'http',
    address: listen.address,
    port: listen.port,
    ...(v.tls ? { tls: v.tls } : {}),
    allow: v.allow ?? defaultAllow(),
    serve: v.serve ?? [...DEFAULT_SERVICES],
    allowPlaintext: v.allowPlaintext ?? false,
  };
  const at = (key: string): Node | undefined => (key === 'address' ? (nodeAt(node, ['listen', 'address']) ?? nodeAt(node, ['listen'])) : nodeAt(node, [key])) ?? node;
  return checkListener(listener, path, at, ctx, v.serve !== undefined);
}

function named(v: Exclude<ReturnType<typeof shape>, typeof INVALID>, node: Node | undefined, ctx: Ctx, path: string): HttpListenerOptions[] {
  const given = SINGLE_KEYS.filter((k) => v[k] !== undefined);
  if (given.length > 0) ctx.error(nodeAt(node, [given[0]!]), `${path}.${given[0]}`, `with ${path}.listeners, give ${given.join(', ')} in each listener`);
  const names = new Map<string, number>();
  const sockets = new Map<string, number>();
  return (v.listeners ?? []).map((entry, i) => {
    const at = (key: string): Node | undefined => nodeAt(node, ['listeners', i, key]) ?? nodeAt(node, ['listeners', i]);
    const where = `${path}.listeners[${i}]`;
    const earlier = names.get(entry.name);
    if (earlier !== undefined) ctx.error(at('name'), `${where}.name`, `"${entry.name}" is already the name of ${path}.listeners[${earlier}]`);
    names.set(entry.name, i);
    const socket = `${addressBytes(entry.address)!.toString('hex')}:${entry.port}`;
    const clash = sockets.get(socket);
    if (entry.port !== 0 && clash !== undefined) ctx.error(at('port'), `${where}.port`, `${entry.address} port ${entry.port} is already taken by ${path}.listeners[${clash}]`);
    sockets.set(socket, i);
    const listener: HttpListenerOptions = {
      name: entry.name,
      address: entry.address,
      port: entry.port,
      ...(entry.tls ? { tls: entry.tls } : {}),
      allow: entry.allow ?? defaultAllow(),
      serve: entry.serve,
      allowPlaintext: entry.allowPlaintext,
    };
    return checkListener(listener, where, at, ctx, true);
  });
}

export const httpSection: Check<HttpConfig | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  const limits = { maxBodyBytes: HTTP_DEFAULTS.maxBodyBytes, requestTimeoutSeconds: HTTP_DEFAULTS.requestTimeoutSeconds };
  // A bare `http:` turns the API on with every default.
  if (isScalar(node) && node.value === null) {
    return { listeners: [{ name: 'http', address: HTTP_DEFAULTS.address, port: HTTP_DEFAULTS.port, allow: defaultAllow(), serve: [...DEFAULT_SERVICES], allowPlaintext: false }], ...limits };
  }
  const v = shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const before = ctx.issues.length;
  const listeners = v.listeners !== undefined ? named(v, node, ctx, path) : [single(v, node, ctx, path)];
  if (ctx.issues.length > before) return INVALID;
  return { listeners, maxBodyBytes: v.maxBodyBytes, requestTimeoutSeconds: v.requestTimeoutSeconds };
};
