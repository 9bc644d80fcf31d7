// The console's audit table: authentication decisions and admin operations,
// newest first, filtered (user, realm, serial, event, result, reason,
// NAS or actor, time range in UTC), a page at a time; and the same filter
// exported as a CSV download of at most EXPORT_MAX rows.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditRecords, inScope, queryAudit, type AdminContext } from '../../auth/admin.ts';
import type { AuditQuery } from '../../model/audit.ts';
import { sessionOf, webOf } from '../context.ts';
import { consolePage } from './labels.ts';
import { auditCsv, auditCsvName } from './audit-csv.ts';
import { choice, field, form, given, queryOf, UTC_MINUTE, utcMillis, utcText } from './forms.ts';
import { userPath } from './token-rows.ts';

export interface AuditPageDeps {
  admin: AdminContext;
}

const PAGE_SIZE = 50;
/** An export reaches back this far at most: enough for any question, bounded for the server. */
export const EXPORT_MAX = 100_000;
const RESULTS = ['accept', 'reject', 'challenge', 'ok', 'refused'] as const;

interface AuditFilterQuery {
  user?: string;
  realm?: string;
  serial?: string;
  event?: string;
  result?: string;
  reason?: string;
  actor?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

const QUERY = form({
  user: field(256),
  realm: field(128),
  serial: field(128),
  event: choice(['auth', 'admin']),
  result: choice(RESULTS),
  reason: field(200),
  actor: field(256),
  from: UTC_MINUTE,
  to: UTC_MINUTE,
  cursor: field(200),
});

/** The filter as the form shows it, and as the admin operation takes it. */
function filterOf(request: FastifyRequest): { shown: Record<string, string | undefined>; query: Omit<AuditQuery, 'before' | 'realms' | 'limit'> } {
  const q = request.query as AuditFilterQuery;
  const shown = {
    user: given(q.user),
    realm: given(q.realm),
    serial: given(q.serial),
    event: given(q.event),
    result: given(q.result),
    reason: given(q.reason),
    actor: given(q.actor),
    from: given(q.from),
    to: given(q.to),
  };
  const from = utcMillis(shown.from, 'from');
  const to = utcMillis(shown.to, 'to');
  const query = {
    ...(shown.user ? { user: shown.user } : {}),
    ...(shown.realm ? { realm: shown.realm.toLowerCase() } : {}),
    ...(shown.serial ? { serial: shown.serial } : {}),
    ...(shown.event ? { event: shown.event as 'auth' | 'admin' } : {}),
    ...(shown.result ? { result: shown.result } : {}),
    ...(shown.reason ? { reason: shown.reason } : {}),
    ...(shown.actor ? { actor: shown.actor } : {}),
    ...(from !== undefined ? { from } : {}),
    // "To" a minute (or second) includes all of it.
    ...(to !== undefined ? { to: to + (shown.to!.length === 16 ? 59_999 : 999) } : {}),
  };
  return { shown, query };
}

export function auditRoutes(deps: AuditPageDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/audit', { config: { may: 'audit.read' }, schema: { querystring: QUERY } }, async (request, reply) => {
      const { t, area } = webOf(request);
      const { actor } = sessionOf(request);
      const { shown, query } = filterOf(request);
      const cursor = given((request.query as AuditFilterQuery).cursor);
      const result = await queryAudit(deps.admin, actor, { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      const rows = result.records.map((r) => ({
        ...r,
        time: utcText(r.at),
        // A decision that names a token found its user: the link leads somewhere.
        userHref: r.event === 'auth' && r.user && r.realm && r.serial ? userPath(area.prefix, r.realm, r.user) : null,
      }));
      return consolePage(
        request,
        reply,
        'console/audit',
        {
          filter: shown,
          realms: deps.admin.auth.users.names.filter((r) => inScope(actor, r)),
          results: RESULTS,
          rows,
          next: result.next ? `${area.prefix}/audit${queryOf({ ...shown, cursor: result.next })}` : null,
          first: cursor ? `${area.prefix}/audit${queryOf(shown)}` : null,
          exportHref: `${area.prefix}/audit/export${queryOf(shown)}`,
          exportMax: EXPORT_MAX,
        },
        { title: t('audit.title') },
      );
    });

    app.get('/audit/export', { config: { may: 'audit.read' }, schema: { querystring: QUERY } }, async (request, reply) => {
      const { shared } = webOf(request);
      const { query } = filterOf(request);
      const rows = auditRecords(deps.admin, sessionOf(request).actor, query, EXPORT_MAX);
      // The first row is read before the answer starts, so a refused or broken query is an error page, not a broken file.
      const first = await rows.next();
      const all = (async function* () {
        if (first.done) return;
        yield first.value;
        yield* rows;
      })();
      const csv = auditCsv(all, (err) => shared.logger.error({ err }, 'audit export broke off'));
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="${auditCsvName(Date.now())}"`)
        .header('Cache-Control', 'no-store')
        .send(csv);
    });
  };
}
