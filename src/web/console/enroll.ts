// Enrolling a token for a user from their page. A HOTP or TOTP token's QR
// code, secret and otpauth URI are in the answer to the form and nowhere
// else (no redirect, no session, no URL; Cache-Control: no-store), and the
// token stays pending until a code from the app is verified, unless the
// admin turned that off. E-mail, SMS and static password tokens take an
// address, a number or a PIN instead and go straight back to the user.

import type { FastifyInstance } from 'fastify';
import { AdminError, enrollToken, type AdminContext } from '../../auth/admin.ts';
import { enrollmentView } from '../../http/admin/native/token-routes.ts';
import type { TokenType } from '../../model/token.ts';
import { sessionOf, webOf } from '../context.ts';
import { flash } from '../flash.ts';
import { seeOther } from '../page.ts';
import { consolePage } from './labels.ts';
import { field, form, given } from './forms.ts';
import { userPath } from './token-rows.ts';
import { formRefusal } from './refusals.ts';

export interface EnrollDeps {
  admin: AdminContext;
}

/** The types the console offers: e-mail and SMS only where a mail server or SMS gateway is configured. */
export function enrollTypes(admin: AdminContext): TokenType[] {
  const channels = admin.auth.delivery?.sender.channels ?? [];
  return ['totp', 'hotp', ...channels, 'spass'];
}

interface EnrollBody {
  type: string;
  pin?: string;
  description?: string;
  email?: string;
  phone?: string;
  skipVerify?: string;
}

export function enrollRoutes(deps: EnrollDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/users/:realm/:login/enroll',
      {
        config: { may: 'token.enroll' },
        schema: {
          params: { type: 'object', properties: { realm: field(128), login: field(256) }, required: ['realm', 'login'] },
          body: form({ type: field(16), pin: field(256), description: field(1000), email: field(254), phone: field(32), skipVerify: field(8) }, ['type']),
        },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const { realm, login } = request.params as { realm: string; login: string };
        const b = request.body as EnrollBody;
        const back = userPath(area.prefix, realm, login);
        const type = b.type as TokenType;
        let enrolled: Awaited<ReturnType<typeof enrollToken>>;
        try {
          if (!enrollTypes(deps.admin).includes(type)) throw new AdminError('invalid', `choose one of ${enrollTypes(deps.admin).join(', ')}`);
          const pin = b.pin ?? '';
          const description = given(b.description);
          const email = type === 'email' ? given(b.email) : undefined;
          const phone = type === 'sms' ? given(b.phone) : undefined;
          enrolled = await enrollToken(deps.admin, sessionOf(request).actor, {
            type,
            user: login,
            realm,
            ...(pin !== '' ? { pin } : {}),
            ...(description ? { description } : {}),
            ...(email ? { email } : {}),
            ...(phone ? { phone } : {}),
            pending: (type === 'hotp' || type === 'totp') && b.skipVerify === undefined,
          });
        } catch (err) {
          flash(request, reply, { kind: 'error', key: 'enroll.refused', params: { why: formRefusal(err, webOf(request).t) } });
          return seeOther(request, reply, back);
        }
        const { token } = enrolled;
        if (enrolled.uri === '') {
          flash(request, reply, { kind: 'ok', key: 'enroll.done', params: { serial: token.serial } });
          return seeOther(request, reply, back);
        }
        const view = (await enrollmentView(token, enrolled.uri, enrolled.account)) as { secret: string; otpauthUri: string; qr: { png: string } };
        return consolePage(
          request,
          reply,
          'console/enrolled',
          {
            enrollment: {
              serial: token.serial,
              type: token.type,
              account: enrolled.account,
              issuer: deps.admin.tokenDefaults.issuer,
              secret: view.secret,
              uri: view.otpauthUri,
              qr: view.qr.png,
              digits: token.otpLength,
              period: token.timeStep,
            },
            pending: token.pending,
            owner: { login: enrolled.owner?.user.login ?? login, realm: enrolled.owner?.realm ?? realm },
            back,
          },
          { title: t('enrolled.title', { serial: token.serial }), noStore: true },
        );
      },
    );
  };
}
