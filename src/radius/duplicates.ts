// Duplicate detection (RFC 5080 2.2.2): a request with the same source
// address and port, Identifier and Request Authenticator is a retransmission.
// It gets the answer already sent, byte for byte; if the first copy is still
// being authenticated, the retransmission is dropped, never handled twice
// (handling it again would burn the OTP and reject the user).
//
// The cache holds every answer of the last `lifetime` seconds: 100,000 of them
// for a worker answering 3,300 requests a second with the default 30 s. Kept
// as a Map of entry objects holding a Buffer each, that was ~600 bytes an
// answer, all of it in the old generation the garbage collector keeps walking.
// Answers all live equally long, so they expire in the order they were sent:
// a first-in first-out ring in typed arrays, with the answer bytes copied into
// shared 64 KB slabs, costs ~100 bytes an answer (mostly the key and its Map
// slot). Requests still being authenticated are few and sit in their own Map,
// so a handler that hangs never keeps answers or slabs alive.

const SLAB_BYTES = 64 * 1024;
const MIN_CAPACITY = 1024;
/** How much longer than an answer a request in progress is remembered: a handler that never finishes must not pin its key forever. */
const PENDING_FACTOR = 10;

export class DuplicateCache {
  private readonly lifetimeMs: number;
  private readonly maxEntries: number;
  /** key -> when a request still in progress stops blocking its retransmissions. */
  private readonly pending = new Map<string, number>();
  /** key -> sequence number of its answer in the ring. */
  private readonly answered = new Map<string, number>();

  // The ring of answers: sequence numbers head..tail-1 live at index seq % capacity.
  private capacity = MIN_CAPACITY;
  private head = 0;
  private tail = 0;
  private keys: (string | undefined)[] = new Array<string | undefined>(MIN_CAPACITY);
  private expires = new Float64Array(MIN_CAPACITY);
  private slabOf = new Float64Array(MIN_CAPACITY);
  private offsets = new Int32Array(MIN_CAPACITY);
  private lengths = new Int32Array(MIN_CAPACITY);

  // Slabs firstSlab..firstSlab+slabs.length-1; answers are appended to the last.
  private slabs: Buffer[] = [];
  private firstSlab = 0;
  private used = SLAB_BYTES;

  constructor(lifetimeSeconds: number, maxEntries = 1_000_000) {
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.maxEntries = Math.max(1, maxEntries);
  }

  /** A short one-byte string: the Request Authenticator, Identifier, port and source address. */
  static key(address: string, port: number, identifier: number, authenticator: Buffer): string {
    return authenticator.toString('latin1') + String.fromCharCode(identifier & 0xff, (port >> 8) & 0xff, port & 0xff) + address;
  }

  /** 'new' marks the request as in progress; otherwise the cached answer or 'in-progress'. */
  check(key: string, now = Date.now()): 'new' | 'in-progress' | Buffer {
    this.evict(now);
    const seq = this.answered.get(key);
    if (seq !== undefined) return this.answerAt(seq);
    const until = this.pending.get(key);
    if (until !== undefined && until > now) return 'in-progress';
    this.pending.delete(key);
    this.pending.set(key, now + PENDING_FACTOR * this.lifetimeMs);
    return 'new';
  }

  complete(key: string, response: Buffer, now = Date.now()): void {
    this.pending.delete(key);
    if (this.tail - this.head === this.capacity) this.grow();
    const seq = this.tail++;
    const i = seq % this.capacity;
    const slab = this.room(response.length);
    response.copy(this.slabs[this.slabs.length - 1]!, this.used);
    this.keys[i] = key;
    this.expires[i] = now + this.lifetimeMs;
    this.slabOf[i] = slab;
    this.offsets[i] = this.used;
    this.lengths[i] = response.length;
    this.used += response.length;
    this.answered.set(key, seq);
    this.evict(now);
  }

  /** Forget a request that got no answer (dropped), so a retransmission is handled afresh. */
  forget(key: string): void {
    this.pending.delete(key);
    // Its ring slot stays until it expires; eviction sees the key no longer points at it.
    this.answered.delete(key);
  }

  get size(): number {
    return this.pending.size + this.answered.size;
  }

  /** Bytes of answer slabs held: what the cache costs beyond its keys. */
  get slabBytes(): number {
    let n = 0;
    for (const slab of this.slabs) n += slab.length;
    return n;
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

  private grow(): void {
    const size = this.tail - this.head;
    const capacity = this.capacity * 2;
    const keys = new Array<string | undefined>(capacity);
    const expires = new Float64Array(capacity);
    const slabOf = new Float64Array(capacity);
    const offsets = new Int32Array(capacity);
    const lengths = new Int32Array(capacity);
    for (let k = 0; k < size; k++) {
      const from = (this.head + k) % this.capacity;
      const to = (this.head + k) % capacity;
      keys[to] = this.keys[from];
      expires[to] = this.expires[from]!;
      slabOf[to] = this.slabOf[from]!;
      offsets[to] = this.offsets[from]!;
      lengths[to] = this.lengths[from]!;
    }
    this.capacity = capacity;
    this.keys = keys;
    this.expires = expires;
    this.slabOf = slabOf;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  private evict(now: number): void {
    while (this.head < this.tail) {
      const i = this.head % this.capacity;
      if (this.expires[i]! > now && this.tail - this.head <= this.maxEntries) break;
      const key = this.keys[i]!;
      if (this.answered.get(key) === this.head) this.answered.delete(key);
      this.keys[i] = undefined;
      this.head++;
    }
    // Slabs before the oldest live answer's are no longer referenced by the ring.
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
