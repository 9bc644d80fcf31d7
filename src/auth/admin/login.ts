// An admin's login: a password and an OTP of the admin's own token, never
// the password alone (except a bootstrap account made with --no-otp).
//
// Local accounts: the password against the account's hash, then the OTP
// through the token check of authentication (its window, counter
// compare-and-set, fail counter and lock), with no PIN in front of it.
// Directory admins (config admin.directory): the same check RADIUS does
// under otppin userstore, directory password followed by the OTP, for a
// user who is in the mapped group of the realm.
//
// Failed logins are throttled per account (from anywhere) and per client
// address (whatever the account), with the self-clearing backoff of
// authentication; each login and each failure is audited with its reason,
// while the caller only hears that the login failed.

import type { Actor, Role } from '../../model/actor.ts';
import type { DirectoryAdmin } from '../../model/admin-policy.ts';
import type { ThrottlePolicy } from '../../model/policy.ts';
import { ACCOUNT_NAME } from '../../store/admin-rows.ts';
import type { User } from '../../users/types.ts';
import type { AuthContext, Subject } from '../context.ts';
import { Throttle, type Attempt } from '../throttle.ts';
import { checkTokens } from '../token-check.ts';
import type { AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { ADMIN_REALM } from './permissions.ts';
import { openSession, type Identity, type OpenedSession } from './sessions.ts';
import { answering } from '../answering.ts';
import type { AccessRequest } from '../../model/access-request.ts';

/** An admin login has no packet to fit its answer into: the request the token check sees. */
const LOGIN_REQUEST: AccessRequest = { userName: '', nas: { client: 'admin login', address: '' } };

/** Per client address: a few tries free, then a doubling wait. */
const SOURCE_THROTTLE: ThrottlePolicy = { freeAttempts: 5, firstDelaySeconds: 2, maxDelaySeconds: 900, resetAfterSeconds: 3600 };
/** Per account from every address: more tries, a shorter wait, so that guessing from many addresses slows down without locking the admin out for long. */
const ACCOUNT_THROTTLE: ThrottlePolicy = { freeAttempts: 10, firstDelaySeconds: 1, maxDelaySeconds: 300, resetAfterSeconds: 3600 };
const THROTTLE_REALM = '@admin-login';

export const LOGIN_FAILED = 'wrong user name, password or OTP';

export interface LoginRequest {
  username: string;
  password: string;
  /** The OTP apart; without it the OTP is the last digits of `password`. */
  otp?: string;
  address: string;
  via: Actor['via'];
}

export interface LoggedIn extends OpenedSession {
  actor: Actor;
}

function withThrottle(ctx: AuthContext, policy: ThrottlePolicy): Throttle {
  return new Throttle({ ...ctx, policy: { ...ctx.policy, throttle: policy } });
}

/** Both throttles as one attempt: refused when either refuses, counted in both. */
function both(a: Attempt, b: Attempt): Attempt {
  return {
    admitted: a.admitted && b.admitted,
    failed: async () => void (await Promise.all([a.failed(), b.failed()])),
    succeeded() {
      a.succeeded();
      b.succeeded();
    },
    refused: async () => void (await Promise.all([a.refused(), b.refused()])),
    done() {
      a.done();
      b.done();
    },
  };
}

function inGroup(user: User, group: string): boolean {
  const g = group.toLowerCase();
  return user.groups.some((x) => x.toLowerCase() === g);
}

export class AdminLogin {
  readonly #ctx: AdminContext;
  readonly #bySource: Throttle;
  readonly #byAccount: Throttle;

  constructor(ctx: AdminContext) {
    this.#ctx = ctx;
    this.#bySource = withThrottle(ctx.auth, SOURCE_THROTTLE);
    this.#byAccount = withThrottle(ctx.auth, ACCOUNT_THROTTLE);
  }

  /** A session for the admin, or AdminError 'unauthenticated' / 'throttled'. Audited either way. */
  async login(request: LoginRequest): Promise<LoggedIn> {
    const ctx = this.#ctx;
    const name = request.username.trim();
    const audit = (result: 'ok' | 'refused', detail: string | undefined, role: Role = 'auditor', realms?: string[] | null): void => {
      const actor: Actor = { via: request.via, name: ACCOUNT_NAME.test(name) ? name : 'unknown', role, ...(realms ? { realms } : {}), address: request.address };
      ctx.audit.write({ event: 'admin', at: Date.now(), actor, action: 'session.login', result, ...(detail ? { detail } : {}), user: name.slice(0, 200) });
    };
    const now = ctx.auth.now();
    const [bySource, byAccount] = await Promise.all([
      this.#bySource.admit({ realm: THROTTLE_REALM, login: '*', source: `http:${request.address}` }, now),
      this.#byAccount.admit({ realm: THROTTLE_REALM, login: name.toLowerCase().slice(0, 256), source: '*' }, now),
    ]);
    const attempt = both(bySource, byAccount);
    try {
      if (!attempt.admitted) {
        await ctx.secrets.verify(request.password, null);
        await attempt.refused();
        audit('refused', 'throttled');
        throw new AdminError('throttled', 'too many failed logins; wait a while and try again');
      }
      const outcome = await this.#check(name, request, attempt);
      if ('refused' in outcome) {
        audit('refused', outcome.refused);
        throw new AdminError('unauthenticated', LOGIN_FAILED);
      }
      attempt.succeeded();
      const opened = await openSession(ctx, outcome, request.address);
      if (outcome.source === 'local') await ctx.auth.store.admins.updateAccount(outcome.account, { lastLogin: Math.floor(now) });
      audit('ok', undefined, outcome.role, outcome.realms);
      const actor: Actor = { via: request.via, name: outcome.account, role: outcome.role, ...(outcome.realms ? { realms: outcome.realms } : {}), address: request.address };
      return { ...opened, actor };
    } finally {
      attempt.done();
    }
  }

  async #check(name: string, request: LoginRequest, attempt: Attempt): Promise<Identity | { refused: string }> {
    const ctx = this.#ctx;
    if (!ACCOUNT_NAME.test(name) || request.password.length > 1024) {
      await ctx.secrets.verify(request.password, null);
      await attempt.failed();
      return { refused: 'not an account name' };
    }
    const account = await ctx.auth.store.admins.getAccount(name);
    if (account) {
      let password = request.password;
      let otp = request.otp;
      const tokens = account.otpSerial ? await ctx.auth.store.tokensOfUser(ADMIN_REALM, account.name) : [];
      if (account.otpSerial && otp === undefined) {
        const length = tokens[0]?.otpLength ?? 6;
        otp = password.slice(-length);
        password = password.slice(0, -length);
      }
      const right = await ctx.secrets.verify(password, account.passwordHash);
      if (!right) {
        await attempt.failed();
        return { refused: 'wrong password' };
      }
      if (account.disabled) return { refused: 'account disabled' };
      if (account.otpSerial) {
        const subject: Subject = { user: { resolver: ADMIN_REALM, id: account.name, login: account.name, groups: [], attributes: {} }, realm: ADMIN_REALM };
        const otpCtx = otpOnly(ctx.auth);
        const decision = await checkTokens(otpCtx, subject, Buffer.from(otp ?? '', 'utf8'), attempt, answering(otpCtx, LOGIN_REQUEST, subject));
        if (decision.decision !== 'accept') return { refused: `second factor: ${decision.reason}` };
      }
      return { account: account.name, source: 'local', role: account.role, realms: account.realms };
    }
    return this.#checkDirectory(name, request, attempt);
  }

  async #checkDirectory(name: string, request: LoginRequest, attempt: Attempt): Promise<Identity | { refused: string }> {
    const ctx = this.#ctx;
    const found = await this.#directoryUser(name);
    if (!found) {
      // No such admin: cost what a password check costs.
      await ctx.secrets.verify(request.password, null);
      await attempt.failed();
      return { refused: ctx.policy.directory.length > 0 ? 'no admin account or directory admin by that name' : 'no admin account by that name' };
    }
    const { user, realm, mapping } = found;
    const account = `${user.login}@${realm}`;
    if (!ACCOUNT_NAME.test(account)) return { refused: 'the directory login cannot name a session' };
    const dirCtx = directoryPassword(ctx.auth);
    const decision = await checkTokens(dirCtx, { user, realm }, Buffer.from(request.password + (request.otp ?? ''), 'utf8'), attempt, answering(dirCtx, LOGIN_REQUEST, { user, realm }));
    if (decision.decision !== 'accept') return { refused: `directory admin: ${decision.reason}` };
    return { account, source: 'directory', role: mapping.role, realms: mapping.realms ?? null };
  }

  /** The user and the first mapping (in config order) whose realm knows them and whose group has them. */
  async #directoryUser(name: string): Promise<{ user: User; realm: string; mapping: DirectoryAdmin } | undefined> {
    const { directory } = this.#ctx.policy;
    const at = name.lastIndexOf('@');
    const named = at > 0 && directory.some((d) => d.realm === name.slice(at + 1).toLowerCase()) ? { login: name.slice(0, at), realm: name.slice(at + 1).toLowerCase() } : undefined;
    const seen = new Map<string, User | undefined>();
    for (const mapping of directory) {
      if (named && mapping.realm !== named.realm) continue;
      const login = named?.login ?? name;
      if (!seen.has(mapping.realm)) {
        try {
          seen.set(mapping.realm, await this.#ctx.auth.users.findUser(mapping.realm, login));
        } catch (err) {
          this.#ctx.auth.logger.warn({ realm: mapping.realm, err: (err as Error).message }, 'admin login: the directory could not be asked');
          seen.set(mapping.realm, undefined);
        }
      }
      const user = seen.get(mapping.realm);
      if (user && inGroup(user, mapping.group)) return { user, realm: mapping.realm, mapping };
    }
    return undefined;
  }
}

/** The token check with no first factor in front of the OTP (it was checked already). */
export function otpOnly(ctx: AuthContext): AuthContext {
  return { ...ctx, policy: { ...ctx.policy, otppin: 'none', challengeResponse: [], passOnNoToken: false, passOnNoUser: false } };
}

/** The token check under otppin userstore: the directory password, then the OTP. */
function directoryPassword(ctx: AuthContext): AuthContext {
  return { ...ctx, policy: { ...ctx.policy, otppin: 'userstore', pinPosition: 'prepend', challengeResponse: [], passOnNoToken: false, passOnNoUser: false } };
}
