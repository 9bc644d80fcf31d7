// Who does an admin operation, and what they may do: the CLI's operator, an
// admin account or API key over HTTP; or a user of the self-service pages,
// who has no role and acts only on their own tokens.

export const ROLES = ['admin', 'helpdesk', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** Where the operation came from. */
  via: 'cli' | 'api' | 'linotp-admin' | 'web' | 'self-service';
  /** Account, key or user name, for the audit log. */
  name: string;
  role: Role;
  /** Realms the role is limited to (lower case); undefined = every realm. */
  realms?: readonly string[];
  /** Client address of an HTTP caller. */
  address?: string;
}

/** A user on the self-service pages: the tokens bound to `user` are the only ones they reach. */
export interface UserActor {
  via: 'self-service';
  /** login@realm, for the audit log. */
  name: string;
  /** Lower case. */
  realm: string;
  /** The user the directory found; absent for a failed login of a name nobody has. */
  user?: { resolver: string; id: string; login: string };
  address: string;
}

/** Anyone an audit event names as its actor. */
export type AnyActor = Actor | UserActor;

/** A self-service user, not an admin: no role, so no admin action is allowed. */
export function isUserActor(actor: AnyActor): actor is UserActor {
  return !('role' in actor);
}
