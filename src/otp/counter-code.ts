// HOTP codes at many counters of one seed, for window and sync-window searches.
//
// A wrong OTP makes the server try every step of the sync window (81 HMACs for
// a TOTP token with the defaults), so the per-HMAC cost decides how fast
// rejects are. node:crypto pays a native call, a key setup and two Buffers per
// HMAC; here the key is hashed into the inner and outer SHA states once
// (RFC 2104's ipad/opad blocks), after which one code costs the two
// compressions of the 8-byte counter message and nothing is allocated. SHA-1
// runs those compressions in WebAssembly where it can (sha1-wasm.ts); the
// figures are in docs/performance.md.
// SHA-512 seeds are rare (only some OCRA suites and TOTP apps) and keep
// node:crypto. src/otp/hotp.ts stays the reference the tests compare against.

import { createHash, createHmac, createSecretKey } from 'node:crypto';
import type { OtpAlgorithm } from './algorithm.ts';
import { checkOtpAlgorithm } from './algorithm.ts';
import { OtpInputError } from './errors.ts';
import { checkDigits, counterBytes, truncatedValue } from './hotp.ts';
import { Sha1Hmac } from './sha1-wasm.ts';

/** The RFC 4226 §5.3 truncated value (31 bits) of the seed's HMAC at a counter. */
export interface CounterCode {
  readonly algorithm: OtpAlgorithm;
  /** `counter` is a whole number 0..2^53-1 (TOTP steps and HOTP counters both fit). */
  binaryAt(counter: number): number;
  /**
   * Sets into[from] to binaryAt(counters[from]) and, where the engine
   * computes several at the cost of one (SHA-1 in WebAssembly SIMD), the
   * following entries too, up to four; returns how many it set.
   */
  binariesAt(counters: readonly number[], from: number, into: Int32Array): number;
}

const BLOCK_BYTES = 64;
const TWO_32 = 2 ** 32;

// Scratch space shared by every key: JavaScript runs one code at a time, and
// nothing here yields between filling and reading these arrays.
const w = new Int32Array(80);
const block = new Int32Array(16);
const digest = new Int32Array(8);

function sha1Compress(state: Int32Array, input: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 16; i++) w[i] = input[i]!;
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!,
    e = state[4]!,
    t: number;
  // One loop per round function: no branch inside the 80 rounds.
  for (let i = 0; i < 20; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 20; i < 40; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 40; i < 60; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e - 0x70e44324 + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 60; i < 80; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e - 0x359d3e2a + w[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
}

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K256 = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256Compress(state: Int32Array, input: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 16; i++) w[i] = input[i]!;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15]!,
      y = w[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!,
    b = state[1]!,
    c = state[2]!,
    d = state[3]!;
  let e = state[4]!,
    f = state[5]!,
    g = state[6]!,
    h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (state[0]! + a) | 0;
  out[1] = (state[1]! + b) | 0;
  out[2] = (state[2]! + c) | 0;
  out[3] = (state[3]! + d) | 0;
  out[4] = (state[4]! + e) | 0;
  out[5] = (state[5]! + f) | 0;
  out[6] = (state[6]! + g) | 0;
  out[7] = (state[7]! + h) | 0;
}

type Compress = (state: Int32Array, input: Int32Array, out: Int32Array) => void;

interface Sha {
  compress: Compress;
  iv: Int32Array;
  /** Digest length in 32-bit words. */
  words: number;
}

const SHA1: Sha = { compress: sha1Compress, iv: Int32Array.from([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]), words: 5 };
const SHA256: Sha = {
  compress: sha256Compress,
  iv: Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]),
  words: 8,
};

/** Byte `index` of a digest of big-endian words, lane `lane` of `lanes` interleaved ones (word i at i * lanes + lane). */
function byteAt(words: Int32Array, index: number, lanes: number, lane: number): number {
  return (words[(index >>> 2) * lanes + lane]! >>> (24 - 8 * (index & 3))) & 0xff;
}

/** RFC 4226 dynamic truncation of one digest of `digestWords` words. */
function truncate(mac: Int32Array, digestWords: number, lanes: number, lane: number): number {
  const offset = byteAt(mac, 4 * digestWords - 1, lanes, lane) & 0x0f;
  return ((byteAt(mac, offset, lanes, lane) & 0x7f) << 24) | (byteAt(mac, offset + 1, lanes, lane) << 16) | (byteAt(mac, offset + 2, lanes, lane) << 8) | byteAt(mac, offset + 3, lanes, lane);
}

// The counter as the two big-endian words of its 8-byte message.
const highWord = (counter: number): number => Math.floor(counter / TWO_32) | 0;
const lowWord = (counter: number): number => (counter % TWO_32) | 0;
const his = new Int32Array(4);
const los = new Int32Array(4);

class MidstateCode implements CounterCode {
  readonly algorithm: OtpAlgorithm;
  readonly #sha: Sha;
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;
  /** The same HMAC in WebAssembly (SHA-1 only, see sha1-wasm.ts). */
  readonly #wasm: Sha1Hmac | undefined;

  constructor(algorithm: OtpAlgorithm, sha: Sha, seed: Buffer, useWasm: boolean) {
    this.algorithm = algorithm;
    this.#sha = sha;
    // RFC 2104: a key longer than the block is replaced by its hash.
    const key = seed.length > BLOCK_BYTES ? createHash(algorithm).update(seed).digest() : seed;
    const padded = new Uint8Array(BLOCK_BYTES);
    padded.set(key);
    this.#inner = this.#keyState(padded, 0x36);
    this.#outer = this.#keyState(padded, 0x5c);
    this.#wasm = useWasm && sha === SHA1 ? Sha1Hmac.create(this.#inner, this.#outer) : undefined;
  }

  #keyState(padded: Uint8Array, pad: number): Int32Array {
    for (let i = 0; i < 16; i++) {
      block[i] = ((padded[4 * i]! ^ pad) << 24) | ((padded[4 * i + 1]! ^ pad) << 16) | ((padded[4 * i + 2]! ^ pad) << 8) | (padded[4 * i + 3]! ^ pad);
    }
    const state = new Int32Array(this.#sha.words);
    this.#sha.compress(this.#sha.iv, block, state);
    return state;
  }

  binaryAt(counter: number): number {
    const hi = highWord(counter);
    const lo = lowWord(counter);
    return truncate(this.#wasm ? this.#wasm.digestAt(hi, lo) : this.#macAt(hi, lo), this.#sha.words, 1, 0);
  }

  binariesAt(counters: readonly number[], from: number, into: Int32Array): number {
    const n = Math.min(4, counters.length - from);
    if (!this.#wasm?.fourLanes || n < 2) {
      into[from] = this.binaryAt(counters[from]!);
      return 1;
    }
    for (let l = 0; l < 4; l++) {
      // Lanes past the end repeat the last counter; their results are dropped.
      const counter = counters[from + Math.min(l, n - 1)]!;
      his[l] = highWord(counter);
      los[l] = lowWord(counter);
    }
    const macs = this.#wasm.digests4At(his, los);
    for (let l = 0; l < n; l++) into[from + l] = truncate(macs, 5, 4, l);
    return n;
  }

  /** The HMAC in JavaScript, into the shared `digest` words. */
  #macAt(hi: number, lo: number): Int32Array {
    const { compress, words } = this.#sha;
    // Inner hash: the 8-byte counter after the ipad block, then SHA padding (bit length 8 * (64 + 8)).
    block.fill(0);
    block[0] = hi;
    block[1] = lo;
    block[2] = 0x80000000 | 0;
    block[15] = (BLOCK_BYTES + 8) * 8;
    compress(this.#inner, block, digest);
    // Outer hash: the inner digest after the opad block.
    block.fill(0);
    for (let i = 0; i < words; i++) block[i] = digest[i]!;
    block[words] = 0x80000000 | 0;
    block[15] = (BLOCK_BYTES + 4 * words) * 8;
    compress(this.#outer, block, digest);
    return digest;
  }
}

class NodeCode implements CounterCode {
  readonly algorithm: OtpAlgorithm;
  readonly #key: ReturnType<typeof createSecretKey>;

  constructor(algorithm: OtpAlgorithm, seed: Buffer) {
    this.algorithm = algorithm;
    this.#key = createSecretKey(seed);
  }

  binaryAt(counter: number): number {
    return truncatedValue(createHmac(this.algorithm, this.#key).update(counterBytes(counter)).digest());
  }

  binariesAt(counters: readonly number[], from: number, into: Int32Array): number {
    into[from] = this.binaryAt(counters[from]!);
    return 1;
  }
}

/**
 * The code source for one seed; made once per request, used for every step it
 * searches. `engine: 'js'` keeps SHA-1 off WebAssembly (tests compare both).
 */
export function counterCode(seed: Buffer, algorithm: OtpAlgorithm, engine: 'fastest' | 'js' = 'fastest'): CounterCode {
  checkOtpAlgorithm(algorithm);
  if (seed.length === 0) throw new OtpInputError('seed: must not be empty');
  if (algorithm === 'sha1') return new MidstateCode(algorithm, SHA1, seed, engine === 'fastest');
  if (algorithm === 'sha256') return new MidstateCode(algorithm, SHA256, seed, false);
  return new NodeCode(algorithm, seed);
}

/** The decimal OTP value of `digits` digits that `binary` truncates to, as a number (leading zeros dropped). */
export function otpValue(binary: number, digits: number): number {
  checkDigits(digits);
  return binary % 10 ** digits;
}

/**
 * A typed OTP as the number `otpValue` would give, or -1 when it is not exactly
 * `digits` decimal digits (so it can never equal a code).
 */
export function parseOtp(otp: string, digits: number): number {
  if (otp.length !== digits) return -1;
  let v = 0;
  for (let i = 0; i < otp.length; i++) {
    const d = otp.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}
