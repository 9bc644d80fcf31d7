// The JSON Schemas of the native admin API: shared shapes, added once with
// an $id so the OpenAPI document names them, and small builders for the
// routes. Request bodies allow no unknown field.

import { TOKEN_STATES } from '../../auth/admin.ts';
import { ROLES } from '../../model/actor.ts';
import { HASH_ALGORITHMS, TOKEN_TYPES } from '../../model/token.ts';

export const SERIAL = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\s/]+$' } as const;
export const LOGIN = { type: 'string', minLength: 1, maxLength: 256 } as const;
export const REALM = { type: 'string', minLength: 1, maxLength: 128 } as const;
export const OTP = { type: 'string', pattern: '^[0-9]{4,10}$' } as const;
const TIME = { type: ['string', 'null'], format: 'date-time' } as const;
const REALMS = { type: ['array', 'null'], items: { type: 'string' } } as const;

/** A body object: these properties, `required` of them, nothing else. */
export function body(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', properties, required, additionalProperties: false };
}

export const SHARED_SCHEMAS = [
  {
    $id: 'Problem',
    type: 'object',
    description: 'RFC 9457 problem details',
    properties: {
      type: { type: 'string' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      errors: { type: 'array', items: { type: 'string' }, description: 'every problem, when there are several (an import file)' },
    },
    required: ['type', 'title', 'status'],
  },
  {
    $id: 'Token',
    type: 'object',
    description: 'A token as admins see it: every field but the seed and the PIN hash',
    properties: {
      serial: { type: 'string' },
      type: { type: 'string', enum: [...TOKEN_TYPES] },
      state: { type: 'string', enum: [...TOKEN_STATES] },
      active: { type: 'boolean' },
      pending: { type: 'boolean' },
      revoked: { type: 'boolean' },
      locked: { type: 'boolean' },
      user: { type: ['string', 'null'] },
      realm: { type: ['string', 'null'] },
      resolver: { type: ['string', 'null'] },
      userId: { type: ['string', 'null'] },
      pin: { type: 'string', enum: ['none', 'set'] },
      otpLength: { type: 'integer' },
      algorithm: { type: 'string', enum: [...HASH_ALGORITHMS] },
      timeStep: { type: 'integer' },
      drift: { type: 'integer' },
      ocrasuite: { type: 'string' },
      counter: { type: 'integer' },
      window: { type: 'integer' },
      syncWindow: { type: 'integer' },
      failCount: { type: 'integer' },
      maxFail: { type: 'integer' },
      authCount: { type: 'integer' },
      maxAuth: { type: ['integer', 'null'] },
      successCount: { type: 'integer' },
      maxSuccess: { type: ['integer', 'null'] },
      validFrom: TIME,
      validUntil: TIME,
      lastAuth: TIME,
      lastFail: TIME,
      created: TIME,
      description: { type: 'string' },
      info: { type: 'object', additionalProperties: { type: 'string' } },
    },
    required: ['serial', 'type', 'state'],
  },
  {
    $id: 'AuditRecord',
    type: 'object',
    properties: {
      id: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      event: { type: 'string', enum: ['auth', 'admin'] },
      actor: { type: 'string', description: 'auth: the NAS client; admin: the account, API key or CLI user' },
      action: { type: 'string', description: "auth: 'authenticate'; admin: the operation" },
      result: { type: 'string', description: 'auth: accept, reject or challenge; admin: ok or refused' },
      reason: { type: 'string' },
      user: { type: ['string', 'null'] },
      realm: { type: ['string', 'null'] },
      serial: { type: ['string', 'null'] },
      address: { type: ['string', 'null'] },
      extra: { type: 'object', additionalProperties: true },
    },
    required: ['id', 'time', 'event', 'actor', 'action', 'result', 'reason'],
  },
  {
    $id: 'AdminAccount',
    type: 'object',
    properties: {
      name: { type: 'string' },
      role: { type: 'string', enum: [...ROLES] },
      realms: REALMS,
      otpSerial: { type: ['string', 'null'] },
      disabled: { type: 'boolean' },
      created: TIME,
      lastLogin: TIME,
    },
    required: ['name', 'role'],
  },
  {
    $id: 'ApiKey',
    type: 'object',
    properties: {
      id: { type: 'string' },
      role: { type: 'string', enum: [...ROLES] },
      realms: REALMS,
      description: { type: 'string' },
      state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
      expires: TIME,
      createdBy: { type: 'string' },
      created: TIME,
      lastUsed: TIME,
      revoked: TIME,
    },
    required: ['id', 'role', 'state'],
  },
  {
    $id: 'Enrollment',
    type: 'object',
    description: 'A new token and what an authenticator app needs, shown once (not for email, sms and spass tokens, whose seed stays on the server)',
    properties: {
      token: { $ref: 'Token#' },
      otpauthUri: { type: 'string' },
      secret: { type: 'string', description: 'the seed in base32, for typing into an app' },
      account: { type: 'string', description: 'the label authenticator apps show' },
      qr: {
        type: 'object',
        properties: { png: { type: 'string', description: 'data: URL of a PNG image' }, svg: { type: 'string' } },
        required: ['png', 'svg'],
      },
    },
    required: ['token'],
  },
];

const PROBLEM = { $ref: 'Problem#' };

/** Problem answers every authenticated route may give. */
export function errors(...statuses: number[]): Record<string, unknown> {
  const all = [400, 401, 403, ...statuses];
  return Object.fromEntries([...new Set(all)].map((s) => [s, { ...PROBLEM, description: DESCRIPTIONS[s] ?? 'error' }]));
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'wrong input',
  401: 'no valid login, session or API key',
  403: 'the role may not, or the CSRF token is missing',
  404: 'not found',
  409: 'the state does not allow it now',
  429: 'too many failed logins',
};

export const ROLE = { type: 'string', enum: [...ROLES] } as const;
