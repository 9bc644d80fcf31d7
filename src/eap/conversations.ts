// Open EAP conversations of this worker, keyed by the NAS client and the
// State we issued (16 random bytes). Bounded: past the maximum the oldest
// conversation is dropped with its tunnel, and one older than the time
// limit is gone when next looked at or swept. A flood of EAP starts that
// never finish therefore holds at most `max` conversations.

import { randomBytes } from 'node:crypto';
import type { EapMethodName } from './options.ts';
import type { TlsMethod } from './tls-method.ts';

export interface Conversation {
  readonly key: string;
  readonly state: Buffer;
  readonly client: string;
  readonly started: number;
  rounds: number;
  bytes: number;
  /** From the outer EAP-Response/Identity; often anonymous. */
  outerIdentity: string | undefined;
  /** Identifier of our last request, which the next response must carry. */
  identifier: number;
  lastRequest: Buffer;
  /** The response that last request answered, to recognise a resend of it. */
  lastResponse: Buffer | undefined;
  /** Methods offered so far, in order. */
  offered: EapMethodName[];
  method: TlsMethod | undefined;
  /** A round is being worked on; another packet for it meanwhile is not answered. */
  busy: boolean;
}

export class ConversationTable {
  private readonly open = new Map<string, Conversation>();
  private readonly max: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** Conversations dropped to make room (for logs and tests). */
  evicted = 0;
  expired = 0;

  constructor(max: number, timeoutSeconds: number, now: () => number = Date.now) {
    this.max = max;
    this.timeoutMs = timeoutSeconds * 1000;
    this.now = now;
  }

  get size(): number {
    return this.open.size;
  }

  static key(client: string, state: Buffer): string {
    return `${client}\u0000${state.toString('hex')}`;
  }

  create(client: string, request: Buffer, identifier: number): Conversation {
    this.sweep();
    while (this.open.size >= this.max) {
      const oldest = this.open.values().next().value!;
      this.remove(oldest);
      this.evicted++;
    }
    const state = randomBytes(16);
    const conversation: Conversation = {
      key: ConversationTable.key(client, state),
      state,
      client,
      started: this.now(),
      rounds: 0,
      bytes: 0,
      outerIdentity: undefined,
      identifier,
      lastRequest: request,
      lastResponse: undefined,
      offered: [],
      method: undefined,
      busy: false,
    };
    this.open.set(conversation.key, conversation);
    return conversation;
  }

  /** The conversation of this State, or why there is none. */
  find(client: string, state: Buffer): Conversation | 'unknown' | 'expired' {
    const key = ConversationTable.key(client, state);
    const conversation = this.open.get(key);
    if (!conversation) return 'unknown';
    if (this.now() - conversation.started >= this.timeoutMs) {
      this.remove(conversation);
      this.expired++;
      return 'expired';
    }
    return conversation;
  }

  remove(conversation: Conversation): void {
    if (this.open.get(conversation.key) === conversation) this.open.delete(conversation.key);
    conversation.method?.destroy();
    conversation.method = undefined;
  }

  /** Conversations are kept in the order they started, so the expired ones are at the front. */
  sweep(): void {
    const now = this.now();
    for (const conversation of this.open.values()) {
      if (now - conversation.started < this.timeoutMs) break;
      this.remove(conversation);
      this.expired++;
    }
  }

  clear(): void {
    for (const conversation of [...this.open.values()]) this.remove(conversation);
  }
}
