// Words for values that come from the store (a token state, an audit
// result): the catalog's label when it has one, else the value itself, so
// that a value a newer release wrote still shows. consolePage() hands the
// console's templates `label(prefix, value)` besides what every page gets.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { webOf } from '../context.ts';
import { CATALOGS, type MessageKey, type Translate } from '../i18n/index.ts';
import { page, type PageOptions } from '../page.ts';

export function labelOf(t: Translate, prefix: 'state' | 'result' | 'event', value: string): string {
  const key = `${prefix}.${value}`;
  return key in CATALOGS.en ? t(key as MessageKey) : value;
}

/** page() with `label` for the template. */
export function consolePage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, options: PageOptions): FastifyReply {
  const { t } = webOf(request);
  return page(request, reply, template, { ...data, label: (prefix: 'state' | 'result' | 'event', value: string) => labelOf(t, prefix, value) }, options);
}
