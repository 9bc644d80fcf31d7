// What the helpdesk does to a token: verify a pending one, enable, disable,
// revoke, reset the fail counter, resync, send a test message, set or clear
// the PIN, assign and unassign; and the import of OATH CSV / PSKC files.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AdminError,
  assignToken,
  disableToken,
  enableToken,
  importTokenFile,
  resetToken,
  resyncToken,
  revokeToken,
  setPin,
  showToken,
  testSend,
  tokenView,
  unassignToken,
  verifyToken,
} from '../../../auth/admin.ts';
import type { Actor } from '../../../model/actor.ts';
import { callerOf } from '../caller.ts';
import { body, errors, LOGIN, OTP, REALM } from '../schemas.ts';
import type { AdminRouteDeps } from './deps.ts';
import { SERIAL_PARAMS } from './token-routes.ts';

const TOKEN = { $ref: 'Token#' };

interface ImportBody {
  format: 'oath-csv' | 'pskc';
  content: string;
  filename?: string;
  user?: string;
  realm?: string;
  dryRun?: boolean;
  psk?: string;
  password?: string;
}

/** JSON adds a little to a file's size (escapes); the import body may exceed the file limit by this much. */
const JSON_OVERHEAD = 1.2;

export function tokenActionRoutes(deps: AdminRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const { admin } = deps;
    const serialOf = (request: FastifyRequest): string => (request.params as { serial: string }).serial;

    /** POST /api/v1/tokens/:serial/NAME, answering the token as it is afterwards. */
    const action = (name: string, summary: string, run: (actor: Actor, serial: string, body: never) => Promise<unknown>, bodySchema?: Record<string, unknown>): void => {
      app.post(
        `/api/v1/tokens/:serial/${name}`,
        {
          schema: { tags: ['tokens'], summary, params: SERIAL_PARAMS, ...(bodySchema ? { body: bodySchema } : {}), response: { 200: TOKEN, ...errors(404, 409) } },
        },
        async (request) => {
          const { actor } = callerOf(request);
          await run(actor, serialOf(request), (request.body ?? {}) as never);
          return tokenView(await showToken(admin, actor, serialOf(request)));
        },
      );
    };

    action('verify', 'A pending token becomes active with one current OTP', (actor, serial, b: { otp: string }) => verifyToken(admin, actor, serial, b.otp), body({ otp: OTP }, ['otp']));
    action('enable', 'Enable', (actor, serial) => enableToken(admin, actor, serial));
    action('disable', 'Disable', (actor, serial) => disableToken(admin, actor, serial));
    action('revoke', 'Disable for good', (actor, serial) => revokeToken(admin, actor, serial));
    action('reset', "Clear the fail counter and the lock, and the owner's throttles", (actor, serial) => resetToken(admin, actor, serial));
    action(
      'resync',
      'Two consecutive OTPs put the counter (TOTP: the clock drift) right',
      (actor, serial, b: { otp1: string; otp2: string }) => resyncToken(admin, actor, serial, b.otp1, b.otp2),
      body({ otp1: OTP, otp2: OTP }, ['otp1', 'otp2']),
    );

    app.post(
      '/api/v1/tokens/:serial/test-send',
      {
        schema: {
          tags: ['tokens'],
          summary: "Send a test message (TEST in place of the code) to an email or SMS token's destination",
          params: SERIAL_PARAMS,
          response: {
            200: {
              type: 'object',
              properties: {
                serial: { type: 'string' },
                channel: { type: 'string', enum: ['email', 'sms'] },
                to: { type: 'string' },
                masked: { type: 'string' },
                id: { type: 'string', description: "the mail server's or gateway's message id, when it gave one" },
              },
              required: ['serial', 'channel', 'to', 'masked'],
            },
            ...errors(404, 409),
          },
        },
      },
      async (request) => ({ serial: serialOf(request), ...(await testSend(admin, callerOf(request).actor, serialOf(request))) }),
    );

    app.put(
      '/api/v1/tokens/:serial/pin',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Set the token PIN (an empty PIN removes it)',
          params: SERIAL_PARAMS,
          body: body({ pin: { type: 'string', maxLength: 256 } }, ['pin']),
          response: { 200: TOKEN, ...errors(404) },
        },
      },
      async (request) => {
        const { actor } = callerOf(request);
        await setPin(admin, actor, serialOf(request), (request.body as { pin: string }).pin);
        return tokenView(await showToken(admin, actor, serialOf(request)));
      },
    );

    app.delete(
      '/api/v1/tokens/:serial/pin',
      {
        schema: { tags: ['tokens'], summary: 'Remove the token PIN: the OTP alone logs in', params: SERIAL_PARAMS, response: { 200: TOKEN, ...errors(404) } },
      },
      async (request) => {
        const { actor } = callerOf(request);
        await setPin(admin, actor, serialOf(request), '');
        return tokenView(await showToken(admin, actor, serialOf(request)));
      },
    );

    app.put(
      '/api/v1/tokens/:serial/owner',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Assign to a user',
          params: SERIAL_PARAMS,
          body: body({ user: { ...LOGIN, description: 'LOGIN or LOGIN@REALM' }, realm: REALM }, ['user']),
          response: { 200: TOKEN, ...errors(404, 409) },
        },
      },
      async (request) => {
        const { actor } = callerOf(request);
        const b = request.body as { user: string; realm?: string };
        await assignToken(admin, actor, serialOf(request), b.user, b.realm);
        return tokenView(await showToken(admin, actor, serialOf(request)));
      },
    );

    app.delete(
      '/api/v1/tokens/:serial/owner',
      {
        schema: { tags: ['tokens'], summary: 'Unassign (the PIN and fail counter go with the owner)', params: SERIAL_PARAMS, response: { 200: TOKEN, ...errors(404) } },
      },
      async (request) => {
        const { actor } = callerOf(request);
        await unassignToken(admin, actor, serialOf(request));
        return tokenView(await showToken(admin, actor, serialOf(request)));
      },
    );

    app.post(
      '/api/v1/tokens/import',
      {
        bodyLimit: Math.ceil(admin.policy.maxImportBytes * JSON_OVERHEAD),
        schema: {
          tags: ['tokens'],
          summary: 'Import an OATH CSV or PSKC file: all or nothing, every problem named',
          body: body(
            {
              format: { type: 'string', enum: ['oath-csv', 'pskc'] },
              content: { type: 'string', minLength: 1, description: "the file's text" },
              filename: { type: 'string', maxLength: 256 },
              user: { ...LOGIN, description: 'owner of the tokens whose entry names none' },
              realm: REALM,
              dryRun: { type: 'boolean' },
              psk: { type: 'string', pattern: '^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$', description: 'PSKC pre-shared key, hex' },
              password: { type: 'string', maxLength: 1024, description: 'PSKC password (PBKDF2)' },
            },
            ['format', 'content'],
          ),
          response: {
            200: {
              type: 'object',
              properties: {
                source: { type: 'string' },
                dryRun: { type: 'boolean' },
                created: { type: 'integer' },
                updated: { type: 'integer' },
                warnings: { type: 'array', items: { type: 'string' } },
                skipped: { type: 'array', items: { type: 'object', properties: { what: { type: 'string' }, reason: { type: 'string' } } } },
              },
            },
            ...errors(413),
          },
        },
      },
      async (request) => {
        const b = request.body as ImportBody;
        if (Buffer.byteLength(b.content) > admin.policy.maxImportBytes) throw new AdminError('invalid', `the file is larger than admin.maxImportBytes (${admin.policy.maxImportBytes} bytes)`);
        if (b.format !== 'pskc' && (b.psk !== undefined || b.password !== undefined)) throw new AdminError('invalid', 'psk and password apply to PSKC files only');
        if (b.psk !== undefined && b.password !== undefined) throw new AdminError('invalid', 'give psk or password, not both');
        if (b.realm !== undefined && b.user === undefined) throw new AdminError('invalid', 'realm goes with user');
        const outcome = await importTokenFile(admin, callerOf(request).actor, {
          format: b.format,
          content: b.content,
          source: b.filename ?? 'upload',
          dryRun: b.dryRun === true,
          ...(b.psk !== undefined ? { secrets: { psk: Buffer.from(b.psk, 'hex') } } : b.password !== undefined ? { secrets: { password: b.password } } : {}),
          ...(b.user !== undefined ? { user: b.user } : {}),
          ...(b.realm !== undefined ? { realm: b.realm } : {}),
        });
        return { source: outcome.source, dryRun: outcome.dryRun, created: outcome.created, updated: outcome.updated, warnings: outcome.warnings, skipped: outcome.skipped };
      },
    );
  };
}
