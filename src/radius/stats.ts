// Counters of what the listener saw, for logs and metrics.

export type DropReason =
  | 'unknown-client'
  | 'too-short'
  | 'bad-length'
  | 'bad-attribute'
  | 'unsupported-code'
  | 'bad-authenticator'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator'
  | 'bad-password'
  | 'duplicate-in-progress'
  | 'shutting-down'
  | 'reply-failed'
  /** A RadSec stream that ended in the middle of a packet. */
  | 'truncated';

export class RadiusStats {
  received = 0;
  accepts = 0;
  rejects = 0;
  challenges = 0;
  statusServer = 0;
  accounting = 0;
  /** Retransmissions answered from the duplicate cache. */
  duplicates = 0;
  readonly dropped = new Map<DropReason, number>();

  drop(reason: DropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }

  droppedTotal(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }

  snapshot(): Record<string, number | Record<string, number>> {
    return {
      received: this.received,
      accepts: this.accepts,
      rejects: this.rejects,
      challenges: this.challenges,
      statusServer: this.statusServer,
      accounting: this.accounting,
      duplicates: this.duplicates,
      dropped: Object.fromEntries(this.dropped),
    };
  }
}
