// Config section `eap`: EAP-TTLS and PEAP on the RADIUS listeners. Off
// unless present. The certificate files are read here, so a missing file or
// a key that does not match its certificate stops the start (and a SIGHUP
// reload) with the file and line of the setting.

import { createSecureContext } from 'node:tls';
import { EAP_DEFAULTS, type EapMethodName, type EapOptions, type EapTlsOptions, type TlsVersionName } from '../eap/options.ts';
import { readPem } from './pem.ts';
import { resolvePath } from './secret.ts';
import { INVALID, int, list, nodeAt, object, oneOf, optional, str, withDefault, type Check } from './schema.ts';

const METHODS: readonly EapMethodName[] = ['ttls', 'peap'];
const VERSIONS: readonly TlsVersionName[] = ['TLSv1.2', 'TLSv1.3'];

const file = str({ nonEmpty: true });

const shape = object({
  methods: withDefault(list(oneOf(METHODS), { minItems: 1 }), [...METHODS]),
  tls: object({
    certFile: file,
    keyFile: file,
    caFile: optional(file),
    minVersion: withDefault(oneOf(VERSIONS), 'TLSv1.2' as TlsVersionName),
    maxVersion: withDefault(oneOf(VERSIONS), 'TLSv1.3' as TlsVersionName),
  }),
  // An EAP packet in one Access-Challenge; RADIUS packets end at 4096 bytes.
  fragmentSize: withDefault(int({ min: 128, max: 3000 }), EAP_DEFAULTS.fragmentSize),
  limits: withDefault(
    object({
      maxConversations: withDefault(int({ min: 1, max: 1_000_000 }), EAP_DEFAULTS.limits.maxConversations),
      maxRounds: withDefault(int({ min: 4, max: 1000 }), EAP_DEFAULTS.limits.maxRounds),
      maxBytes: withDefault(int({ min: 4096, max: 1 << 20 }), EAP_DEFAULTS.limits.maxBytes),
      timeoutSeconds: withDefault(int({ min: 1, max: 600 }), EAP_DEFAULTS.limits.timeoutSeconds),
    }),
    { ...EAP_DEFAULTS.limits },
  ),
  resumption: withDefault(
    object({
      lifetimeSeconds: withDefault(int({ min: 0, max: 7 * 86400 }), EAP_DEFAULTS.resumption.lifetimeSeconds),
      maxSessions: withDefault(int({ min: 1, max: 1_000_000 }), EAP_DEFAULTS.resumption.maxSessions),
    }),
    { ...EAP_DEFAULTS.resumption },
  ),
});

export const eapSection: Check<EapOptions | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  const v = shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const methods = [...new Set(v.methods)];
  if (methods.length !== v.methods.length) ctx.error(nodeAt(node, ['methods']), `${path}.methods`, 'a method is listed twice');
  const at = (key: string) => nodeAt(node, ['tls', key]);
  if (VERSIONS.indexOf(v.tls.minVersion) > VERSIONS.indexOf(v.tls.maxVersion)) {
    ctx.error(at('minVersion'), `${path}.tls.minVersion`, `${v.tls.minVersion} is above maxVersion ${v.tls.maxVersion}`);
    return INVALID;
  }
  const cert = readPem(ctx, at('certFile'), `${path}.tls.certFile`, v.tls.certFile);
  const key = readPem(ctx, at('keyFile'), `${path}.tls.keyFile`, v.tls.keyFile);
  const ca = v.tls.caFile === undefined ? undefined : readPem(ctx, at('caFile'), `${path}.tls.caFile`, v.tls.caFile);
  if (cert === INVALID || key === INVALID || ca === INVALID) return INVALID;
  // A key that does not belong to the certificate would otherwise only show in the first handshake.
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (e) {
    ctx.error(nodeAt(node, ['tls']), `${path}.tls`, `the certificate, key and CA do not load together: ${(e as Error).message}`);
    return INVALID;
  }
  const tls: EapTlsOptions = {
    certFile: resolvePath(ctx, v.tls.certFile),
    keyFile: resolvePath(ctx, v.tls.keyFile),
    ...(v.tls.caFile !== undefined ? { caFile: resolvePath(ctx, v.tls.caFile) } : {}),
    cert,
    key,
    ...(ca ? { ca } : {}),
    minVersion: v.tls.minVersion,
    maxVersion: v.tls.maxVersion,
  };
  return { methods, tls, fragmentSize: v.fragmentSize, limits: v.limits, resumption: v.resumption };
};
