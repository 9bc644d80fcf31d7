// The answer of the authentication service. The RADIUS layer turns it into
// Access-Accept / Access-Reject / Access-Challenge; the HTTP API into
// LinOTP's JSON; the CLI into a line of text; the audit log into an event.

export type DecisionKind = 'accept' | 'reject' | 'challenge';

/** A reply attribute by dictionary name, e.g. { name: 'Class', value: 'admins' }. */
export interface ReplyAttribute {
  name: string;
  value: string | number | Buffer;
}

/** An open challenge as the front ends show it. */
export interface ChallengeInfo {
  /** 128 random bits in hex: sent as State, LinOTP's `transactionid`. */
  transactionId: string;
  /** What the user must answer (the OCRA question); empty for HOTP/TOTP. */
  data: string;
  /** The tokens that may answer it. */
  serials: string[];
  /** Seconds it stays open (Session-Timeout on Access-Challenge). */
  timeout: number;
}

/** Who and what a decision was about, for the audit event; absent where nobody was found. */
interface Audited {
  /** Short machine-friendly reason for the audit log: 'wrong otp', 'replay', 'locked', ... Never sent to the NAS. */
  reason: string;
  /** Text shown to the user by the NAS (Reply-Message). */
  replyMessage?: string;
  user?: string;
  realm?: string;
  serial?: string;
}

export interface AcceptDecision extends Audited {
  decision: 'accept';
  /** Attributes mapped from the user's groups and data by reply rules. */
  replyAttributes?: ReplyAttribute[];
}

export interface RejectDecision extends Audited {
  decision: 'reject';
}

export interface ChallengeDecision extends Audited {
  decision: 'challenge';
  challenge: ChallengeInfo;
}

export type Decision = AcceptDecision | RejectDecision | ChallengeDecision;
