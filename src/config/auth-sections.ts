// Config sections of the authentication service: `policy`, `tokens`,
// `challenges`. Their result is the AuthPolicy plus enrollment defaults.

import { isScalar } from 'yaml';
import { DEFAULT_CODES, DEFAULT_POLICY, DEFAULT_THROTTLE, type AuthPolicy, type LockoutPolicy, type OtpPinPolicy, type ThrottlePolicy } from '../model/policy.ts';
import type { PinPosition } from '../model/policy.ts';
import { DEFAULT_TOKENS, type TokenDefaults } from '../model/token-defaults.ts';
import { DELIVERED_TYPES, HASH_ALGORITHMS, TOKEN_TYPES, type DeliveredType } from '../model/token.ts';
import { bool, type INVALID, int, list, nodeAt, object, oneOf, optional, str, withDefault, type Check } from './schema.ts';

const otpLength = int({ min: 6, max: 8 });
const algorithm = oneOf(HASH_ALGORITHMS);

const challengeTexts = object({
  hotp: withDefault(str({ nonEmpty: true }), DEFAULT_POLICY.replyMessages.challenge.hotp),
  totp: withDefault(str({ nonEmpty: true }), DEFAULT_POLICY.replyMessages.challenge.totp),
  ocra: withDefault(str({ nonEmpty: true }), DEFAULT_POLICY.replyMessages.challenge.ocra),
  email: withDefault(str({ nonEmpty: true }), DEFAULT_POLICY.replyMessages.challenge.email),
  sms: withDefault(str({ nonEmpty: true }), DEFAULT_POLICY.replyMessages.challenge.sms),
});

/** E-mail and SMS tokens: the length of the codes sent, and how long one is accepted. */
function deliveredTokens(type: DeliveredType) {
  return object({
    otpLength: withDefault(otpLength, DEFAULT_TOKENS[type].otpLength),
    validitySeconds: withDefault(int({ min: 30, max: 3600 }), DEFAULT_CODES.validity[type]),
  });
}

const throttleShape = object(
  {
    freeAttempts: withDefault(int({ min: 1, max: 1000 }), DEFAULT_THROTTLE.freeAttempts),
    firstDelaySeconds: withDefault(int({ min: 1, max: 3600 }), DEFAULT_THROTTLE.firstDelaySeconds),
    maxDelaySeconds: withDefault(int({ min: 1, max: 86400 }), DEFAULT_THROTTLE.maxDelaySeconds),
    resetAfterSeconds: withDefault(int({ min: 1, max: 86400 * 30 }), DEFAULT_THROTTLE.resetAfterSeconds),
  },
  {
    refine: (v, node, ctx, path) => {
      if (v.maxDelaySeconds < v.firstDelaySeconds) ctx.error(nodeAt(node, ['maxDelaySeconds']), `${path}.maxDelaySeconds`, `must be at least firstDelaySeconds (${v.firstDelaySeconds})`);
      if (v.resetAfterSeconds < v.maxDelaySeconds)
        ctx.error(nodeAt(node, ['resetAfterSeconds']), `${path}.resetAfterSeconds`, `must be at least maxDelaySeconds (${v.maxDelaySeconds}), or the count would start over before the delay ends`);
    },
  },
);

/** `throttle: false` turns it off; a mapping sets its numbers. */
const throttleSetting: Check<ThrottlePolicy | false> = (node, ctx, path) => {
  if (node && isScalar(node) && node.value === false) return false;
  return throttleShape(node, ctx, path);
};

const policyShape = object({
  otppin: withDefault(oneOf<OtpPinPolicy>(['token', 'userstore', 'none']), DEFAULT_POLICY.otppin),
  lockout: withDefault(oneOf<LockoutPolicy>(['otp', 'linotp']), DEFAULT_POLICY.lockout),
  throttle: withDefault(throttleSetting, DEFAULT_POLICY.throttle),
  pinPosition: withDefault(oneOf<PinPosition>(['prepend', 'append']), DEFAULT_POLICY.pinPosition),
  splitAtSign: withDefault(bool(), DEFAULT_POLICY.splitAtSign),
  splitDomain: withDefault(bool(), DEFAULT_POLICY.splitDomain),
  passOnNoToken: withDefault(bool(), DEFAULT_POLICY.passOnNoToken),
  passOnNoUser: withDefault(bool(), DEFAULT_POLICY.passOnNoUser),
  challengeResponse: withDefault(list(oneOf(TOKEN_TYPES)), DEFAULT_POLICY.challengeResponse),
  replyMessages: optional(
    object({
      accept: optional(str({ nonEmpty: true })),
      reject: optional(str({ nonEmpty: true })),
      challenge: optional(challengeTexts),
    }),
  ),
});

const tokensShape = object({
  autoResync: withDefault(bool(), DEFAULT_POLICY.autoResync),
  autoResyncTimeout: withDefault(int({ min: 1, max: 3600 }), DEFAULT_POLICY.autoResyncTimeout),
  maxFail: withDefault(int({ min: 1, max: 1000 }), DEFAULT_TOKENS.maxFail),
  failCounterClearTimeout: withDefault(int({ min: 0, max: 86400 * 30 }), DEFAULT_POLICY.failCounterClearTimeout),
  issuer: withDefault(str({ nonEmpty: true }), DEFAULT_TOKENS.issuer),
  hotp: optional(
    object({
      window: withDefault(int({ min: 1, max: 1000 }), DEFAULT_TOKENS.hotp.window),
      syncWindow: withDefault(int({ min: 1, max: 100000 }), DEFAULT_TOKENS.hotp.syncWindow),
      otpLength: withDefault(otpLength, DEFAULT_TOKENS.hotp.otpLength),
      algorithm: withDefault(algorithm, DEFAULT_TOKENS.hotp.algorithm),
    }),
  ),
  totp: optional(
    object({
      window: withDefault(int({ min: 0, max: 3600 }), DEFAULT_TOKENS.totp.window),
      syncWindow: withDefault(int({ min: 1, max: 10000 }), DEFAULT_TOKENS.totp.syncWindow),
      otpLength: withDefault(otpLength, DEFAULT_TOKENS.totp.otpLength),
      algorithm: withDefault(algorithm, DEFAULT_TOKENS.totp.algorithm),
      timeStep: withDefault(int({ min: 1, max: 3600 }), DEFAULT_TOKENS.totp.timeStep),
    }),
  ),
  ocra: optional(
    object({
      window: withDefault(int({ min: 0, max: 1000 }), DEFAULT_TOKENS.ocra.window),
      syncWindow: withDefault(int({ min: 1, max: 100000 }), DEFAULT_TOKENS.ocra.syncWindow),
      suite: withDefault(str({ nonEmpty: true, pattern: /^OCRA-1:HOTP-SHA(1|256|512)-\d{1,2}:/, patternText: 'an OCRA suite like OCRA-1:HOTP-SHA256-8:C-QN08' }), DEFAULT_TOKENS.ocra.suite),
      maxChallenges: withDefault(int({ min: 1, max: 100 }), DEFAULT_POLICY.maxChallengesPerToken),
    }),
  ),
  email: optional(deliveredTokens('email')),
  sms: optional(deliveredTokens('sms')),
});

const challengesShape = object({
  timeout: withDefault(int({ min: 10, max: 3600 }), DEFAULT_POLICY.challengeTimeout),
  maxAttempts: withDefault(int({ min: 1, max: 100 }), DEFAULT_POLICY.challengeMaxAttempts),
  /** A PIN that matches several e-mail/SMS tokens sends to each (`all`) or to one, in `preferred` order. */
  send: withDefault(oneOf(['all', 'preferred'] as const), DEFAULT_CODES.send),
  preferred: withDefault(list(oneOf(DELIVERED_TYPES), { minItems: 1 }), DEFAULT_CODES.preferred),
});

export const authSections = {
  policy: optional(policyShape),
  tokens: optional(tokensShape),
  challenges: optional(challengesShape),
};

type Out<C> = C extends Check<infer T> ? Exclude<T, typeof INVALID> : never;

/** Folds the three sections into the service's policy and the enrollment defaults. */
export function buildAuthPolicy(
  p: Out<typeof policyShape> | undefined,
  t: Out<typeof tokensShape> | undefined,
  c: Out<typeof challengesShape> | undefined,
): { policy: AuthPolicy; tokenDefaults: TokenDefaults } {
  const authPolicy: AuthPolicy = {
    ...DEFAULT_POLICY,
    ...(p
      ? {
          otppin: p.otppin,
          lockout: p.lockout,
          throttle: p.throttle,
          pinPosition: p.pinPosition,
          splitAtSign: p.splitAtSign,
          splitDomain: p.splitDomain,
          passOnNoToken: p.passOnNoToken,
          passOnNoUser: p.passOnNoUser,
          challengeResponse: p.challengeResponse,
        }
      : {}),
    ...(t
      ? {
          autoResync: t.autoResync,
          autoResyncTimeout: t.autoResyncTimeout,
          failCounterClearTimeout: t.failCounterClearTimeout,
          maxChallengesPerToken: t.ocra?.maxChallenges ?? DEFAULT_POLICY.maxChallengesPerToken,
        }
      : {}),
    ...(c ? { challengeTimeout: c.timeout, challengeMaxAttempts: c.maxAttempts } : {}),
    codes: {
      validity: { email: t?.email?.validitySeconds ?? DEFAULT_CODES.validity.email, sms: t?.sms?.validitySeconds ?? DEFAULT_CODES.validity.sms },
      send: c?.send ?? DEFAULT_CODES.send,
      // The channels not named come after the named ones, so every token can still be chosen.
      preferred: [...new Set([...(c?.preferred ?? DEFAULT_CODES.preferred), ...DELIVERED_TYPES])],
    },
    replyMessages: {
      ...(p?.replyMessages?.accept ? { accept: p.replyMessages.accept } : {}),
      ...(p?.replyMessages?.reject ? { reject: p.replyMessages.reject } : {}),
      challenge: p?.replyMessages?.challenge ?? DEFAULT_POLICY.replyMessages.challenge,
    },
  };
  const tokenDefaults: TokenDefaults = {
    hotp: t?.hotp ?? DEFAULT_TOKENS.hotp,
    totp: t?.totp ?? DEFAULT_TOKENS.totp,
    ocra: t?.ocra ? { window: t.ocra.window, syncWindow: t.ocra.syncWindow, suite: t.ocra.suite } : DEFAULT_TOKENS.ocra,
    email: { otpLength: t?.email?.otpLength ?? DEFAULT_TOKENS.email.otpLength },
    sms: { otpLength: t?.sms?.otpLength ?? DEFAULT_TOKENS.sms.otpLength },
    maxFail: t?.maxFail ?? DEFAULT_TOKENS.maxFail,
    issuer: t?.issuer ?? DEFAULT_TOKENS.issuer,
  };
  return { policy: authPolicy, tokenDefaults };
}
