// HMAC-SHA1 of an 8-byte counter as WebAssembly, for the window and
// sync-window searches of SHA-1 tokens (nearly all of them).
//
// A wrong TOTP code costs 81 HMACs with the default windows, and in
// JavaScript each took ~0.5 us even on precomputed ipad/opad states
// (counter-code.ts): V8 keeps the 80-word message schedule in memory and
// checks every typed-array access. Here the SHA-1 compression is fully
// unrolled over 21 locals (the state and a 16-word rolling schedule), which
// V8 compiles to straight register code: ~0.19 us an HMAC, measured against
// 0.49 us for the JavaScript version on the benchmark machine.
//
// The module is written out as bytes below rather than shipped as a binary:
// it is two functions, and this way the source is the code that runs. Memory
// (one page) holds, as 32-bit words: the inner state at 0, the outer state
// at 32, the inner message block at 64 (counter, then SHA padding for
// 64 + 8 bytes), the outer block at 128 (inner digest, then padding for
// 64 + 20 bytes) and the digest at 192. The padding words never change, so
// a call writes only the counter and the two compressions do the rest.
//
// `node --jitless` has no WebAssembly; wasmSha1 then returns undefined and
// the caller keeps the JavaScript compression.

const INNER = 0;
const OUTER = 32;
const BLOCK_IN = 64;
const BLOCK_OUT = 128;
const DIGEST = 192;

const I32 = 0x7f;
const OP = {
  localGet: 0x20, localSet: 0x21, load: 0x28, store: 0x36, const: 0x41,
  add: 0x6a, and: 0x71, or: 0x72, xor: 0x73, rotl: 0x77, call: 0x10, end: 0x0b,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** compress(state, input, output): SHA-1 of one block from `state`, all three byte offsets into memory. */
function compressBody(): number[] {
  const code: number[] = [];
  const get = (l: number) => code.push(OP.localGet, l);
  const set = (l: number) => code.push(OP.localSet, l);
  const k = (v: number) => code.push(OP.const, ...sleb(v));
  const op = (o: number) => code.push(o);
  const load = (offset: number) => code.push(OP.load, 2, ...uleb(offset));
  const store = (offset: number) => code.push(OP.store, 2, ...uleb(offset));
  // Locals: 0 state, 1 input, 2 output (parameters); 3..7 a..e; 8..23 the rolling schedule.
  const W = (i: number) => 8 + (i % 16);
  for (let i = 0; i < 16; i++) {
    get(1); load(4 * i); set(W(i));
  }
  for (let i = 0; i < 5; i++) {
    get(0); load(4 * i); set(3 + i);
  }
  for (let i = 0; i < 80; i++) {
    // The variables take turns instead of moving: in round i, a..e are these locals.
    const [A, B, C, D, E] = [0, 1, 2, 3, 4].map((j) => 3 + ((j - i + 80) % 5)) as [number, number, number, number, number];
    if (i >= 16) {
      get(W(i - 3)); get(W(i - 8)); op(OP.xor); get(W(i - 14)); op(OP.xor); get(W(i)); op(OP.xor); k(1); op(OP.rotl); set(W(i));
    }
    get(A); k(5); op(OP.rotl);
    if (i < 20) {
      get(D); get(B); get(C); get(D); op(OP.xor); op(OP.and); op(OP.xor); // Ch: d ^ (b & (c ^ d))
    } else if (i >= 40 && i < 60) {
      get(B); get(C); op(OP.and); get(D); get(B); get(C); op(OP.or); op(OP.and); op(OP.or); // Maj: (b & c) | (d & (b | c))
    } else {
      get(B); get(C); op(OP.xor); get(D); op(OP.xor); // Parity
    }
    op(OP.add);
    get(E); k(i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6); op(OP.add); get(W(i)); op(OP.add);
    op(OP.add); set(E);
    get(B); k(30); op(OP.rotl); set(B);
  }
  // 80 rounds are 16 full turns: a..e are locals 3..7 again.
  for (let i = 0; i < 5; i++) {
    get(2); get(0); load(4 * i); get(3 + i); op(OP.add); store(4 * i);
  }
  code.push(OP.end);
  return [1, 21, I32, ...code];
}

/** hmac(hi, lo): the counter into the inner block, then inner and outer compression into the digest. */
function hmacBody(): number[] {
  const c = (v: number) => [OP.const, ...sleb(v)];
  const code = [
    ...c(BLOCK_IN), OP.localGet, 0, OP.store, 2, 0,
    ...c(BLOCK_IN), OP.localGet, 1, OP.store, 2, 4,
    ...c(INNER), ...c(BLOCK_IN), ...c(BLOCK_OUT), OP.call, 0,
    ...c(OUTER), ...c(BLOCK_OUT), ...c(DIGEST), OP.call, 0,
    OP.end,
  ];
  return [0, ...code];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const body = (b: number[]) => [...uleb(b.length), ...b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 3, I32, I32, I32, 0], [0x60, 2, I32, I32, 0]])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('mem'), 0x02, 0], [...name('hmac'), 0x00, 1]])),
    ...section(10, vec([body(compressBody()), body(hmacBody())])),
  ]);
}

interface Engine {
  words: Int32Array;
  digest: Int32Array;
  hmac: (hi: number, lo: number) => void;
  /** The key whose states are in memory now. */
  loaded: Sha1Hmac | undefined;
}

let engine: Engine | null | undefined;

function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  if (typeof WebAssembly === 'undefined') return (engine = null);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), {});
  const memory = instance.exports.mem as WebAssembly.Memory;
  const words = new Int32Array(memory.buffer, 0, (DIGEST + 20) / 4);
  // SHA padding: a 1 bit after the message, the message length in bits last.
  words[BLOCK_IN / 4 + 2] = 0x80000000 | 0;
  words[BLOCK_IN / 4 + 15] = (64 + 8) * 8;
  words[BLOCK_OUT / 4 + 5] = 0x80000000 | 0;
  words[BLOCK_OUT / 4 + 15] = (64 + 20) * 8;
  const digest = words.subarray(DIGEST / 4, DIGEST / 4 + 5);
  return (engine = { words, digest, hmac: instance.exports.hmac as Engine['hmac'], loaded: undefined });
}

/** HMAC-SHA1 over 8-byte counters for one key, given as its inner and outer SHA-1 states (RFC 2104 ipad/opad blocks). */
export class Sha1Hmac {
  readonly #engine: Engine;
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;

  private constructor(e: Engine, inner: Int32Array, outer: Int32Array) {
    this.#engine = e;
    this.#inner = inner;
    this.#outer = outer;
  }

  /** Undefined when this Node.js has no WebAssembly (--jitless). */
  static create(inner: Int32Array, outer: Int32Array): Sha1Hmac | undefined {
    if (inner.length !== 5 || outer.length !== 5) throw new RangeError(`Sha1Hmac: states of 5 words expected, got ${inner.length} and ${outer.length}`);
    const e = getEngine();
    return e ? new Sha1Hmac(e, inner, outer) : undefined;
  }

  /** The HMAC as 5 big-endian words, in a view that the next call overwrites. */
  digestAt(hi: number, lo: number): Int32Array {
    const e = this.#engine;
    if (e.loaded !== this) {
      e.words.set(this.#inner, INNER / 4);
      e.words.set(this.#outer, OUTER / 4);
      e.loaded = this;
    }
    e.hmac(hi, lo);
    return e.digest;
  }
}
