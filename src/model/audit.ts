// What the audit log records: one event per authentication decision and one
// per admin operation. Never a password, PIN, seed or OTP.

import type { Actor } from './actor.ts';
import type { CodeSend, DecisionKind } from './decision.ts';

export interface AuthEvent {
  event: 'auth';
  /** Unix milliseconds. */
  at: number;
  user: string;
  realm?: string;
  serial?: string;
  decision: DecisionKind;
  reason: string;
  nas: string;
  nasAddress: string;
  nasIdentifier?: string;
  callingStationId?: string;
  /** Codes sent (or not) for e-mail and SMS tokens: channel, masked destination, result. */
  deliveries?: CodeSend[];
  ms: number;
}

export interface AdminEvent {
  event: 'admin';
  at: number;
  actor: Actor;
  /** The operation, e.g. 'token.enroll', 'token.reset'. */
  action: string;
  /** 'ok', or 'refused' (not allowed, not found, invalid input) with the reason. */
  result: 'ok' | 'refused';
  detail?: string;
  serial?: string;
  user?: string;
  realm?: string;
}

export type AuditEvent = AuthEvent | AdminEvent;

/** Where audit events go: the audit log file, and later a queryable table. */
export interface AuditSink {
  write(event: AuditEvent): void;
}
