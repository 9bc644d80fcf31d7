// HMAC-SHA1 of an 8-byte counter as WebAssembly, for the window and
// sync-window searches of SHA-1 tokens (nearly all of them).
//
// A wrong TOTP code costs 81 HMACs with the default windows. In JavaScript,
// even on precomputed ipad/opad states (counter-code.ts), V8 keeps the
// 80-word message schedule in memory and checks every typed-array access.
// Here the SHA-1 compression is fully unrolled over 21 locals (the state and
// a 16-word rolling schedule), which V8 compiles to straight register code.
// Where WebAssembly SIMD is there, the same compression is also built over
// v128 words, four hashes in the four lanes, and a search asks for four codes
// at a time (counter-code.ts binariesAt). docs/performance.md has the figures.
//
// The module is written out as bytes below rather than shipped as a binary:
// it is a few functions, and this way the source is the code that runs.
// Memory (one page) holds, for each width (layout() below), as 32-bit words:
// the inner and outer key states, the inner message block (counter, then SHA
// padding for 64 + 8 bytes), the outer block (inner digest, then padding for
// 64 + 20 bytes) and the digest. The padding words never change, so a call
// writes only the counter and the two compressions do the rest.
//
// `node --jitless` has no WebAssembly; Sha1Hmac.create then returns undefined and
// the caller keeps the JavaScript compression.

const I32 = 0x7f;
const V128 = 0x7b;
const OP = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  load: 0x28,
  store: 0x36,
  const: 0x41,
  add: 0x6a,
  and: 0x71,
  or: 0x72,
  xor: 0x73,
  rotl: 0x77,
  call: 0x10,
  end: 0x0b,
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

/** How one compression function handles its words: one i32 each, or four in a v128 (one per lane). */
interface Lanes {
  count: 1 | 4;
  type: number;
  memory: Layout;
  /** Locals after the three parameters: a..e, the 16-word schedule, and for v128 a scratch word for rotations. */
  locals: number;
  add: number[];
  and: number[];
  or: number[];
  xor: number[];
  /** Pushes the code that turns the word on the stack into itself rotated left by n. */
  rotl(code: number[], n: number): void;
  constant(v: number): number[];
  load(offset: number): number[];
  store(offset: number): number[];
}

const SIMD = (op: number): number[] => [0xfd, ...uleb(op)];

/** Byte offsets of one width's data; each word takes 4 bytes a lane. */
interface Layout {
  inner: number;
  outer: number;
  blockIn: number;
  blockOut: number;
  digest: number;
  end: number;
}

function layout(base: number, lanes: 1 | 4): Layout {
  const at = (word: number) => base + 4 * lanes * word;
  return { inner: at(0), outer: at(5), blockIn: at(10), blockOut: at(26), digest: at(42), end: at(47) };
}

const ONE_LANE: Lanes = {
  count: 1,
  type: I32,
  memory: layout(0, 1),
  locals: 21,
  add: [OP.add],
  and: [OP.and],
  or: [OP.or],
  xor: [OP.xor],
  rotl: (code, n) => code.push(OP.const, ...sleb(n), OP.rotl),
  constant: (v) => [OP.const, ...sleb(v)],
  load: (offset) => [OP.load, 2, ...uleb(offset)],
  store: (offset) => [OP.store, 2, ...uleb(offset)],
};

/** Local 24 of the v128 compression: rotations need their operand twice (there is no i32x4 rotate). */
const SCRATCH = 24;

const FOUR_LANES: Lanes = {
  count: 4,
  type: V128,
  // After the one-lane data, at a multiple of 16 bytes (v128 loads are cheapest aligned).
  memory: layout(Math.ceil(ONE_LANE.memory.end / 16) * 16, 4),
  locals: 22,
  add: SIMD(0xae),
  and: SIMD(0x4e),
  or: SIMD(0x50),
  xor: SIMD(0x51),
  rotl: (code, n) => code.push(OP.localTee, SCRATCH, OP.const, ...sleb(n), ...SIMD(0xab), OP.localGet, SCRATCH, OP.const, ...sleb(32 - n), ...SIMD(0xad), ...SIMD(0x50)),
  constant: (v) => [OP.const, ...sleb(v), ...SIMD(0x11)],
  load: (offset) => [...SIMD(0x00), 4, ...uleb(offset)],
  store: (offset) => [...SIMD(0x0b), 4, ...uleb(offset)],
};

/**
 * compress(state, input, output): SHA-1 of one block from `state`, all three
 * byte offsets into memory; with FOUR_LANES each word is a v128 holding that
 * word of four independent hashes, so four blocks are compressed at once.
 */
function compressBody(lanes: Lanes): number[] {
  const code: number[] = [];
  const get = (l: number) => code.push(OP.localGet, l);
  const set = (l: number) => code.push(OP.localSet, l);
  const emit = (ops: number[]) => code.push(...ops);
  const wordBytes = 4 * lanes.count;
  // Locals: 0 state, 1 input, 2 output (parameters); 3..7 a..e; 8..23 the rolling schedule.
  const W = (i: number) => 8 + (i % 16);
  for (let i = 0; i < 16; i++) {
    get(1);
    emit(lanes.load(wordBytes * i));
    set(W(i));
  }
  for (let i = 0; i < 5; i++) {
    get(0);
    emit(lanes.load(wordBytes * i));
    set(3 + i);
  }
  for (let i = 0; i < 80; i++) {
    // The variables take turns instead of moving: in round i, a..e are these locals.
    const [A, B, C, D, E] = [0, 1, 2, 3, 4].map((j) => 3 + ((j - i + 80) % 5)) as [number, number, number, number, number];
    if (i >= 16) {
      get(W(i - 3));
      get(W(i - 8));
      emit(lanes.xor);
      get(W(i - 14));
      emit(lanes.xor);
      get(W(i));
      emit(lanes.xor);
      lanes.rotl(code, 1);
      set(W(i));
    }
    get(A);
    lanes.rotl(code, 5);
    if (i < 20) {
      get(D);
      get(B);
      get(C);
      get(D);
      emit(lanes.xor);
      emit(lanes.and);
      emit(lanes.xor); // Ch: d ^ (b & (c ^ d))
    } else if (i >= 40 && i < 60) {
      get(B);
      get(C);
      emit(lanes.and);
      get(D);
      get(B);
      get(C);
      emit(lanes.or);
      emit(lanes.and);
      emit(lanes.or); // Maj: (b & c) | (d & (b | c))
    } else {
      get(B);
      get(C);
      emit(lanes.xor);
      get(D);
      emit(lanes.xor); // Parity
    }
    emit(lanes.add);
    get(E);
    emit(lanes.constant(i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6));
    emit(lanes.add);
    get(W(i));
    emit(lanes.add);
    emit(lanes.add);
    set(E);
    get(B);
    lanes.rotl(code, 30);
    set(B);
  }
  // 80 rounds are 16 full turns: a..e are locals 3..7 again.
  for (let i = 0; i < 5; i++) {
    get(2);
    get(0);
    emit(lanes.load(wordBytes * i));
    get(3 + i);
    emit(lanes.add);
    emit(lanes.store(wordBytes * i));
  }
  code.push(OP.end);
  return [1, lanes.locals, lanes.type, ...code];
}

/**
 * hmac(): with the counters already in the inner block (the caller writes
 * them), the inner and the outer compression into the digest. `compress` is
 * the index of this width's compression function.
 */
function hmacBody(lanes: Lanes, compress: number): number[] {
  const c = (v: number) => [OP.const, ...sleb(v)];
  const m = lanes.memory;
  return [0, ...c(m.inner), ...c(m.blockIn), ...c(m.blockOut), OP.call, compress, ...c(m.outer), ...c(m.blockOut), ...c(m.digest), OP.call, compress, OP.end];
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

/** The module; with `fourLanes` also compress4 and hmac4, which need WebAssembly SIMD. */
function moduleBytes(fourLanes: boolean): Uint8Array<ArrayBuffer> {
  const body = (b: number[]) => [...uleb(b.length), ...b];
  // Functions 0 and 1: compress and hmac of one lane; 2 and 3: the same over four.
  const widths = fourLanes ? [ONE_LANE, FOUR_LANES] : [ONE_LANE];
  const exports = [
    [...name('mem'), 0x02, 0],
    [...name('hmac'), 0x00, 1],
  ];
  if (fourLanes) exports.push([...name('hmac4'), 0x00, 3]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      vec([
        [0x60, 3, I32, I32, I32, 0],
        [0x60, 0, 0],
      ]),
    ),
    ...section(3, vec(widths.flatMap(() => [[0], [1]]))),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec(exports)),
    ...section(10, vec(widths.flatMap((lanes, i) => [body(compressBody(lanes)), body(hmacBody(lanes, 2 * i))]))),
  ]);
}

interface Engine {
  words: Int32Array;
  /** The widths this module has: one lane, and four where WebAssembly SIMD is there. */
  widths: readonly Lanes[];
  /** One lane's digest (5 words), and the four lanes' (word i of lane l at 4 * i + l). */
  digest: Int32Array;
  digest4: Int32Array;
  hmac: () => void;
  /** Undefined without WebAssembly SIMD. */
  hmac4: (() => void) | undefined;
  /** The key whose states are in memory now. */
  loaded: Sha1Hmac | undefined;
}

let engine: Engine | null | undefined;

/** Index in the memory's words of word `word` of lane `lane` of the block at byte offset `at`. */
function wordIndex(lanes: Lanes, at: number, word: number, lane = 0): number {
  return at / 4 + word * lanes.count + lane;
}

/** Sets word `word` of the block at byte offset `at` in every lane. */
function setWord(words: Int32Array, lanes: Lanes, at: number, word: number, value: number): void {
  for (let l = 0; l < lanes.count; l++) words[wordIndex(lanes, at, word, l)] = value;
}

function getEngine(): Engine | null {
  if (engine !== undefined) return engine;
  if (typeof WebAssembly === 'undefined') {
    engine = null;
    return engine;
  }
  let fourLanes = true;
  let bytes = moduleBytes(fourLanes);
  if (!WebAssembly.validate(bytes)) {
    fourLanes = false;
    bytes = moduleBytes(fourLanes);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const memory = instance.exports.mem as WebAssembly.Memory;
  const words = new Int32Array(memory.buffer, 0, FOUR_LANES.memory.end / 4);
  const widths = fourLanes ? [ONE_LANE, FOUR_LANES] : [ONE_LANE];
  for (const lanes of widths) {
    // SHA padding: a 1 bit after the message, the message length in bits last.
    const { blockIn, blockOut } = lanes.memory;
    setWord(words, lanes, blockIn, 2, 0x80000000 | 0);
    setWord(words, lanes, blockIn, 15, (64 + 8) * 8);
    setWord(words, lanes, blockOut, 5, 0x80000000 | 0);
    setWord(words, lanes, blockOut, 15, (64 + 20) * 8);
  }
  const digestOf = (lanes: Lanes) => words.subarray(lanes.memory.digest / 4, lanes.memory.digest / 4 + 5 * lanes.count);
  engine = {
    words,
    widths,
    digest: digestOf(ONE_LANE),
    digest4: digestOf(FOUR_LANES),
    hmac: instance.exports.hmac as () => void,
    hmac4: instance.exports.hmac4 as (() => void) | undefined,
    loaded: undefined,
  };
  return engine;
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

  /** Whether digests4At works here (WebAssembly SIMD). */
  get fourLanes(): boolean {
    return this.#engine.hmac4 !== undefined;
  }

  #load(): Engine {
    const e = this.#engine;
    if (e.loaded !== this) {
      for (const lanes of e.widths) {
        for (let i = 0; i < 5; i++) {
          setWord(e.words, lanes, lanes.memory.inner, i, this.#inner[i]!);
          setWord(e.words, lanes, lanes.memory.outer, i, this.#outer[i]!);
        }
      }
      e.loaded = this;
    }
    return e;
  }

  /** The HMAC as 5 big-endian words, in a view that the next call overwrites. */
  digestAt(hi: number, lo: number): Int32Array {
    const e = this.#load();
    const at = ONE_LANE.memory.blockIn / 4;
    e.words[at] = hi;
    e.words[at + 1] = lo;
    e.hmac();
    return e.digest;
  }

  /**
   * The HMACs of four counters at once (only when fourLanes), given as the
   * two words of each message. Returns the words of all four, word i of
   * lane l at 4 * i + l, in a view that the next call overwrites.
   */
  digests4At(hi: ArrayLike<number>, lo: ArrayLike<number>): Int32Array {
    const e = this.#load();
    const at = FOUR_LANES.memory.blockIn;
    for (let l = 0; l < 4; l++) {
      e.words[wordIndex(FOUR_LANES, at, 0, l)] = hi[l]!;
      e.words[wordIndex(FOUR_LANES, at, 1, l)] = lo[l]!;
    }
    e.hmac4!();
    return e.digest4;
  }
}
