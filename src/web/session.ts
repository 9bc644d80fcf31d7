// What an area of pages needs from its kind of session: the console uses
// the admin sessions of the admin API (the same table, timeouts and
// cookie); the self-service portal brings a user session of its own. The
// pages see only this shape.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AnyActor, Role } from '../model/actor.ts';

/** A logged-in browser, as the pages see it. */
export interface WebSession {
  /** Shown in the header. */
  name: string;
  /** Present for an admin's session: what the console lets it see and do. */
  role?: Role;
  /** The synchronizer token every state-changing request of this session repeats. */
  csrf: string;
  /** Who acts in the operations the pages call: an admin (console), or a user acting on their own tokens (portal). */
  actor: AnyActor;
  /** Ends the session in the store (logout); audited by the kind. */
  close(): Promise<void>;
}

/** Why a cookie no longer gives access: ended by logout or an administrator, unused too long, or too old. */
export type SessionEnd = 'unknown' | 'idle' | 'expired';

export interface SessionKind {
  /** The session the request's cookie names, why it ended, or undefined when there is no cookie. */
  find(request: FastifyRequest): Promise<WebSession | SessionEnd | undefined>;
  /** Removes the session's cookies from the browser. */
  clear(request: FastifyRequest, reply: FastifyReply): void;
}
