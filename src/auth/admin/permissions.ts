// What each role may do. A role limited to realms acts only on users and
// tokens of those realms; an unassigned (spare) token may be seen and
// assigned by anyone who may assign.

import type { Actor, Role } from '../../model/actor.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';

const ALL: readonly Role[] = ['admin', 'helpdesk', 'auditor'];
const DESK: readonly Role[] = ['admin', 'helpdesk'];
const ADMIN: readonly Role[] = ['admin'];

export const PERMISSIONS = {
  'token.read': ALL,
  'token.enroll': DESK,
  'token.verify': DESK,
  'token.enable': DESK,
  'token.disable': DESK,
  'token.reset': DESK,
  'token.resync': DESK,
  'token.set-pin': DESK,
  'token.assign': DESK,
  'token.unassign': DESK,
  'token.challenge': DESK,
  'token.test-send': DESK,
  'token.set-limits': ADMIN,
  'token.revoke': ADMIN,
  'token.delete': ADMIN,
  'token.import': ADMIN,
  'user.read': ALL,
  'user.enrollment-code': DESK,
  'audit.read': ['admin', 'auditor'],
  'admin.read': ADMIN,
  'admin.add': ADMIN,
  'admin.enable': ADMIN,
  'admin.disable': ADMIN,
  'admin.delete': ADMIN,
  'admin.passwd': ADMIN,
  'apikey.read': ADMIN,
  'apikey.create': ADMIN,
  'apikey.revoke': ADMIN,
  'session.logout': ALL,
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

export function mayDo(actor: Actor, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(actor.role);
}

/**
 * The owner realm of the tokens of admin accounts. No config realm can have
 * this name; only the admin role limited to no realm may see or touch them,
 * so the helpdesk cannot reset or disable an admin's second factor.
 */
export const ADMIN_REALM = '@admin';

export function inScope(actor: Actor, realm: string | undefined): boolean {
  if (realm === ADMIN_REALM) return actor.role === 'admin' && actor.realms === undefined;
  if (actor.realms === undefined) return true;
  return realm !== undefined && actor.realms.includes(realm.toLowerCase());
}

/** Throws 'forbidden' unless the actor's role allows the action. */
export function authorize(actor: Actor, action: Action): void {
  if (!mayDo(actor, action)) throw refusal('role', { action, role: actor.role });
}

/** Throws 'forbidden' when a realm-limited actor reaches outside its realms; null is a spare token, in everyone's reach. */
export function authorizeRealm(actor: Actor, realm: string | null): void {
  if (realm === null || inScope(actor, realm)) return;
  if (realm === ADMIN_REALM) throw refusal('admin-tokens');
  throw refusal('realm-scope', { name: actor.name, realms: actor.realms!.join(', '), count: actor.realms!.length });
}

/** A realm-limited admin hands out no more than it has: accounts and keys it creates stay inside its realms. */
export function authorizeGrant(actor: Actor, realms: readonly string[] | null): void {
  if (actor.realms === undefined) return;
  if (realms === null || realms.some((r) => !actor.realms!.includes(r))) {
    throw new AdminError('forbidden', `${actor.name} may grant realm${actor.realms.length === 1 ? '' : 's'} ${actor.realms.join(', ')} only`);
  }
}
