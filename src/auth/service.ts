// authenticate(request) -> Decision: realm -> user -> tokens -> PIN/OTP
// split -> OTP check (HMACs) -> PIN check (KDF) only where it can change the
// outcome -> atomic counter advance -> accept; or challenge create/answer; or
// reject with a reason for the audit log.

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { StoreError } from '../store/errors.ts';
import type { FailedToken, TokenStore } from '../store/types.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { User } from '../users/types.ts';
import { AmbiguousUserError, ResolverUnavailableError } from '../users/types.ts';
import { answerChallenge, triggerChallenge } from './challenge.ts';
import type { Decision } from '../model/decision.ts';
import { splitPinOtp } from './pin-otp.ts';
import type { AuthPolicy } from '../model/policy.ts';
import { replyAttributes, type ReplyRule } from './reply-rules.ts';
import type { AccessRequest } from '../model/access-request.ts';
import { splitUserName } from './username.ts';

/** Where users come from: the realms and their resolvers. */
export interface UserDirectory {
  readonly defaultRealm: string | undefined;
  hasRealm(name: string): boolean;
  findUser(realm: string, login: string): Promise<User | undefined>;
  /** The user's directory password (otppin: userstore), asked of the resolver that found them. */
  checkPassword(user: User, password: string): Promise<boolean>;
}

/** PIN hashes are the store's format; the service only asks yes or no. */
export interface PinVerifier {
  /** A null hash is an empty PIN. Costs the same whether or not the PIN is right. */
  verify(pin: string, hash: string | null): Promise<boolean>;
  /** Hashes in an older or weaker format (imported LinOTP PIN hashes, lower scrypt cost) are replaced on a right PIN. */
  needsRehash?(hash: string): boolean;
  hash?(pin: string): Promise<string>;
}

export interface AuthDeps {
  store: TokenStore;
  users: UserDirectory;
  pins: PinVerifier;
  policy: AuthPolicy;
  /** Attributes for Access-Accept from the user's groups and data. */
  replyRules?: readonly ReplyRule[];
  logger: Logger;
  /** Unix seconds; tests move the clock. */
  now?: () => number;
  /** Told when a resolver could not answer (metrics). */
  onResolverError?: (resolver: string) => void;
}

/** The user a request is about, once found. */
export interface Subject {
  user: User;
  realm: string;
}

export class AuthService {
  readonly deps: AuthDeps;
  private readonly ambiguousLogged = new Set<string>();
  private storeDownLoggedAt = 0;

  constructor(deps: AuthDeps) {
    this.deps = deps;
  }

  now(): number {
    return this.deps.now ? this.deps.now() : Date.now() / 1000;
  }

  /** Rejects carry the configured Reply-Message and nothing that tells an attacker why. */
  reject(reason: string, extra: Partial<Decision> = {}): Decision {
    const msg = this.deps.policy.replyMessages.reject;
    return { ...extra, decision: 'reject', reason, ...(msg ? { replyMessage: msg } : {}) };
  }

  accept(reason: string, extra: Partial<Decision> = {}): Decision {
    const msg = this.deps.policy.replyMessages.accept;
    return { ...extra, decision: 'accept', reason, ...(msg ? { replyMessage: msg } : {}) };
  }

  async authenticate(request: AccessRequest): Promise<Decision> {
    try {
      return await this.decide(request);
    } catch (err) {
      // Fail closed with a reason an admin can act on: the store (PostgreSQL failover, a locked file) did not answer.
      if (err instanceof StoreError && err.code === 'unavailable') {
        const now = Date.now();
        if (now - this.storeDownLoggedAt > 60_000) {
          this.storeDownLoggedAt = now;
          this.deps.logger.error({ cause: err.message }, 'token store unavailable: rejecting logins until it answers');
        }
        return this.reject('store unavailable', { user: request.userName });
      }
      throw err;
    }
  }

  private async decide(request: AccessRequest): Promise<Decision> {
    if (request.eap) return this.reject('eap not supported');
    if (request.chap) return this.reject('chap not supported: the NAS must send PAP (User-Password)');
    if (!request.userName) return this.reject('no user name');
    if (request.password === undefined) return this.reject('no password');

    const found = await this.findSubject(request);
    if ('decision' in found) return found;
    const decision = request.state ? await answerChallenge(this, found, request.state, request.password) : await this.checkTokens(found, request.password);
    const rules = this.deps.replyRules;
    if (decision.decision === 'accept' && rules && rules.length > 0) {
      const attributes = replyAttributes(rules, found.user, found.realm);
      if (attributes.length > 0) decision.replyAttributes = attributes;
    }
    return decision;
  }

  private async checkTokens(found: Subject, password: string): Promise<Decision> {
    const { user, realm } = found;
    const who = { user: user.login, realm };

    const tokens = await this.deps.store.tokensOfUser(user.resolver, user.id);
    if (tokens.length === 0) {
      await this.spendPinCheck();
      return this.deps.policy.passOnNoToken ? this.accept('pass on no token', who) : this.reject('no token', who);
    }
    const now = this.now();
    const usable: Token[] = [];
    const refusals: string[] = [];
    for (const t of tokens) {
      const why = await this.unusable(t, now);
      if (why) refusals.push(why);
      else usable.push(t);
    }
    if (usable.length === 0) {
      const reason = refusals.includes('locked') ? 'locked' : (refusals[0] ?? 'no usable token');
      return this.reject(reason, { ...who, ...(tokens.length === 1 ? { serial: tokens[0]!.serial } : {}) });
    }
    return this.checkPinOtp(found, usable, password, now);
  }

  private async findSubject(request: AccessRequest): Promise<Subject | Decision> {
    const { policy } = this.deps;
    const split = splitUserName(request.userName, policy);
    const realm = request.realm ?? split.realm ?? request.nas.realm ?? this.deps.users.defaultRealm;
    if (realm === undefined) return this.reject('no realm', { user: split.login });
    if (!this.deps.users.hasRealm(realm)) return this.reject('unknown realm', { user: split.login, realm });
    let user: User | undefined;
    try {
      user = await this.deps.users.findUser(realm, split.login);
    } catch (err) {
      if (err instanceof ResolverUnavailableError) {
        this.deps.logger.error({ resolver: err.resolver, cause: err.message, realm }, 'resolver unavailable');
        this.deps.onResolverError?.(err.resolver);
        return this.reject('resolver unavailable', { user: split.login, realm });
      }
      if (err instanceof AmbiguousUserError) {
        const key = `${realm}|${split.login}`;
        if (!this.ambiguousLogged.has(key)) {
          this.ambiguousLogged.add(key);
          this.deps.logger.error({ realm, login: split.login, resolvers: err.resolvers }, err.message);
        }
        return this.reject('ambiguous user', { user: split.login, realm });
      }
      throw err;
    }
    if (!user) {
      await this.spendPinCheck();
      return this.deps.policy.passOnNoUser ? this.accept('pass on no user', { user: split.login, realm }) : this.reject('unknown user', { user: split.login, realm });
    }
    return { user, realm };
  }

  /**
   * A wrong password for a known user costs a PIN check (the challenge trigger
   * tries the whole password as a PIN); an unknown user or one without tokens
   * costs the same, so the answer time does not tell who exists.
   */
  private async spendPinCheck(): Promise<void> {
    await this.deps.pins.verify('\u0000', null);
  }

  /** Why a token cannot be used now, or undefined. Clears a fail-counter lock after the quiet period. */
  async unusable(t: Token, now: number): Promise<string | undefined> {
    if (t.revoked) return 'revoked';
    if (!t.active) return 'disabled';
    if (t.validFrom !== null && now < t.validFrom) return 'not yet valid';
    if (t.validUntil !== null && now > t.validUntil) return 'expired';
    if (t.maxAuth !== null && t.authCount >= t.maxAuth) return 'auth limit reached';
    if (t.maxSuccess !== null && t.successCount >= t.maxSuccess) return 'success limit reached';
    if (t.locked) {
      const timeout = this.deps.policy.failCounterClearTimeout;
      if (timeout > 0 && t.lastFail !== null && now - t.lastFail >= timeout) {
        await this.deps.store.updateToken(t.serial, { locked: false, failCount: 0 });
        t.locked = false;
        t.failCount = 0;
        this.deps.logger.info({ serial: t.serial }, 'fail counter cleared after the quiet period');
        return undefined;
      }
      return 'locked';
    }
    return undefined;
  }

  /** Is `pin` right for this token under the PIN policy? */
  async pinMatches(subject: Subject, token: Token, pin: string): Promise<boolean> {
    switch (this.deps.policy.otppin) {
      case 'token': {
        const right = await this.deps.pins.verify(pin, token.pinHash);
        if (right && token.pinHash !== null) await this.rehashPin(token, token.pinHash, pin);
        return right;
      }
      case 'userstore':
        // An empty directory password is never a match (an LDAP bind with it is anonymous and succeeds).
        return pin.length > 0 && this.deps.users.checkPassword(subject.user, pin);
      case 'none':
        return pin.length === 0;
    }
  }

  /** A right PIN under an old hash format is stored again in the current one (LinOTP imports). */
  private async rehashPin(token: Token, stored: string, pin: string): Promise<void> {
    const { pins, store, logger } = this.deps;
    if (!pins.needsRehash || !pins.hash || !pins.needsRehash(stored)) return;
    const fresh = await pins.hash(pin);
    await store.updateToken(token.serial, { pinHash: fresh });
    token.pinHash = fresh;
    logger.info({ serial: token.serial }, 'PIN hash upgraded to the current format');
  }

  private async checkPinOtp(subject: Subject, tokens: Token[], password: string, now: number): Promise<Decision> {
    const { policy, store } = this.deps;
    const who = { user: subject.user.login, realm: subject.realm };

    // 1. HMACs only: which tokens does the OTP part match?
    const checked = tokens.map((token) => {
      const split = splitPinOtp(password, token.otpLength, policy.pinPosition);
      return { token, split, result: split ? tokenKind(token.type).checkOtp(token, split.otp, now) : ({ kind: 'none' } as const) };
    });

    // Each token's PIN part costs one KDF at most per request, whichever step below asks first.
    const pinResults = new Map<Token, Promise<boolean>>();
    const pinRight = (token: Token, pin: string): Promise<boolean> => {
      let result = pinResults.get(token);
      if (!result) {
        result = this.pinMatches(subject, token, pin);
        pinResults.set(token, result);
      }
      return result;
    };

    // 2. The KDF only for tokens whose OTP matched (or was a replay, for an exact reason).
    const replays: Token[] = [];
    for (const c of checked) {
      if (c.result.kind === 'none' || !c.split) continue;
      if (!(await pinRight(c.token, c.split.pin))) continue;
      if (c.result.kind === 'replay') {
        replays.push(c.token);
        continue;
      }
      if (await store.commitSuccess(c.token.serial, c.result.counter, now, c.result.drift)) {
        return this.accept('ok', { ...who, serial: c.token.serial });
      }
      // Another request committed this OTP between our check and our commit.
      replays.push(c.token);
    }
    if (replays.length > 0) {
      await this.fail(replays, now);
      return this.reject('replay', { ...who, serial: replays[0]!.serial });
    }

    // 3. Challenge-response: the whole password is a PIN of challenge-capable tokens.
    const challenge = await triggerChallenge(this, subject, tokens, password, now);
    if (challenge) return challenge;

    // 4. Autosync: an OTP beyond the window but within the sync window.
    if (policy.autoResync) {
      const synced = await this.autosync(subject, checked.filter((c) => c.split !== undefined) as { token: Token; split: { pin: string; otp: string } }[], pinRight, now);
      if (synced) return synced;
    }

    // 5. A failure: raise the fail counter of the tokens whose PIN matched, or of all when none did.
    //    With one token the answer is the same either way, so its KDF is skipped (a flood of wrong OTPs costs HMACs).
    let pinMatched: Token[] = [];
    if (tokens.length > 1) {
      for (const c of checked) if (c.split && (await pinRight(c.token, c.split.pin))) pinMatched.push(c.token);
    }
    const blamed = pinMatched.length > 0 ? pinMatched : tokens;
    const after = await this.fail(blamed, now);
    const nowLocked = after.filter((t) => t.locked);
    const reason = pinMatched.length > 0 ? 'wrong otp' : tokens.length > 1 ? 'wrong pin' : 'wrong pin or otp';
    return this.reject(nowLocked.length === blamed.length ? `${reason}, token locked` : reason, { ...who, ...(blamed.length === 1 ? { serial: blamed[0]!.serial } : {}) });
  }

  /** One failed attempt on each token (fail and auth counters); logs the ones this attempt locked. */
  async fail(tokens: Token[], now: number): Promise<FailedToken[]> {
    const after = await this.deps.store.recordFailure(tokens.map((t) => t.serial), now);
    for (const t of after) {
      if (t.locked && t.failCount === t.maxFail) this.deps.logger.warn({ serial: t.serial, failCount: t.failCount }, 'token locked: max fail reached');
    }
    return after;
  }

  /**
   * Two directly following OTPs beyond the window resynchronise the token: the
   * first is remembered, the second (within autoResyncTimeout) is accepted.
   */
  private async autosync(
    subject: Subject,
    checked: { token: Token; split: { pin: string; otp: string } }[],
    pinRight: (token: Token, pin: string) => Promise<boolean>,
    now: number,
  ): Promise<Decision | undefined> {
    const { store, policy } = this.deps;
    const who = { user: subject.user.login, realm: subject.realm };
    for (const { token, split } of checked) {
      const kind = tokenKind(token.type);
      const found = kind.searchSyncWindow(token, split.otp, now);
      if (!found) continue;
      // Only a right PIN may touch the sync state, or anyone could disturb it.
      if (!(await pinRight(token, split.pin))) continue;
      const pairs = token.syncAt !== null && now - token.syncAt <= policy.autoResyncTimeout && kind.followsSyncState(token, found, now);
      if (pairs) {
        if (await store.commitSuccess(token.serial, found.counter, now, found.drift)) {
          this.deps.logger.info({ serial: token.serial, counter: found.counter }, 'token resynchronised by autosync');
          return this.accept('ok (autosync)', { ...who, serial: token.serial });
        }
        return this.reject('replay', { ...who, serial: token.serial });
      }
      await Promise.all([store.setSyncState(token.serial, found.counter, now), this.fail([token], now)]);
      return this.reject('otp out of window, autosync pending', { ...who, serial: token.serial });
    }
    return undefined;
  }

  newTransactionId(): string {
    return randomBytes(16).toString('hex');
  }
}
