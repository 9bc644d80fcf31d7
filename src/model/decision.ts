// The answer of the authentication service. The RADIUS layer turns it into
// Access-Accept / Access-Reject / Access-Challenge; the HTTP API into
// LinOTP's JSON; the CLI into a line of text.

export type DecisionKind = 'accept' | 'reject' | 'challenge';

/** A reply attribute by dictionary name, e.g. { name: 'Class', value: 'admins' }. */
export interface ReplyAttribute {
  name: string;
  value: string | number | Buffer;
}

export interface Decision {
  decision: DecisionKind;
  /** Short machine-friendly reason for the audit log: 'wrong otp', 'replay', 'locked', ... */
  reason: string;
  /** Text shown to the user by the NAS (Reply-Message). Never carries the reason of a reject unless configured. */
  replyMessage?: string;
  /** Transaction id of a challenge, sent as State. */
  state?: Buffer;
  /** The challenge's transaction id (the State as text), its data (OCRA question) and tokens: for the HTTP API and CLI. */
  transactionId?: string;
  challengeData?: string;
  challengeSerials?: string[];
  /** Seconds the challenge stays open (Session-Timeout on Access-Challenge). */
  sessionTimeout?: number;
  /** Attributes for Access-Accept, mapped from user data by reply rules. */
  replyAttributes?: ReplyAttribute[];
  /** Who and what decided: for the audit event. */
  user?: string;
  realm?: string;
  serial?: string;
}

export function reject(reason: string, extra: Partial<Decision> = {}): Decision {
  return { ...extra, decision: 'reject', reason };
}
