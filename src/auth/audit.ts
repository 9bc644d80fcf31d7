// One audit event per authentication decision: who, where from, which
// token, what was decided and why. Never the password.

import type { Logger } from 'pino';
import type { Decision } from '../model/decision.ts';
import type { AccessRequest } from '../model/access-request.ts';

export function auditDecision(audit: Logger, request: AccessRequest, decision: Decision, elapsedMs: number): void {
  audit.info(
    {
      event: 'auth',
      user: decision.user ?? request.userName,
      realm: decision.realm,
      nas: request.nas.client,
      nasAddress: request.nas.address,
      ...(request.nas.identifier !== undefined ? { nasIdentifier: request.nas.identifier } : {}),
      ...(request.callingStationId !== undefined ? { callingStationId: request.callingStationId } : {}),
      serial: decision.serial,
      decision: decision.decision,
      reason: decision.reason,
      ms: Math.round(elapsedMs * 10) / 10,
    },
    `${decision.decision}: ${decision.reason}`,
  );
}

/** Wraps a handler so every decision it makes is audited, whichever front end asked. */
export function withAudit(audit: Logger, handler: (request: AccessRequest) => Promise<Decision>): (request: AccessRequest) => Promise<Decision> {
  return async (request) => {
    const started = performance.now();
    let decision: Decision;
    try {
      decision = await handler(request);
    } catch (err) {
      audit.error({ event: 'auth', user: request.userName, nas: request.nas.client, decision: 'reject', reason: 'internal error', err }, 'reject: internal error');
      throw err;
    }
    auditDecision(audit, request, decision, performance.now() - started);
    return decision;
  };
}
