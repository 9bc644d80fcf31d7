// What the audit log records: one event per authentication decision and one
// per admin operation. Never a password, PIN, seed or OTP.

import type { AnyActor } from './actor.ts';
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
  /** An admin, key or CLI user; or a self-service user acting on their own tokens. */
  actor: AnyActor;
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

/** Where audit events go: the audit log file, the store's audit table, or both. */
export interface AuditSink {
  /** Never throws and never waits: a sink that stores events buffers them. */
  write(event: AuditEvent): void;
  /** Settles once what was written before is stored (before closing the store). */
  flush?(): Promise<void>;
}

/** An audit event as the store keeps it and the API shows it: one shape for both kinds. */
export interface AuditRecord {
  id: string;
  /** Unix milliseconds. */
  at: number;
  event: 'auth' | 'admin';
  /** auth: the NAS client; admin: the account, API key or CLI user, or login@realm of a self-service user. */
  actor: string;
  /** auth: 'authenticate'; admin: the operation. */
  action: string;
  /** auth: accept, reject or challenge; admin: ok or refused. */
  result: string;
  reason: string;
  user: string | null;
  realm: string | null;
  serial: string | null;
  /** auth: the NAS address; admin: the HTTP client address. */
  address: string | null;
  /** The event's other fields (NAS identifier, Calling-Station-Id, duration, role, front end). */
  extra: Record<string, unknown>;
}

export interface AuditQuery {
  user?: string;
  realm?: string;
  serial?: string;
  event?: 'auth' | 'admin';
  /** accept / reject / challenge, or ok / refused. */
  result?: string;
  /** Rows whose reason contains this text, ignoring case ("locked" finds "wrong otp, token locked"). */
  reason?: string;
  /** auth: the NAS client; admin: the account, API key or CLI user. */
  actor?: string;
  /** Unix milliseconds, inclusive. */
  from?: number;
  to?: number;
  /** Only rows of these realms (a realm-limited actor). */
  realms?: readonly string[];
  /** Rows older than this one (the `next` of the previous page). */
  before?: { at: number; id: string };
  limit: number;
}

/** Authentication decisions counted over a time range: the console's dashboard. */
export interface DecisionCountQuery {
  /** Unix milliseconds, from inclusive, to exclusive. */
  from: number;
  to: number;
  /** Only rows of these realms (a realm-limited actor). */
  realms?: readonly string[];
  /** How many reject reasons to name, most frequent first. */
  topReasons: number;
}

export interface DecisionCounts {
  /** Decisions per minute: the minute's start (unix ms), accept / reject / challenge, how many. */
  perMinute: { minute: number; decision: string; count: number }[];
  /** The reasons of rejects, most frequent first. */
  rejectReasons: { reason: string; count: number }[];
}
