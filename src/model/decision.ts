// The answer of the authentication service. The RADIUS layer turns it into
// Access-Accept / Access-Reject / Access-Challenge; the HTTP API into
// LinOTP's JSON; the CLI into a line of text; the audit log into an event.

export type DecisionKind = 'accept' | 'reject' | 'challenge';

/** A reply attribute by dictionary name, e.g. { name: 'Class', value: 'admins' }. */
export interface ReplyAttribute {
  name: string;
  value: string | number | Buffer;
}

/** Where an e-mail or SMS code of a transaction went. */
export interface SentCode {
  serial: string;
  channel: 'email' | 'sms';
  /** The destination masked, e.g. a***@example.org or +49*********89. */
  to: string;
}

/** One send this request made or held back, for the audit log: never the code. */
export interface CodeSend extends SentCode {
  result: 'sent' | 'failed' | 'limited';
  /** Why it failed or was held back, e.g. "smtp: connection refused" or "resend-interval, retry in 42 s". */
  reason?: string;
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
  /** The e-mail and SMS codes it waits for. */
  codes?: SentCode[];
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
  /** Codes this request sent, or tried to send, for e-mail and SMS tokens. */
  deliveries?: CodeSend[];
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
