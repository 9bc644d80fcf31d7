// One audit event per authentication decision (who, where from, which
// token, what was decided and why; never the password) and per admin
// operation. The sink decides where they go.

import type { Logger } from 'pino';
import type { AccessHandler, AccessRequest } from '../model/access-request.ts';
import type { AuditEvent, AuditSink, AuthEvent } from '../model/audit.ts';
import type { Decision } from '../model/decision.ts';

export function authEvent(request: AccessRequest, decision: Decision, elapsedMs: number): AuthEvent {
  return {
    event: 'auth',
    at: Date.now(),
    user: decision.user ?? request.userName,
    ...(decision.realm !== undefined ? { realm: decision.realm } : {}),
    ...(decision.serial !== undefined ? { serial: decision.serial } : {}),
    decision: decision.decision,
    reason: decision.reason,
    nas: request.nas.client,
    nasAddress: request.nas.address,
    ...(request.nas.identifier !== undefined ? { nasIdentifier: request.nas.identifier } : {}),
    ...(request.callingStationId !== undefined ? { callingStationId: request.callingStationId } : {}),
    ...(decision.deliveries && decision.deliveries.length > 0 ? { deliveries: decision.deliveries } : {}),
    ms: Math.round(elapsedMs * 10) / 10,
  };
}

/** Wraps a handler so every decision it makes is audited, whichever front end asked. */
export function withAudit(sink: AuditSink, handler: AccessHandler): AccessHandler {
  return async (request) => {
    const started = performance.now();
    const decision = await handler(request);
    sink.write(authEvent(request, decision, performance.now() - started));
    return decision;
  };
}

/** Audit events as pino log lines, one per event, with a short message. */
export function logAuditSink(audit: Logger): AuditSink {
  return {
    write(event: AuditEvent): void {
      const { at: _at, ...fields } = event;
      if (event.event === 'auth') audit.info(fields, `${event.decision}: ${event.reason}`);
      else audit.info(fields, `${event.action}: ${event.result}${event.detail ? ` (${event.detail})` : ''}`);
    },
  };
}

/** Every event to each sink (the audit log file and the audit table). */
export function teeAuditSink(...sinks: AuditSink[]): Required<AuditSink> {
  return {
    write(event: AuditEvent): void {
      for (const s of sinks) s.write(event);
    },
    async flush(): Promise<void> {
      await Promise.all(sinks.map((s) => s.flush?.()));
    },
  };
}
