// Enrolling a token: the form (type, a name, the enrollment code where one
// is needed, the PIN twice where PINs are the token's), then the page with
// the QR code, the key in text, the issuer and account as the app will show
// them, and the first code to type. That page is the answer to the form's
// POST and sent with Cache-Control: no-store: the seed is in no session, no
// URL and no later page. Sending the form again (a reload) finds the token
// waiting for its code and shows the code form without the seed.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { base32Encode } from '../../otp/base32.ts';
import { SELF_TYPES } from '../../model/self-service.ts';
import { MAX_DESCRIPTION, SelfServiceError, type SelfEnrollRequest, type SelfService } from '../../auth/self-service.ts';
import { webOf } from '../context.ts';
import type { Notice } from '../flash.ts';
import { page } from '../page.ts';
import { qrDataUrl, secretGroups } from './qr.ts';
import { refusalNotice } from './refusals.ts';
import { userOf } from './session.ts';
import { verifyPage } from './verify.ts';

const TEXT = (max: number) => ({ type: 'string', maxLength: max }) as const;

interface EnrollForm {
  type: string;
  description: string;
}

async function enrollPage(request: FastifyRequest, reply: FastifyReply, self: SelfService, form: EnrollForm, status = 200, notices: Notice[] = []): Promise<FastifyReply> {
  const { t } = webOf(request);
  const options = await self.enrollOptions(userOf(request));
  const refused = options.refusal ? [refusalNotice(options.refusal)] : [];
  const pending = options.refusal?.reason === 'pending' ? String(options.refusal.params.serial) : undefined;
  return page(
    request,
    reply,
    'self/enroll',
    { options: { ...options, refusal: options.refusal !== undefined }, form, pending, maxDescription: MAX_DESCRIPTION },
    {
      title: t('self.enroll.title'),
      status,
      notices: [...refused, ...notices],
    },
  );
}

export function enrollRoutes(self: SelfService) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/enroll', async (request, reply) => enrollPage(request, reply, self, { type: 'totp', description: '' }));

    app.post(
      '/enroll',
      {
        schema: {
          body: {
            type: 'object',
            properties: { type: { type: 'string', enum: [...SELF_TYPES] }, description: TEXT(1000), code: TEXT(100), pin: TEXT(256), pinAgain: TEXT(256) },
            required: ['type'],
          },
        },
      },
      async (request, reply) => {
        const { t } = webOf(request);
        const actor = userOf(request);
        const b = request.body as SelfEnrollRequest;
        let enrolled: Awaited<ReturnType<SelfService['enroll']>>;
        try {
          enrolled = await self.enroll(actor, b);
        } catch (err) {
          if (!(err instanceof SelfServiceError)) throw err;
          // The form sent again after its token was made (a reload): that token's code form, without the seed.
          if (err.reason === 'pending') return verifyPage(request, reply, self, String(err.params.serial), 200, [{ kind: 'info', key: 'self.verify.shownOnce' }]);
          return enrollPage(request, reply, self, { type: b.type, description: b.description ?? '' }, err.code === 'throttled' ? 429 : 422, [refusalNotice(err)]);
        }
        const { token, uri, account, issuer } = enrolled;
        const data = {
          serial: token.serial,
          type: token.type,
          qr: await qrDataUrl(uri),
          uri,
          secret: secretGroups(base32Encode(token.seed, false)),
          issuer,
          account,
          digits: token.otpLength,
          period: token.timeStep,
          algorithm: token.algorithm.toUpperCase(),
          code: { value: '', notices: [] },
        };
        return page(request, reply, 'self/enroll-qr', data, { title: t('self.enroll.scanTitle'), noStore: true });
      },
    );
  };
}
