// The admin console's dashboard figures: authentication decisions per minute
// and the commonest reject reasons over the last hour (for roles that may
// read the audit), and how many tokens are locked (for roles that may read
// tokens). A realm-limited role counts only its realms.

import type { Actor } from '../../model/actor.ts';
import type { TokenFilter } from '../../store/types.ts';
import type { AdminContext } from './context.ts';
import { ADMIN_REALM, inScope, mayDo } from './permissions.ts';

const MINUTE_MS = 60_000;

export interface MinuteCounts {
  /** The minute's start, unix milliseconds. */
  minute: number;
  accept: number;
  reject: number;
  challenge: number;
}

export interface DashboardFigures {
  /** The window the decisions are counted over: unix milliseconds, `to` exclusive. */
  from: number;
  to: number;
  /** Absent when the role may not read the audit. */
  decisions?: {
    /** One entry per minute of the window, oldest first, minutes without decisions included. */
    perMinute: MinuteCounts[];
    totals: Omit<MinuteCounts, 'minute'>;
    rejectReasons: { reason: string; count: number }[];
  };
  /** Absent when the role may not read tokens. */
  lockedTokens?: number;
}

export interface DashboardOptions {
  /** Minutes counted, the current one last. */
  minutes?: number;
  topReasons?: number;
  /** Unix milliseconds; the audit's own clock (events are stamped with Date.now()). */
  now?: number;
}

export async function dashboardFigures(ctx: AdminContext, actor: Actor, options: DashboardOptions = {}): Promise<DashboardFigures> {
  const minutes = options.minutes ?? 60;
  const current = Math.floor((options.now ?? Date.now()) / MINUTE_MS) * MINUTE_MS;
  const from = current - (minutes - 1) * MINUTE_MS;
  const to = current + MINUTE_MS;
  const figures: DashboardFigures = { from, to };
  const work: Promise<void>[] = [];
  if (mayDo(actor, 'audit.read')) {
    work.push(
      ctx.auth.store.audit.countDecisions({ from, to, topReasons: options.topReasons ?? 5, ...(actor.realms !== undefined ? { realms: actor.realms } : {}) }).then((counts) => {
        const perMinute: MinuteCounts[] = Array.from({ length: minutes }, (_, i) => ({ minute: from + i * MINUTE_MS, accept: 0, reject: 0, challenge: 0 }));
        const totals = { accept: 0, reject: 0, challenge: 0 };
        for (const c of counts.perMinute) {
          const slot = perMinute[(c.minute - from) / MINUTE_MS];
          if (!slot || !(c.decision in totals)) continue;
          const kind = c.decision as keyof typeof totals;
          slot[kind] += c.count;
          totals[kind] += c.count;
        }
        figures.decisions = { perMinute, totals, rejectReasons: counts.rejectReasons };
      }),
    );
  }
  if (mayDo(actor, 'token.read')) {
    const filter: TokenFilter = {
      state: 'locked',
      ...(actor.realms !== undefined ? { withinRealms: [...actor.realms] } : {}),
      ...(inScope(actor, ADMIN_REALM) ? {} : { exceptRealm: ADMIN_REALM }),
    };
    work.push(
      ctx.auth.store.countTokens(filter).then((n) => {
        figures.lockedTokens = n;
      }),
    );
  }
  await Promise.all(work);
  return figures;
}
