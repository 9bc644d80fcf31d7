// An audit event in the one shape the audit table keeps for both kinds:
// who (the NAS, the admin, or a self-service user), what, the outcome and why, about whom.

import { randomFillSync } from 'node:crypto';
import { isUserActor } from '../model/actor.ts';
import type { AuditEvent, AuditRecord } from '../model/audit.ts';

const ID_BYTES = 12;
const IDS_PER_FILL = 1024;
// An id must be unique, not secret: it is cut from a pool of random bytes refilled now and then, since a random draw per event costs more than the rest of the event.
const pool = Buffer.alloc(ID_BYTES * IDS_PER_FILL);
let nextId = IDS_PER_FILL;

/** 24 hex digits, random. */
function newAuditId(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(pool);
    nextId = 0;
  }
  const start = ID_BYTES * nextId++;
  return pool.toString('hex', start, start + ID_BYTES);
}

export function auditRecord(event: AuditEvent): AuditRecord {
  const id = newAuditId();
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
