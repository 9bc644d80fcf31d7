// /api/v1/tokens: list with filters and pages, show, enroll (the seed leaves
// once, in the answer, never cached), change limits and validity, delete.

import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { AdminError, deleteToken, enrollToken, listTokens, setTokenLimits, showToken, TOKEN_STATES, tokenView, type TokenLimits, type TokenQuery } from '../../../auth/admin.ts';
import { HASH_ALGORITHMS, TOKEN_TYPES, type HashAlgorithm, type TokenType } from '../../../model/token.ts';
import { base32Encode } from '../../../otp/base32.ts';
import { OtpInputError } from '../../../otp/errors.ts';
import { parseSeed } from '../../../otp/seed.ts';
import { callerOf } from '../caller.ts';
import { body, errors, LOGIN, REALM, SERIAL } from '../schemas.ts';
import { unixSeconds, type AdminRouteDeps } from './deps.ts';

/** What the list filters on: a token state, or no owner. */
const STATES = [...TOKEN_STATES, 'unassigned'] as const;
const TOKEN = { $ref: 'Token#' };
const SERVER_MADE: ReadonlySet<TokenType> = new Set(['email', 'sms', 'spass']);
export const SERIAL_PARAMS = { type: 'object', properties: { serial: SERIAL }, required: ['serial'], additionalProperties: false };

/** What an authenticator app needs, once: the URI, the seed in base32, and the URI as QR images. */
export async function enrollmentView(token: Parameters<typeof tokenView>[0], uri: string, account: string): Promise<Record<string, unknown>> {
  // E-mail, SMS and static password tokens: the seed stays on the server, there is nothing for an app.
  if (SERVER_MADE.has(token.type)) return { token: tokenView(token), account };
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const [png, svg] = await Promise.all([QRCode.toDataURL(uri, { ...options, type: 'image/png' }), QRCode.toString(uri, { ...options, type: 'svg' })]);
  return { token: tokenView(token), otpauthUri: uri, secret: base32Encode(token.seed, false), account, qr: { png, svg } };
}

interface ListQuery {
  user?: string;
  realm?: string;
  serialPrefix?: string;
  type?: TokenType;
  state?: (typeof STATES)[number];
  lastUsedBefore?: string;
  lastUsedAfter?: string;
  limit: number;
  after?: string;
}

interface EnrollBody {
  type: TokenType;
  user?: string;
  realm?: string;
  pin?: string;
  digits?: number;
  algorithm?: HashAlgorithm;
  period?: number;
  ocrasuite?: string;
  ocraPin?: string;
  seed?: string;
  serial?: string;
  description?: string;
  email?: string;
  phone?: string;
  verify?: boolean;
}

type LimitsBody = {
  maxFail?: number;
  maxAuth?: number | null;
  maxSuccess?: number | null;
  validFrom?: string | null;
  validUntil?: string | null;
  window?: number;
  syncWindow?: number;
  otpLength?: number;
  description?: string;
};

export function tokenRoutes(deps: AdminRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { admin } = deps;

    app.get(
      '/api/v1/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Tokens in serial order, filtered, a page at a time',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              user: { ...LOGIN, description: 'LOGIN or LOGIN@REALM' },
              realm: REALM,
              serialPrefix: { type: 'string', minLength: 1, maxLength: 128 },
              type: { type: 'string', enum: [...TOKEN_TYPES] },
              state: { type: 'string', enum: [...STATES] },
              lastUsedBefore: { type: 'string', format: 'date-time', description: 'never used counts as before' },
              lastUsedAfter: { type: 'string', format: 'date-time' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
              after: { ...SERIAL, description: 'the `next` of the previous page' },
            },
          },
          response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: TOKEN }, next: { type: 'string' } }, required: ['tokens'] }, ...errors(404) },
        },
      },
      async (request) => {
        const q = request.query as ListQuery;
        const query: TokenQuery = {
          ...(q.user !== undefined ? { user: q.user } : {}),
          ...(q.realm !== undefined ? { realm: q.realm } : {}),
          ...(q.serialPrefix !== undefined ? { serialPrefix: q.serialPrefix } : {}),
          ...(q.type !== undefined ? { type: q.type } : {}),
          ...(q.state === 'unassigned' ? { unassigned: true } : q.state !== undefined ? { state: q.state } : {}),
          ...(q.lastUsedBefore !== undefined ? { lastUsedBefore: unixSeconds(q.lastUsedBefore)! } : {}),
          ...(q.lastUsedAfter !== undefined ? { lastUsedAfter: unixSeconds(q.lastUsedAfter)! } : {}),
          ...(q.after !== undefined ? { after: q.after } : {}),
          limit: q.limit + 1,
        };
        const tokens = await listTokens(admin, callerOf(request).actor, query);
        const page = tokens.slice(0, q.limit);
        return { tokens: page.map(tokenView), ...(tokens.length > q.limit ? { next: page[page.length - 1]!.serial } : {}) };
      },
    );

    app.post(
      '/api/v1/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Enroll a token; HOTP and TOTP stay pending until one OTP is verified, unless verify is false',
          body: body(
            {
              type: { type: 'string', enum: [...TOKEN_TYPES] },
              user: { ...LOGIN, description: 'LOGIN or LOGIN@REALM; none = a spare token' },
              realm: REALM,
              pin: { type: 'string', maxLength: 256, description: 'the token PIN typed before the OTP; for spass the whole password' },
              email: { type: 'string', maxLength: 254, description: "email tokens: where codes go; default the owner's address in the directory" },
              phone: { type: 'string', maxLength: 32, description: "sms tokens: where codes go; default the owner's mobile, else phone, in the directory" },
              digits: { type: 'integer', enum: [6, 7, 8] },
              algorithm: { type: 'string', enum: [...HASH_ALGORITHMS] },
              period: { type: 'integer', minimum: 1, maximum: 3600 },
              ocrasuite: { type: 'string', maxLength: 64 },
              ocraPin: { type: 'string', maxLength: 256 },
              seed: { type: 'string', maxLength: 256, description: 'an existing seed in base32 (hardware tokens); random otherwise' },
              serial: SERIAL,
              description: { type: 'string', maxLength: 1000 },
              verify: { type: 'boolean', description: 'default true for HOTP and TOTP; only they can be pending' },
            },
            ['type'],
          ),
          response: { 201: { $ref: 'Enrollment#' }, ...errors(404, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body as EnrollBody;
        let seed: Buffer | undefined;
        try {
          if (b.seed !== undefined) seed = parseSeed(b.seed, 'base32');
        } catch (err) {
          if (err instanceof OtpInputError) throw new AdminError('invalid', `seed: ${err.message}`);
          throw err;
        }
        const { seed: _s, verify, ...rest } = b;
        const pending = verify ?? (b.type === 'hotp' || b.type === 'totp');
        const enrolled = await enrollToken(admin, callerOf(request).actor, { ...rest, ...(seed ? { seed } : {}), pending });
        return reply.code(201).send(await enrollmentView(enrolled.token, enrolled.uri, enrolled.account));
      },
    );

    app.get(
      '/api/v1/tokens/:serial',
      {
        schema: { tags: ['tokens'], summary: 'One token (never its seed or PIN)', params: SERIAL_PARAMS, response: { 200: TOKEN, ...errors(404) } },
      },
      async (request) => tokenView(await showToken(admin, callerOf(request).actor, (request.params as { serial: string }).serial)),
    );

    app.patch(
      '/api/v1/tokens/:serial',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Limits and validity: max fail, auth and success limits, validity period, windows, otp length, description',
          params: SERIAL_PARAMS,
          body: {
            ...body({
              maxFail: { type: 'integer', minimum: 1, maximum: 1000 },
              maxAuth: { type: ['integer', 'null'], minimum: 0, description: 'null = unlimited' },
              maxSuccess: { type: ['integer', 'null'], minimum: 0, description: 'null = unlimited' },
              validFrom: { type: ['string', 'null'], format: 'date-time' },
              validUntil: { type: ['string', 'null'], format: 'date-time' },
              window: { type: 'integer', minimum: 0, maximum: 100000 },
              syncWindow: { type: 'integer', minimum: 1, maximum: 100000 },
              otpLength: { type: 'integer', enum: [6, 7, 8] },
              description: { type: 'string', maxLength: 1000 },
            }),
            minProperties: 1,
          },
          response: { 200: TOKEN, ...errors(404, 409) },
        },
      },
      async (request) => {
        const { serial } = request.params as { serial: string };
        const b = request.body as LimitsBody;
        const limits: TokenLimits = {
          ...(b.maxFail !== undefined ? { maxFail: b.maxFail } : {}),
          ...(b.maxAuth !== undefined ? { maxAuth: b.maxAuth } : {}),
          ...(b.maxSuccess !== undefined ? { maxSuccess: b.maxSuccess } : {}),
          ...(b.validFrom !== undefined ? { validFrom: unixSeconds(b.validFrom) } : {}),
          ...(b.validUntil !== undefined ? { validUntil: unixSeconds(b.validUntil) } : {}),
          ...(b.window !== undefined ? { window: b.window } : {}),
          ...(b.syncWindow !== undefined ? { syncWindow: b.syncWindow } : {}),
          ...(b.otpLength !== undefined ? { otpLength: b.otpLength } : {}),
          ...(b.description !== undefined ? { description: b.description } : {}),
        };
        const { actor } = callerOf(request);
        await setTokenLimits(admin, actor, serial, limits);
        return tokenView(await showToken(admin, actor, serial));
      },
    );

    app.delete(
      '/api/v1/tokens/:serial',
      {
        schema: { tags: ['tokens'], summary: 'Delete a token', params: SERIAL_PARAMS, response: { 204: { type: 'null', description: 'deleted' }, ...errors(404) } },
      },
      async (request, reply) => {
        await deleteToken(admin, callerOf(request).actor, (request.params as { serial: string }).serial);
        return reply.code(204).send();
      },
    );
  };
}
