// What users may do on the self-service pages, per realm: whether the
// portal is on for them, who may enroll, how many tokens and of which types,
// whether a first token needs an enrollment code an admin hands out, and
// whether the last token may be deleted. The config's `selfService` section
// fills it; a realm it does not name gets the defaults.

/** Types a user can enroll with an authenticator app. */
export const SELF_TYPES = ['totp', 'hotp'] as const;
export type SelfType = (typeof SELF_TYPES)[number];

/** Who may enroll: everyone, members of `group`, or users who have no token yet. */
export const ENROLL_RULES = ['everyone', 'group', 'withoutToken'] as const;
export type EnrollRule = (typeof ENROLL_RULES)[number];

export interface RealmSelfService {
  enabled: boolean;
  enroll: EnrollRule;
  /** With enroll: group, the directory group whose members may enroll. */
  group?: string;
  /** Tokens a user may have in all (revoked ones not counted), whoever enrolled them. */
  maxTokens: number;
  types: SelfType[];
  /**
   * A user without an active token needs a one-time code from an admin
   * (`otp-radius admin enrollment-code`) to enroll: where the directory
   * password alone once gave access, it proves nothing about who is typing.
   */
  enrollmentCode: boolean;
  /** The user may delete their last working token. */
  deleteLast: boolean;
}

export interface SelfServicePolicy {
  /** A session unused this long ends. */
  sessionIdleSeconds: number;
  /** A session ends this long after its login, used or not. */
  sessionMaxSeconds: number;
  /** A session's user is looked up again in the directory after this long; one gone from it ends the session. */
  userCheckSeconds: number;
  /** Shortest PIN a user may set (otppin: token). */
  pinMinLength: number;
  /** How long an enrollment code is valid unless the admin says otherwise. */
  enrollmentCodeHours: number;
  defaults: RealmSelfService;
  /** By lower-case realm name: the defaults with that realm's own keys over them. */
  realms: Record<string, RealmSelfService>;
}

export const DEFAULT_REALM_SELF_SERVICE: RealmSelfService = {
  enabled: true,
  enroll: 'everyone',
  maxTokens: 2,
  types: ['totp', 'hotp'],
  enrollmentCode: true,
  deleteLast: false,
};

export const DEFAULT_SELF_SERVICE: SelfServicePolicy = {
  sessionIdleSeconds: 15 * 60,
  sessionMaxSeconds: 8 * 3600,
  userCheckSeconds: 60,
  pinMinLength: 4,
  enrollmentCodeHours: 72,
  defaults: DEFAULT_REALM_SELF_SERVICE,
  realms: {},
};

/** The longest an enrollment code may be valid. */
export const MAX_ENROLLMENT_CODE_HOURS = 24 * 30;

/** The policy of a realm: its own entry, else the defaults. */
export function realmPolicy(policy: SelfServicePolicy, realm: string): RealmSelfService {
  return policy.realms[realm.toLowerCase()] ?? policy.defaults;
}

/** A user's self-service session as the store keeps it: the cookie's digest, the user, the CSRF token, times. */
export interface UserSession {
  /** HMAC of the cookie value under the key file's pepper, hex. */
  id: string;
  realm: string;
  resolver: string;
  userId: string;
  login: string;
  csrf: string;
  address: string;
  /** Unix seconds. */
  createdAt: number;
  lastSeen: number;
}

/** A one-time code that lets a user enroll a first token; only its digest is stored. */
export interface EnrollmentCode {
  /** HMAC of the code under the key file's pepper, hex. */
  id: string;
  realm: string;
  resolver: string;
  userId: string;
  login: string;
  /** The admin who made it. */
  createdBy: string;
  /** Unix seconds. */
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}
