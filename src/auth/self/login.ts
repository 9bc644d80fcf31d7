// A user's login to the self-service pages: the directory password, checked
// by the resolver that finds the user (file hash, LDAP bind, SQL), and,
// when the user has a token that proves who they are, a current OTP of it
// (through the token check of authentication: its window, counter
// compare-and-set, fail counter and lock); with no code typed and an e-mail
// or SMS token among them, a code is sent and a second step takes it (a
// transaction only this step may answer, never a RADIUS State). Failed
// attempts are throttled per user and source exactly as RADIUS logins are
// (the same policy and state, the source being the browser's address), and
// every attempt writes one audit event with the user as actor.

import type { AccessRequest } from '../../model/access-request.ts';
import type { UserActor } from '../../model/actor.ts';
import { ResolverUnavailableError, type User } from '../../users/types.ts';
import { AdminError } from '../admin/errors.ts';
import { otpOnly } from '../admin/login.ts';
import { answering } from '../answering.ts';
import { lookUp } from '../subject.ts';
import { Throttle, type Attempt } from '../throttle.ts';
import type { ThrottleKey } from '../../store/types.ts';
import { checkTokens } from '../token-check.ts';
import { answerChallenge } from '../challenge.ts';
import { openCodeChallenge } from '../code-challenge.ts';
import { unusable } from '../usable.ts';
import type { ChallengeDecision, SentCode } from '../../model/decision.ts';
import type { Token } from '../../model/token.ts';
import { tokenKind } from '../../tokens/index.ts';
import { auditSelf, guards, type SelfContext, type SignedIn } from './context.ts';
import { userActor, type OpenedUserSession, type UserSessions } from './sessions.ts';

export const SELF_LOGIN_FAILED = 'wrong user name, password or OTP';
/** The password was right, but no e-mail or SMS code could go out (limits, the mail server or gateway). */
export const SELF_CODE_NOT_SENT = 'no code could be sent; try again in a few minutes';

/** A portal login has no packet to fit its answer into: the request the token check sees. */
const LOGIN_REQUEST: AccessRequest = { userName: '', nas: { client: 'self-service', address: '' } };

export interface SelfLoginRequest {
  /** LOGIN, or LOGIN@REALM with a realm the portal is on for. */
  username: string;
  /** The realm picker's choice; LOGIN@REALM wins over it. */
  realm?: string;
  password: string;
  otp?: string;
  address: string;
}

export interface SelfLoggedIn extends OpenedUserSession {
  actor: SignedIn;
  /** Whether an OTP was part of the login (the user had a token that guards the account). */
  withOtp: boolean;
}

/** The password was right and a code went out: the login goes on with answerCode(). */
export interface SelfCodeSent {
  codeSent: {
    /** The transaction to name in answerCode(): 128 random bits, hex. */
    state: string;
    /** Where the codes went (masked). */
    to: SentCode[];
    /** Seconds the code is valid. */
    validSeconds: number;
  };
}

export interface SelfCodeAnswer {
  username: string;
  realm?: string;
  state: string;
  code: string;
  address: string;
}

/** What the password and code of a login come to: a session, a code sent, no code sent (why), or refused (why). */
type Checked = 'ok' | 'ok with otp' | { sent: ChallengeDecision } | { notSent: string } | string;

/** The throttle's key of a portal login: the user as named in the realm, from the browser's address. */
export function selfThrottleKey(realm: string, login: string, address: string): ThrottleKey {
  return { realm, login: login.toLowerCase().slice(0, 256), source: `web:${address}` };
}

export class SelfLogin {
  readonly #ctx: SelfContext;
  readonly #sessions: UserSessions;
  readonly throttle: Throttle;

  constructor(ctx: SelfContext, sessions: UserSessions) {
    this.#ctx = ctx;
    this.#sessions = sessions;
    this.throttle = new Throttle(ctx.admin.auth);
  }

  /** Realms the portal is on for, lower case, the default one first. */
  realms(): string[] {
    const { users } = this.#ctx.admin.auth;
    const on = users.names.filter((r) => (this.#ctx.policy.realms[r] ?? this.#ctx.policy.defaults).enabled);
    const first = users.defaultRealm;
    return first !== undefined && on.includes(first) ? [first, ...on.filter((r) => r !== first)] : on;
  }

  /** Login and realm of what the form says: LOGIN@REALM for a realm of the portal, the picker's realm, else the default (or only) one. */
  named(username: string, picked: string | undefined): { login: string; realm: string | undefined } {
    const realms = this.realms();
    const name = username.trim();
    const at = name.lastIndexOf('@');
    if (at > 0 && realms.includes(name.slice(at + 1).toLowerCase())) return { login: name.slice(0, at), realm: name.slice(at + 1).toLowerCase() };
    const chosen = picked?.toLowerCase();
    if (chosen !== undefined && chosen !== '') return { login: name, realm: realms.includes(chosen) ? chosen : undefined };
    return { login: name, realm: realms[0] };
  }

  /** A session for the user, a code sent for the second step, or AdminError 'unauthenticated' / 'throttled'. Audited either way. */
  login(request: SelfLoginRequest): Promise<SelfLoggedIn | SelfCodeSent> {
    const ctx = this.#ctx;
    // A refusal that checks no password costs what a password check costs.
    const cost = () => ctx.admin.secrets.verify(request.password.slice(0, 1024), null);
    return this.#step(request, request.password.length <= 1024, cost, async (found, actor, attempt) => {
      const outcome = await this.#check(found, actor, request, attempt);
      if (typeof outcome === 'object' && 'notSent' in outcome) {
        auditSelf(ctx, actor, 'self.send-code', 'refused', {}, `no code sent: ${outcome.notSent}`);
        throw new AdminError('conflict', SELF_CODE_NOT_SENT);
      }
      if (typeof outcome === 'object') {
        const { challenge } = outcome.sent;
        const to = challenge.codes ?? [];
        auditSelf(ctx, actor, 'self.send-code', 'ok', {}, `directory password; ${to.map((c) => `${c.channel} to ${c.to}`).join(', ')}; the login waits for the code`);
        return { codeSent: { state: challenge.transactionId, to, validSeconds: challenge.timeout } };
      }
      if (outcome !== 'ok' && outcome !== 'ok with otp') return this.#refuse(actor, outcome);
      return await this.#open(actor, attempt, outcome === 'ok' ? 'directory password; no token guards the account yet' : undefined, outcome === 'ok with otp');
    });
  }

  /** The second step after a code was sent: the code answers the transaction login() opened; a session, or AdminError as login(). */
  answerCode(request: SelfCodeAnswer): Promise<SelfLoggedIn> {
    const { auth } = this.#ctx.admin;
    return this.#step(
      request,
      true,
      async () => undefined,
      async (found, actor, attempt) => {
        const subject = { user: found, realm: actor.realm };
        const check = otpOnly(auth);
        const state = Buffer.from(request.state.slice(0, 64), 'latin1');
        const decision = await answerChallenge(check, subject, state, Buffer.from(request.code.trim(), 'utf8'), attempt, answering(check, LOGIN_REQUEST, subject), 'self-service');
        if (decision.decision !== 'accept') return this.#refuse(actor, `second factor: ${decision.reason}`);
        return await this.#open(actor, attempt, 'directory password and a code sent by e-mail or SMS', true);
      },
    );
  }

  /**
   * What both login steps do first, and refuse alike (audited): the user as
   * named, a place in the throttle, the user from the directory; then
   * `work`. `valid`: the step's own input is in bounds; `cost` runs before
   * each of these refusals.
   */
  async #step<T>(
    named: { username: string; realm?: string; address: string },
    valid: boolean,
    cost: () => Promise<unknown>,
    work: (user: User, actor: SignedIn, attempt: Attempt) => Promise<T>,
  ): Promise<T> {
    const { auth } = this.#ctx.admin;
    const { login, realm } = this.named(named.username, named.realm);
    const typed: UserActor = { via: 'self-service', name: `${login.slice(0, 200)}@${realm ?? '?'}`, realm: realm ?? '', address: named.address };
    if (realm === undefined || login === '' || login.length > 256 || !valid) {
      await cost();
      return this.#refuse(typed, realm === undefined ? 'no realm of the portal' : 'not a user name');
    }
    const attempt = await this.throttle.admit(selfThrottleKey(realm, login, named.address), auth.now());
    try {
      if (!attempt.admitted) {
        await cost();
        await attempt.refused();
        return this.#refuse(typed, 'throttled', 'throttled');
      }
      const found = await lookUp(auth, { login, realm });
      if (found === undefined || 'decision' in found) {
        // No such user (or the directory cannot say).
        await cost();
        if (found === undefined) await attempt.failed();
        return this.#refuse(typed, found === undefined ? 'unknown user' : found.reason);
      }
      return await work(found, userActor({ realm, resolver: found.resolver, userId: found.id, login: found.login }, named.address), attempt);
    } finally {
      attempt.done();
    }
  }

  /** A refused login step: audited, then 'unauthenticated' (saying nothing of which part was wrong) or 'throttled'. */
  #refuse(actor: UserActor, detail: string, code: 'unauthenticated' | 'throttled' = 'unauthenticated'): never {
    auditSelf(this.#ctx, actor, 'self.login', 'refused', {}, detail);
    throw new AdminError(code, code === 'throttled' ? 'too many failed logins; wait a while and try again' : SELF_LOGIN_FAILED);
  }

  async #open(actor: SignedIn, attempt: Attempt, detail: string | undefined, withOtp: boolean): Promise<SelfLoggedIn> {
    attempt.succeeded();
    const opened = await this.#sessions.open(actor);
    auditSelf(this.#ctx, actor, 'self.login', 'ok', {}, detail);
    return { ...opened, actor, withOtp };
  }

  /** 'ok', 'ok with otp', a code sent, or why not. */
  async #check(user: User, actor: SignedIn, request: SelfLoginRequest, attempt: Attempt): Promise<Checked> {
    const { auth } = this.#ctx.admin;
    let right = false;
    try {
      // An empty password is never a match: an LDAP bind with it is anonymous and succeeds.
      right = request.password !== '' && (await auth.users.checkPassword(user, request.password));
    } catch (err) {
      if (!(err instanceof ResolverUnavailableError)) throw err;
      auth.logger.warn({ resolver: err.resolver, err: err.message }, 'self-service login: the directory could not check the password');
      return 'resolver unavailable';
    }
    if (!right) {
      await attempt.failed();
      return 'wrong password';
    }
    const tokens = await auth.store.tokensOfUser(user.resolver, user.id);
    if (!tokens.some(guards)) return 'ok';
    const otp = request.otp?.trim() ?? '';
    const subject = { user, realm: actor.realm };
    const check = otpOnly(auth);
    if (otp === '') {
      const now = auth.now();
      const codeTokens: Token[] = [];
      for (const t of tokens) if (guards(t) && tokenKind(t.type).delivery && !(await unusable(auth, t, now))) codeTokens.push(t);
      if (codeTokens.length > 0) {
        const opened = await openCodeChallenge(check, subject, codeTokens, tokens, now, answering(check, LOGIN_REQUEST, subject), 'self-service');
        return opened.decision === 'challenge' ? { sent: opened } : { notSent: opened.reason };
      }
      await attempt.failed();
      return 'no OTP, and a token guards the account';
    }
    const decision = await checkTokens(check, subject, Buffer.from(otp, 'utf8'), attempt, answering(check, LOGIN_REQUEST, subject));
    return decision.decision === 'accept' ? 'ok with otp' : `second factor: ${decision.reason}`;
  }
}
