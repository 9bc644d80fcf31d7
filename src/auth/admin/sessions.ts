// Admin sessions after a login: a random value in a cookie, its digest in
// the store with the role and the CSRF token, ended by logout, by the idle
// and absolute timeouts, or by disabling the account or changing its
// password. Kept in the store so every worker and server agrees at once.

import { randomBytes } from 'node:crypto';
import type { Actor, Role } from '../../model/actor.ts';
import type { AdminSession, AdminSource } from '../../model/admin-account.ts';
import type { AdminContext } from './context.ts';

export interface OpenedSession {
  /** The cookie value: shown to the browser once, kept in the store only as a digest. */
  token: string;
  session: AdminSession;
}

export interface Identity {
  account: string;
  source: AdminSource;
  role: Role;
  realms: string[] | null;
}

export async function openSession(ctx: AdminContext, who: Identity, address: string): Promise<OpenedSession> {
  const token = randomBytes(32).toString('hex');
  const now = Math.floor(ctx.auth.now());
  const session: AdminSession = { id: ctx.secrets.digest(token), ...who, csrf: randomBytes(16).toString('hex'), address, createdAt: now, lastSeen: now };
  await ctx.auth.store.admins.createSession(session);
  return { token, session };
}

/** Why a session cookie does not give access, for the audit trail and the answer. */
export type SessionRefusal = 'unknown' | 'idle' | 'expired';

/** The live session of a cookie value, touched; an ended one is removed and named. */
export async function liveSession(ctx: AdminContext, token: string): Promise<AdminSession | SessionRefusal> {
  if (!/^[0-9a-f]{64}$/.test(token)) return 'unknown';
  const id = ctx.secrets.digest(token);
  const session = await ctx.auth.store.admins.getSession(id);
  if (!session) return 'unknown';
  const now = Math.floor(ctx.auth.now());
  const ended = now - session.createdAt >= ctx.policy.sessionMaxSeconds ? 'expired' : now - session.lastSeen >= ctx.policy.sessionIdleSeconds ? 'idle' : undefined;
  if (ended) {
    await ctx.auth.store.admins.deleteSession(id);
    return ended;
  }
  await ctx.auth.store.admins.touchSession(id, now);
  return session;
}

export function sessionActor(session: AdminSession, via: Actor['via'], address: string): Actor {
  return { via, name: session.account, role: session.role, ...(session.realms ? { realms: session.realms } : {}), address };
}

/** Ends the session; audited as session.logout. */
export async function closeSession(ctx: AdminContext, session: AdminSession, actor: Actor): Promise<void> {
  await ctx.auth.store.admins.deleteSession(session.id);
  ctx.audit.write({ event: 'admin', at: Date.now(), actor, action: 'session.logout', result: 'ok', user: session.account });
}
