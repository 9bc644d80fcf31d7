// Admin accounts in the console (the admin role only): the list, a new
// account (its own OTP token's QR code and secret shown once, in the answer
// to the form, never stored), disable and enable, a new password, delete.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AdminError,
  addAccount,
  deleteAccount,
  inScope,
  listAccounts,
  MIN_PASSWORD_LENGTH,
  setAccountDisabled,
  setAccountPassword,
  type AccountOtp,
  type Action,
  type AdminContext,
} from '../../auth/admin.ts';
import { enrollmentView } from '../../http/admin/native/token-routes.ts';
import { ROLES, type Actor, type Role } from '../../model/actor.ts';
import { sessionOf, webOf } from '../context.ts';
import { flash, type Notice } from '../flash.ts';
import type { MessageKey } from '../i18n/index.ts';
import { seeOther } from '../page.ts';
import { consolePage } from './labels.ts';
import { choice, field, form, given } from './forms.ts';
import { formRefusal } from './refusals.ts';

export interface AccountDeps {
  admin: AdminContext;
}

const NAME_PARAMS = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['name'] } as const;
const REALM_LIST = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 128 } } as const;

interface AddBody {
  name: string;
  role: string;
  realms?: string[];
  password: string;
  otp: string;
  token?: string;
}

export function accountRoutes(deps: AccountDeps) {
  const listPage = async (request: FastifyRequest, reply: FastifyReply, shown: { name: string; role: string }, notices: Notice[] = []) => {
    const { t } = webOf(request);
    const { actor } = sessionOf(request);
    const accounts = await listAccounts(deps.admin, actor);
    return consolePage(
      request,
      reply,
      'console/accounts',
      {
        accounts,
        self: actor.name,
        roles: ROLES,
        realmNames: deps.admin.auth.users.names.filter((r) => inScope(actor, r)),
        shown,
        minPassword: MIN_PASSWORD_LENGTH,
      },
      { title: t('accounts.title'), ...(notices.length > 0 ? { status: 422, notices } : {}) },
    );
  };

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/admins', { config: { may: 'admin.read' } }, async (request, reply) => listPage(request, reply, { name: '', role: 'helpdesk' }));

    app.post(
      '/admins',
      {
        config: { may: 'admin.add' },
        schema: {
          body: form({ name: field(128), role: choice(ROLES), realms: REALM_LIST, password: field(1024), otp: choice(['totp', 'hotp', 'none', 'spare']), token: field(128) }, [
            'name',
            'role',
            'password',
            'otp',
          ]),
        },
      },
      async (request, reply) => {
        const { t, area } = webOf(request);
        const b = request.body as AddBody;
        const shown = { name: b.name, role: b.role };
        let otp: AccountOtp;
        try {
          if (!(ROLES as readonly string[]).includes(b.role)) throw new AdminError('invalid', 'choose a role');
          const spare = given(b.token);
          if (b.otp === 'spare' && !spare) throw new AdminError('invalid', 'give the serial of the spare token');
          otp = b.otp === 'spare' ? { serial: spare! } : b.otp === 'none' ? 'none' : { enroll: b.otp === 'hotp' ? 'hotp' : 'totp' };
          const added = await addAccount(deps.admin, sessionOf(request).actor, {
            name: b.name.trim(),
            role: b.role as Role,
            password: b.password,
            otp,
            ...(b.realms?.length ? { realms: b.realms } : {}),
          });
          if (!added.enrolled) {
            flash(request, reply, { kind: 'ok', key: 'accounts.added', params: { name: added.account.name } });
            return seeOther(request, reply, `${area.prefix}/admins`);
          }
          const { token, uri } = added.enrolled;
          const view = (await enrollmentView(token, uri, added.account.name)) as { secret: string; otpauthUri: string; qr: { png: string } };
          return consolePage(
            request,
            reply,
            'console/account-added',
            {
              account: added.account,
              enrollment: {
                serial: token.serial,
                type: token.type,
                account: added.account.name,
                issuer: `${deps.admin.tokenDefaults.issuer} admin`,
                secret: view.secret,
                uri: view.otpauthUri,
                qr: view.qr.png,
                digits: token.otpLength,
                period: token.timeStep,
              },
            },
            { title: t('accounts.addedTitle', { name: added.account.name }), noStore: true },
          );
        } catch (err) {
          return listPage(request, reply, shown, [{ kind: 'error', key: 'accounts.refused', params: { why: formRefusal(err, webOf(request).t) } }]);
        }
      },
    );

    type Change = (actor: Actor, name: string, body: { password?: string }) => Promise<void>;
    const change = (path: string, may: Action, done: MessageKey, run: Change): void => {
      app.post(`/admins/:name/${path}`, { config: { may }, schema: { params: NAME_PARAMS, body: form({ password: field(1024) }) } }, async (request, reply) => {
        const { area } = webOf(request);
        const { name } = request.params as { name: string };
        try {
          await run(sessionOf(request).actor, name, request.body as { password?: string });
          flash(request, reply, { kind: 'ok', key: done, params: { name } });
        } catch (err) {
          flash(request, reply, { kind: 'error', key: 'accounts.refused', params: { why: formRefusal(err, webOf(request).t) } });
        }
        return seeOther(request, reply, `${area.prefix}/admins`);
      });
    };
    change('disable', 'admin.disable', 'accounts.disabled', (actor, name) => setAccountDisabled(deps.admin, actor, name, true));
    change('enable', 'admin.enable', 'accounts.enabled', (actor, name) => setAccountDisabled(deps.admin, actor, name, false));
    change('password', 'admin.passwd', 'accounts.passwordSet', (actor, name, b) => setAccountPassword(deps.admin, actor, name, b.password ?? ''));
    change('delete', 'admin.delete', 'accounts.deleted', (actor, name) => deleteAccount(deps.admin, actor, name));
  };
}
