// An open challenge-response transaction: the State a NAS sends back, the
// tokens that may answer it and how many tries are left.

export interface Challenge {
  /** The transaction id (sent as State): 128 random bits, hex. */
  transactionId: string;
  /** The tokens whose PIN matched: the answer may come from any of them. */
  serials: string[];
  realm: string;
  resolver: string;
  userId: string;
  login: string;
  /** Challenge data: the OCRA question, or SELF_SERVICE_CHALLENGE for a portal login's code. */
  data: string;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  maxAttempts: number;
}

/**
 * The data of a transaction the self-service login opened for an e-mail or
 * SMS code: only the portal's code step may answer it, never a RADIUS State,
 * since it followed the directory password and not the token PIN.
 */
export const SELF_SERVICE_CHALLENGE = 'self-service';

/** Who may answer a transaction: RADIUS (and the validate API), or the portal's login. */
export type ChallengeFor = 'radius' | 'self-service';

export function challengeFor(c: Pick<Challenge, 'data'>): ChallengeFor {
  return c.data === SELF_SERVICE_CHALLENGE ? 'self-service' : 'radius';
}
