// An audit event in the one shape the audit table keeps for both kinds:
// who (the NAS, the admin, or a self-service user), what, the outcome and why, about whom.

import { randomBytes } from 'node:crypto';
import { isUserActor } from '../model/actor.ts';
import type { AuditEvent, AuditRecord } from '../model/audit.ts';

export function auditRecord(event: AuditEvent): AuditRecord {
  const id = randomBytes(12).toString('hex');
  if (event.event === 'auth') {
    return {
      id,
      at: event.at,
      event: 'auth',
      actor: event.nas,
      action: 'authenticate',
      result: event.decision,
      reason: event.reason,
      user: event.user,
      realm: event.realm ?? null,
      serial: event.serial ?? null,
      address: event.nasAddress,
      extra: {
        ms: event.ms,
        ...(event.nasIdentifier !== undefined ? { nasIdentifier: event.nasIdentifier } : {}),
        ...(event.callingStationId !== undefined ? { callingStationId: event.callingStationId } : {}),
        // Masked destinations only: which channel, where (partly hidden) and whether the code went out.
        ...(event.deliveries && event.deliveries.length > 0 ? { deliveries: event.deliveries } : {}),
      },
    };
  }
  const { actor } = event;
  return {
    id,
    at: event.at,
    event: 'admin',
    actor: actor.name,
    action: event.action,
    result: event.result,
    reason: event.detail ?? '',
    user: event.user ?? null,
    realm: event.realm ?? null,
    serial: event.serial ?? null,
    address: actor.address ?? null,
    extra: isUserActor(actor) ? { via: actor.via } : { via: actor.via, role: actor.role, ...(actor.realms ? { realms: actor.realms } : {}) },
  };
}
