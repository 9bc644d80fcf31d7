// Who does an admin operation, and what they may do: the CLI's operator, an
// admin account or API key over HTTP, or a user on the self-service pages.

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
