// Self-service sessions after a login: a random value in a cookie, its HMAC
// in the store with the user and the CSRF token, ended by logout, by the
// idle and absolute timeouts, or when the directory no longer has the user
// (looked up again once the last check is older than userCheckSeconds, so a
// user removed or disabled there loses the session within that time). Kept
// in the store so every worker and server agrees at once.

import { randomBytes } from 'node:crypto';
import type { UserActor } from '../../model/actor.ts';
import type { UserSession } from '../../model/self-service.ts';
import { auditSelf, policyOf, type SelfContext, type SignedIn } from './context.ts';

/** Why a session cookie does not give access. */
export type UserSessionEnd = 'unknown' | 'idle' | 'expired';

export interface OpenedUserSession {
  /** The cookie value: given to the browser once, kept in the store only as an HMAC. */
  token: string;
  session: UserSession;
}

/** Users checked against the directory per process: beyond this many, the oldest are forgotten (and checked again). */
const MAX_CHECKED = 10_000;

export function userActor(session: Pick<UserSession, 'realm' | 'resolver' | 'userId' | 'login'>, address: string): SignedIn {
  return { via: 'self-service', name: `${session.login}@${session.realm}`, realm: session.realm, user: { resolver: session.resolver, id: session.userId, login: session.login }, address };
}

export class UserSessions {
  readonly #ctx: SelfContext;
  /** When each user was last found in the directory (unix seconds), by resolver and id. */
  readonly #checked = new Map<string, number>();

  constructor(ctx: SelfContext) {
    this.#ctx = ctx;
  }

  async open(actor: SignedIn): Promise<OpenedUserSession> {
    const { admin } = this.#ctx;
    const token = randomBytes(32).toString('hex');
    const now = Math.floor(admin.auth.now());
    const session: UserSession = {
      id: admin.secrets.digest(token),
      realm: actor.realm,
      resolver: actor.user.resolver,
      userId: actor.user.id,
      login: actor.user.login,
      csrf: randomBytes(16).toString('hex'),
      address: actor.address,
      createdAt: now,
      lastSeen: now,
    };
    await admin.auth.store.selfService.createSession(session);
    this.#checked.set(`${session.resolver}\u0000${session.userId}`, now);
    return { token, session };
  }

  /** The live session of a cookie value, touched, and its user as the actor; an ended one is removed and named. */
  async find(token: string, address: string): Promise<{ session: UserSession; actor: SignedIn } | UserSessionEnd> {
    const { admin, policy } = this.#ctx;
    if (!/^[0-9a-f]{64}$/.test(token)) return 'unknown';
    const id = admin.secrets.digest(token);
    const store = admin.auth.store.selfService;
    const session = await store.getSession(id);
    if (!session) return 'unknown';
    const now = Math.floor(admin.auth.now());
    const ended = now - session.createdAt >= policy.sessionMaxSeconds ? 'expired' : now - session.lastSeen >= policy.sessionIdleSeconds ? 'idle' : undefined;
    if (ended) {
      await store.deleteSession(id);
      return ended;
    }
    const actor = userActor(session, address);
    if (!(await this.#stillThere(actor, now))) return 'unknown';
    await store.touchSession(id, now);
    return { session, actor };
  }

  /** Ends the session; audited as self.logout. */
  async close(session: UserSession, actor: UserActor): Promise<void> {
    await this.#ctx.admin.auth.store.selfService.deleteSession(session.id);
    auditSelf(this.#ctx, actor, 'self.logout', 'ok', {});
  }

  /**
   * Whether the directory still has the user (and the portal is still on for
   * their realm); when not, every session of theirs ends, audited. A
   * directory that does not answer throws: the page fails rather than
   * letting an unchecked user in.
   */
  async #stillThere(actor: SignedIn, now: number): Promise<boolean> {
    const key = `${actor.user.resolver}\u0000${actor.user.id}`;
    const last = this.#checked.get(key);
    if (last !== undefined && now - last < this.#ctx.policy.userCheckSeconds) return true;
    const found = await this.#ctx.admin.auth.users.findUser(actor.realm, actor.user.login);
    const there = found !== undefined && found.resolver === actor.user.resolver && found.id === actor.user.id && policyOf(this.#ctx, actor).enabled;
    if (!there) {
      this.#checked.delete(key);
      await this.#ctx.admin.auth.store.selfService.deleteSessionsOf(actor.user.resolver, actor.user.id);
      auditSelf(this.#ctx, actor, 'self.logout', 'ok', {}, found ? 'the portal is off for the realm' : 'the user is no longer in the directory');
      return false;
    }
    this.#checked.delete(key);
    this.#checked.set(key, now);
    if (this.#checked.size > MAX_CHECKED) this.#checked.delete(this.#checked.keys().next().value!);
    return true;
  }
}
