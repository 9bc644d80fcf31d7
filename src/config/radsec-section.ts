// Config for RadSec: `listen.radsec` (the TLS listener; off unless present)
// and the client entries matched by certificate instead of address and
// secret. The PEM files are read here, so a missing file or a key of another
// certificate stops the start (and a SIGHUP reload) on the setting's line.

import { createSecureContext } from 'node:tls';
import type { Node } from 'yaml';
import { ipAddress, network } from './address-checks.ts';
import type { MessageAuthenticatorPolicy } from '../radius/clients.ts';
import { parseFingerprint, parseSubject, type CertificateMatch, type RadsecClient } from '../radius/radsec-clients.ts';
import { RADSEC_DEFAULTS, RADSEC_RANGES, type RadiusVersion, type RadsecListenOptions, type RadsecTlsVersion } from '../radius/radsec-options.ts';
import { readPem } from './pem.ts';
import { resolvePath } from './secret.ts';
import { INVALID, int, list, nodeAt, object, oneOf, optional, str, withDefault, type Check, type Ctx } from './schema.ts';

const file = str({ nonEmpty: true });
const VERSIONS: readonly RadiusVersion[] = ['1.0', '1.1'];

/** "1.0" or "1.1"; unquoted, YAML reads them as the numbers 1 and 1.1, which mean the same here. */
const radiusVersion: Check<RadiusVersion> = (node, ctx, path) => {
  const value = node !== undefined && 'value' in node ? (node as { value: unknown }).value : undefined;
  const text = typeof value === 'number' ? value.toFixed(1) : value;
  if (text === '1.0' || text === '1.1') return text;
  ctx.error(node, path, `expected one of ${VERSIONS.map((x) => `"${x}"`).join(', ')}`);
  return INVALID;
};

const listenShape = object({
  address: withDefault(ipAddress, RADSEC_DEFAULTS.address),
  port: withDefault(int(RADSEC_RANGES.port), RADSEC_DEFAULTS.port),
  certFile: file,
  keyFile: file,
  caFile: file,
  crlFile: optional(file),
  minVersion: withDefault(oneOf<RadsecTlsVersion>(['TLSv1.2', 'TLSv1.3']), RADSEC_DEFAULTS.minVersion),
  radiusVersions: withDefault(list(radiusVersion, { minItems: 1 }), RADSEC_DEFAULTS.radiusVersions),
  maxConnections: withDefault(int(RADSEC_RANGES.maxConnections), RADSEC_DEFAULTS.maxConnections),
  maxInFlight: withDefault(int(RADSEC_RANGES.maxInFlight), RADSEC_DEFAULTS.maxInFlight),
  idleTimeoutSeconds: withDefault(int(RADSEC_RANGES.idleTimeoutSeconds), RADSEC_DEFAULTS.idleTimeoutSeconds),
  handshakeTimeoutSeconds: withDefault(int(RADSEC_RANGES.handshakeTimeoutSeconds), RADSEC_DEFAULTS.handshakeTimeoutSeconds),
});

/** A PEM file that must hold at least one CRL (a certificate put there by mistake would check nothing). */
function readCrl(ctx: Ctx, node: Node | undefined, path: string, name: string): Buffer | typeof INVALID {
  const pem = readPem(ctx, node, path, name);
  if (pem === INVALID) return INVALID;
  if (!pem.toString('latin1').includes('-----BEGIN X509 CRL-----')) {
    ctx.error(node, path, `${resolvePath(ctx, name)} holds no CRL (no -----BEGIN X509 CRL----- line)`);
    return INVALID;
  }
  return pem;
}

export const radsecListenSection: Check<RadsecListenOptions | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  const v = listenShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const at = (key: string): Node | undefined => nodeAt(node, [key]);
  const cert = readPem(ctx, at('certFile'), `${path}.certFile`, v.certFile);
  const key = readPem(ctx, at('keyFile'), `${path}.keyFile`, v.keyFile);
  const ca = readPem(ctx, at('caFile'), `${path}.caFile`, v.caFile);
  const crl = v.crlFile === undefined ? undefined : readCrl(ctx, at('crlFile'), `${path}.crlFile`, v.crlFile);
  if (cert === INVALID || key === INVALID || ca === INVALID || crl === INVALID) return INVALID;
  // A key that does not belong to the certificate would otherwise only show in the first handshake.
  try {
    createSecureContext({ cert, key, ca, ...(crl ? { crl } : {}) });
  } catch (e) {
    ctx.error(node, path, `the certificate, key${crl ? ', CA and CRL' : ' and CA'} do not load together: ${(e as Error).message}`);
    return INVALID;
  }
  const radiusVersions = [...new Set(v.radiusVersions)];
  if (radiusVersions.length !== v.radiusVersions.length) ctx.error(at('radiusVersions'), `${path}.radiusVersions`, 'a version is listed twice');
  return {
    address: v.address,
    port: v.port,
    certFile: resolvePath(ctx, v.certFile),
    keyFile: resolvePath(ctx, v.keyFile),
    caFile: resolvePath(ctx, v.caFile),
    ...(crl && v.crlFile !== undefined ? { crlFile: resolvePath(ctx, v.crlFile), crl } : {}),
    cert,
    key,
    ca,
    minVersion: v.minVersion,
    radiusVersions,
    maxConnections: v.maxConnections,
    maxInFlight: v.maxInFlight,
    idleTimeoutSeconds: v.idleTimeoutSeconds,
    handshakeTimeoutSeconds: v.handshakeTimeoutSeconds,
  };
};

const certificateShape = object({ subject: optional(str({ nonEmpty: true })), san: optional(str({ nonEmpty: true })), fingerprint: optional(str({ nonEmpty: true })) });

const certificateMatch: Check<CertificateMatch> = (node, ctx, path) => {
  const v = certificateShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const given = (['subject', 'san', 'fingerprint'] as const).filter((k) => v[k] !== undefined);
  if (given.length !== 1) {
    ctx.error(node, path, given.length === 0 ? 'give one of subject, san or fingerprint' : `give one of subject, san or fingerprint, not ${given.join(' and ')}`);
    return INVALID;
  }
  try {
    if (v.subject !== undefined) return { subject: parseSubject(v.subject), text: v.subject };
    if (v.san !== undefined) return { san: v.san };
    return { fingerprint: parseFingerprint(v.fingerprint!) };
  } catch (e) {
    ctx.error(nodeAt(node, [given[0]!]), `${path}.${given[0]!}`, (e as Error).message);
    return INVALID;
  }
};

const clientShape = object({
  name: str({ nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, patternText: 'a name of letters, digits, _ . : -' }),
  certificate: certificateMatch,
  address: optional(network),
  secret: optional(str()),
  secretFile: optional(str()),
  // TLS already proves every packet comes from the client; BlastRADIUS needs a forgeable transport.
  requireMessageAuthenticator: withDefault<MessageAuthenticatorPolicy>(oneOf([true, false, 'auto'] as const), false),
  realm: optional(str({ nonEmpty: true })),
});

/** A client entry with `certificate:`: a RadSec client. */
export const radsecClientEntry: Check<RadsecClient> = (node, ctx, path) => {
  const v = clientShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  const secretKey = v.secret !== undefined ? 'secret' : v.secretFile !== undefined ? 'secretFile' : undefined;
  if (secretKey) {
    ctx.error(
      nodeAt(node, [secretKey]),
      `${path}.${secretKey}`,
      'a RadSec client (certificate:) has no secret of its own: RADIUS over TLS uses "radsec" (RFC 6614); remove it, or remove certificate: for a UDP client',
    );
    return INVALID;
  }
  return {
    name: v.name,
    certificate: v.certificate,
    ...(v.address ? { network: v.address } : {}),
    requireMessageAuthenticator: v.requireMessageAuthenticator,
    ...(v.realm ? { realm: v.realm.toLowerCase() } : {}),
  };
};
