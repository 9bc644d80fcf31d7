// The self-service portal's operations, as the pages call them: login and
// sessions, enrollment and verification, and the actions on a user's own
// tokens. Built once per process over the admin operations' context and
// the config's selfService policy; each action checks that the token is
// the user's and writes one audit event with the user as actor.

import type { AdminContext } from './admin/context.ts';
import type { SelfServicePolicy } from '../model/self-service.ts';
import { enrollOptions, enrollOwn, verifyOwn, type SelfEnrollRequest } from './self/enroll.ts';
import type { SelfContext, SignedIn } from './self/context.ts';
import { SelfLogin } from './self/login.ts';
import { UserSessions } from './self/sessions.ts';
import { deleteOwn, disableOwn, listOwnTokens, renameOwn, resyncOwn, setOwnPin } from './self/tokens.ts';

export { SELF_CODE_NOT_SENT, SELF_LOGIN_FAILED, type SelfCodeAnswer, type SelfCodeSent, type SelfLoggedIn, type SelfLoginRequest } from './self/login.ts';
export { MAX_DESCRIPTION, type EnrollOptions, type SelfEnrollRequest } from './self/enroll.ts';
export { SELF_REFUSALS, SelfServiceError, type SelfRefusal } from './self/errors.ts';
export type { SignedIn } from './self/context.ts';
export type { OpenedUserSession, UserSessionEnd } from './self/sessions.ts';

export class SelfService {
  readonly ctx: SelfContext;
  readonly sessions: UserSessions;
  readonly login: SelfLogin;
  /** Each user's enrollment in flight in this process: a double-clicked form makes one token, not two. */
  readonly #enrolling = new Map<string, Promise<unknown>>();

  constructor(admin: AdminContext, policy: SelfServicePolicy) {
    this.ctx = { admin, policy };
    this.sessions = new UserSessions(this.ctx);
    this.login = new SelfLogin(this.ctx, this.sessions);
  }

  /** How a VPN login with a token looks under the authentication policy: the pages explain it after an enrollment. */
  loginShape(): { otppin: 'token' | 'userstore' | 'none'; pinPosition: 'prepend' | 'append'; challengeTypes: readonly string[] } {
    const { otppin, pinPosition, challengeResponse } = this.ctx.admin.auth.policy;
    return { otppin, pinPosition, challengeTypes: challengeResponse };
  }

  tokens(actor: SignedIn) {
    return listOwnTokens(this.ctx, actor);
  }

  enrollOptions(actor: SignedIn) {
    return enrollOptions(this.ctx, actor);
  }

  async enroll(actor: SignedIn, request: SelfEnrollRequest) {
    const key = `${actor.user.resolver}\u0000${actor.user.id}`;
    const before = this.#enrolling.get(key) ?? Promise.resolve();
    const run = () => enrollOwn(this.ctx, actor, request, this.login.throttle);
    const mine = before.then(run, run);
    const tail = mine.catch(() => undefined);
    this.#enrolling.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.#enrolling.get(key) === tail) this.#enrolling.delete(key);
    }
  }

  verify(actor: SignedIn, serial: string, otp: string) {
    return verifyOwn(this.ctx, actor, serial, otp);
  }

  rename(actor: SignedIn, serial: string, description: string) {
    return renameOwn(this.ctx, actor, serial, description);
  }

  disable(actor: SignedIn, serial: string) {
    return disableOwn(this.ctx, actor, serial);
  }

  delete(actor: SignedIn, serial: string) {
    return deleteOwn(this.ctx, actor, serial);
  }

  setPin(actor: SignedIn, serial: string, otp: string, pin: string, pinAgain: string) {
    return setOwnPin(this.ctx, actor, serial, otp, pin, pinAgain, this.login.throttle);
  }

  resync(actor: SignedIn, serial: string, otp1: string, otp2: string) {
    return resyncOwn(this.ctx, actor, serial, otp1, otp2);
  }
}
