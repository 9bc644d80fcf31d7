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
  /** Challenge data, e.g. the OCRA question. */
  data: string;
  createdAt: number;
  expiresAt: number;
  attempts: number;
  maxAttempts: number;
}
