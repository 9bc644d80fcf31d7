// Config section `http`: the LinOTP-compatible validate API, health and
// metrics. Off unless the section is present.

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { isScalar } from 'yaml';
import { ipAddress, network } from './address-checks.ts';
import { parseCidr, type Cidr } from '../net/cidr.ts';
import { resolvePath } from './secret.ts';
import { INVALID, int, list, nodeAt, object, optional, str, withDefault, type Check } from './schema.ts';

export interface HttpConfig {
  listen: { address: string; port: number };
  tls?: { cert: string; key: string; certPem: Buffer; keyPem: Buffer };
  /** Networks allowed to call the API; everyone else gets 403. */
  allow: Cidr[];
  maxBodyBytes: number;
  /** Seconds a client may take to send a request. */
  requestTimeoutSeconds: number;
}

const DEFAULT_ALLOW = ['127.0.0.0/8', '::1'];
const DEFAULT_LISTEN = { address: '127.0.0.1', port: 5000 };
const DEFAULT_MAX_BODY = 16 * 1024;
const DEFAULT_TIMEOUT = 10;

const shape = object({
  listen: withDefault(object({ address: withDefault(ipAddress, DEFAULT_LISTEN.address), port: withDefault(int({ min: 0, max: 65535 }), DEFAULT_LISTEN.port) }), DEFAULT_LISTEN),
  tls: optional(object({ cert: str({ nonEmpty: true }), key: str({ nonEmpty: true }) })),
  allow: optional(list(network, { minItems: 1 })),
  maxBodyBytes: withDefault(int({ min: 1024, max: 1024 * 1024 }), DEFAULT_MAX_BODY),
  requestTimeoutSeconds: withDefault(int({ min: 1, max: 300 }), DEFAULT_TIMEOUT),
});

export const httpSection: Check<HttpConfig | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  // A bare `http:` turns the API on with every default.
  if (isScalar(node) && node.value === null) return { listen: { ...DEFAULT_LISTEN }, allow: DEFAULT_ALLOW.map((a) => parseCidr(a)), maxBodyBytes: DEFAULT_MAX_BODY, requestTimeoutSeconds: DEFAULT_TIMEOUT };
  const v = shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  let tls: HttpConfig['tls'];
  if (v.tls) {
    const files: Record<'cert' | 'key', Buffer> = { cert: Buffer.alloc(0), key: Buffer.alloc(0) };
    for (const which of ['cert', 'key'] as const) {
      const file = resolvePath(ctx, v.tls[which]);
      try {
        files[which] = readFileSync(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
        ctx.error(nodeAt(node, ['tls', which]), `${path}.tls.${which}`, `cannot read ${file}: ${why}`);
        return INVALID;
      }
      if (!files[which].toString('latin1').includes('-----BEGIN')) {
        ctx.error(nodeAt(node, ['tls', which]), `${path}.tls.${which}`, `${file} is not PEM (no -----BEGIN line)`);
        return INVALID;
      }
    }
    // A key that does not belong to the certificate would otherwise only show at start-up.
    try {
      createSecureContext({ cert: files.cert, key: files.key });
    } catch (e) {
      ctx.error(nodeAt(node, ['tls']), `${path}.tls`, `the certificate and key do not load together: ${(e as Error).message}`);
      return INVALID;
    }
    tls = { cert: resolvePath(ctx, v.tls.cert), key: resolvePath(ctx, v.tls.key), certPem: files.cert, keyPem: files.key };
  }
  return {
    listen: v.listen,
    ...(tls ? { tls } : {}),
    allow: v.allow ?? DEFAULT_ALLOW.map((a) => parseCidr(a)),
    maxBodyBytes: v.maxBodyBytes,
    requestTimeoutSeconds: v.requestTimeoutSeconds,
  };
};
