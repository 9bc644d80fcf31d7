// Duplicate detection (RFC 5080 2.2.2): a request with the same source
// address and port, Identifier and Request Authenticator is a retransmission.
// It gets the answer already sent, byte for byte; if the first copy is still
// being authenticated, the retransmission is dropped, never handled twice
// (handling it again would burn the OTP and reject the user).
//
// The cache holds every answer of the last `lifetime` seconds, a great many
// under load; as objects in a Map they would fill the old generation, which
// the garbage collector keeps walking. Answers all live equally long, so they expire in the order they were sent:
// here they sit in a first-in first-out ring of typed arrays, found through a
// chained hash table whose chains run from newest to oldest (so an expired
// entry ends a chain and nothing is ever unlinked), and their bytes are copied
// into shared slabs, none of it objects. The ring grows by half when full and
// shrinks after a burst. Requests still being authenticated are few and sit in
// a Map of their own, so a handler that hangs never keeps answers or slabs
// alive.

import { randomBytes } from 'node:crypto';
import { sourceAddressBytes } from '../net/cidr.ts';

const SLAB_BYTES = 64 * 1024;
const MIN_CAPACITY = 1024;
/** How much longer than an answer a request in progress is remembered: a handler that never finishes must not pin its key forever. */
const PENDING_FACTOR = 10;
/** 32-bit words of a key: 4 of Request Authenticator, 4 of address (IPv4 as IPv4-mapped IPv6), port and Identifier in one. */
const KEY_WORDS = 9;

/** What tells one request from another; made once per request by `DuplicateCache.key`. */
export interface RequestKey {
  readonly words: Uint32Array;
  /** Its hash-table hash, made once for the lookup and the insert. */
  readonly hash: number;
  /** The same, as a string for the Map of requests in progress. */
  readonly text: string;
}

function addressWords(address: string, into: Uint32Array): boolean {
  const bytes = sourceAddressBytes(address);
  if (!bytes) return false;
  if (bytes.length === 4) {
    into[4] = 0;
    into[5] = 0;
    into[6] = 0xffff;
    into[7] = bytes.readUInt32BE(0);
  } else {
    for (let i = 0; i < 4; i++) into[4 + i] = bytes.readUInt32BE(4 * i);
  }
  return true;
}

// A random seed per process: a NAS choosing its authenticators cannot aim them all at one chain.
const SEED = randomBytes(4).readUInt32LE(0);

function hashOf(words: Uint32Array): number {
  let h = SEED;
  for (let i = 0; i < KEY_WORDS; i++) {
    h = Math.imul(h ^ words[i]!, 0x9e3779b1);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class DuplicateCache {
  private readonly lifetimeMs: number;
  private readonly maxEntries: number;
  /** key text -> when a request still in progress stops blocking its retransmissions. */
  private readonly pending = new Map<string, number>();

  // The ring of answers: sequence numbers head..tail-1 live at index seq % capacity.
  private capacity = MIN_CAPACITY;
  /** Hash buckets - 1: a power of two at least half the capacity, so chains stay short. */
  private bucketMask = MIN_CAPACITY - 1;
  private head = 0;
  private tail = 0;
  private forgotten = 0;
  private keyWords = new Uint32Array(MIN_CAPACITY * KEY_WORDS);
  private expires = new Float64Array(MIN_CAPACITY);
  private slabOf = new Int32Array(MIN_CAPACITY);
  private offsets = new Int32Array(MIN_CAPACITY);
  /** Answer length, or -1 for an answer forgotten before it expired. */
  private lengths = new Int32Array(MIN_CAPACITY);
  /** The next older sequence number in the same hash chain, or -1. */
  private older = new Float64Array(MIN_CAPACITY);
  /** Per hash bucket, the newest sequence number in it, or -1. */
  private buckets = new Float64Array(MIN_CAPACITY).fill(-1);

  // Slabs firstSlab..firstSlab+slabs.length-1; answers are appended to the last.
  private slabs: Buffer[] = [];
  private firstSlab = 0;
  private used = 0;

  constructor(lifetimeSeconds: number, maxEntries = 1_000_000) {
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.maxEntries = Math.max(1, maxEntries);
  }

  /** The key of a request; undefined for a source address that is no IP address (never from a UDP socket). */
  static key(address: string, port: number, identifier: number, authenticator: Buffer): RequestKey | undefined {
    const words = new Uint32Array(KEY_WORDS);
    for (let i = 0; i < 4; i++) words[i] = authenticator.readUInt32BE(4 * i);
    if (!addressWords(address, words)) return undefined;
    words[8] = ((port & 0xffff) << 8) | (identifier & 0xff);
    return { words, hash: hashOf(words), text: Buffer.from(words.buffer).toString('latin1') };
  }

  /** 'new' marks the request as in progress; otherwise the cached answer or 'in-progress'. */
  check(key: RequestKey, now = Date.now()): 'new' | 'in-progress' | Buffer {
    this.evict(now);
    const seq = this.find(key);
    if (seq >= 0) return this.answerAt(seq);
    const until = this.pending.get(key.text);
    if (until !== undefined && until > now) return 'in-progress';
    this.pending.delete(key.text);
    this.pending.set(key.text, now + PENDING_FACTOR * this.lifetimeMs);
    return 'new';
  }

  complete(key: RequestKey, response: Buffer, now = Date.now()): void {
    this.pending.delete(key.text);
    if (this.tail - this.head === this.capacity) this.resize(Math.ceil(this.capacity * 1.5));
    const seq = this.tail++;
    const i = seq % this.capacity;
    const slab = this.room(response.length);
    response.copy(this.slabs[this.slabs.length - 1]!, this.used);
    this.keyWords.set(key.words, i * KEY_WORDS);
    this.expires[i] = now + this.lifetimeMs;
    this.slabOf[i] = slab;
    this.offsets[i] = this.used;
    this.lengths[i] = response.length;
    this.used += response.length;
    this.link(seq, key.hash);
    this.evict(now);
  }

  /** Forget a request that got no answer (dropped), so a retransmission is handled afresh. */
  forget(key: RequestKey): void {
    this.pending.delete(key.text);
    const seq = this.find(key);
    if (seq >= 0) {
      // Its slot stays in the ring until it expires, marked so lookups pass it by.
      this.lengths[seq % this.capacity] = -1;
      this.forgotten++;
    }
  }

  get size(): number {
    return this.pending.size + this.tail - this.head - this.forgotten;
  }

  /** Bytes of answer slabs held: what the answers cost beyond the ring. */
  get slabBytes(): number {
    let n = 0;
    for (const slab of this.slabs) n += slab.length;
    return n;
  }

  /** Answers the ring has room for before it grows. */
  get slots(): number {
    return this.capacity;
  }

  /** The sequence number of the newest live answer to `key`, or -1. */
  private find(key: RequestKey): number {
    let seq = this.buckets[key.hash & this.bucketMask]!;
    while (seq >= this.head) {
      const i = seq % this.capacity;
      if (this.lengths[i]! >= 0 && this.sameKey(i, key.words)) return seq;
      seq = this.older[i]!;
    }
    return -1;
  }

  private sameKey(i: number, words: Uint32Array): boolean {
    const base = i * KEY_WORDS;
    for (let w = 0; w < KEY_WORDS; w++) if (this.keyWords[base + w] !== words[w]) return false;
    return true;
  }

  private link(seq: number, hash: number): void {
    const b = hash & this.bucketMask;
    this.older[seq % this.capacity] = this.buckets[b]!;
    this.buckets[b] = seq;
  }

  private answerAt(seq: number): Buffer {
    const i = seq % this.capacity;
    const slab = this.slabs[this.slabOf[i]! - this.firstSlab]!;
    // A view, not a copy: the slab stays alive while a send still needs it.
    return slab.subarray(this.offsets[i]!, this.offsets[i]! + this.lengths[i]!);
  }

  /** The number of the slab with `bytes` free at `used`, starting a new one when the last is full. */
  private room(bytes: number): number {
    if (this.slabs.length === 0 || this.used + bytes > SLAB_BYTES) {
      this.slabs.push(Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bytes)));
      this.used = 0;
    }
    return this.firstSlab + this.slabs.length - 1;
  }

  /** Moves the live answers into a ring of `capacity` slots and rebuilds the chains oldest first, so they stay newest-first. */
  private resize(capacity: number): void {
    const from = { capacity: this.capacity, keyWords: this.keyWords, expires: this.expires, slabOf: this.slabOf, offsets: this.offsets, lengths: this.lengths };
    let buckets = MIN_CAPACITY;
    while (buckets * 2 < capacity) buckets *= 2;
    this.capacity = capacity;
    this.bucketMask = buckets - 1;
    this.keyWords = new Uint32Array(capacity * KEY_WORDS);
    this.expires = new Float64Array(capacity);
    this.slabOf = new Int32Array(capacity);
    this.offsets = new Int32Array(capacity);
    this.lengths = new Int32Array(capacity);
    this.older = new Float64Array(capacity);
    this.buckets = new Float64Array(buckets).fill(-1);
    for (let seq = this.head; seq < this.tail; seq++) {
      const a = seq % from.capacity;
      const b = seq % capacity;
      this.keyWords.set(from.keyWords.subarray(a * KEY_WORDS, (a + 1) * KEY_WORDS), b * KEY_WORDS);
      this.expires[b] = from.expires[a]!;
      this.slabOf[b] = from.slabOf[a]!;
      this.offsets[b] = from.offsets[a]!;
      this.lengths[b] = from.lengths[a]!;
      this.link(seq, hashOf(this.keyWords.subarray(b * KEY_WORDS, (b + 1) * KEY_WORDS)));
    }
  }

  private evict(now: number): void {
    while (this.head < this.tail) {
      const i = this.head % this.capacity;
      if (this.expires[i]! > now && this.tail - this.head <= this.maxEntries) break;
      if (this.lengths[i]! < 0) this.forgotten--;
      this.head++;
    }
    // Slabs before the oldest live answer's are no longer referenced by the ring.
    // After a burst, give the room back: the ring follows the load.
    const live = this.tail - this.head;
    if (this.capacity > MIN_CAPACITY && live * 4 < this.capacity) this.resize(Math.max(MIN_CAPACITY, live * 2));
    const oldest = this.head < this.tail ? this.slabOf[this.head % this.capacity]! : this.firstSlab + this.slabs.length - 1;
    while (this.firstSlab < oldest) {
      this.slabs.shift();
      this.firstSlab++;
    }
    // Pending keys all get the same timeout, so the Map is in expiry order.
    for (const [key, until] of this.pending) {
      if (until > now && this.pending.size <= this.maxEntries) break;
      this.pending.delete(key);
    }
  }
}
