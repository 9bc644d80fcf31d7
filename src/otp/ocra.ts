// RFC 6287 OCRA: HOTP over a richer input than a counter. The HMAC input is
//   suite text | 0x00 | C (8 bytes) | Q (128 bytes) | P (hash size) | S (nnn bytes) | T (8 bytes)
// with each field present only when the suite names it.
import { createHash, randomBytes } from 'node:crypto';
import { HASH_BYTES } from './algorithm.ts';
import { OtpInputError } from './errors.ts';
import { counterBytes, hmac, truncate } from './hotp.ts';
import type { OcraSuite } from './ocra-suite.ts';
import { parseOcraSuite } from './ocra-suite.ts';

export type { OcraQuestionFormat, OcraSuite } from './ocra-suite.ts';
export { parseOcraSuite } from './ocra-suite.ts';

export interface OcraInput {
  /** C: required when the suite has C. */
  counter?: number | bigint;
  /**
   * Q: the challenge as the user sees it, in the suite's format: decimal digits
   * (N), hex digits (H) or printable ASCII (A). For mutual challenge-response
   * pass the concatenation of both challenges, so it may be longer than the
   * suite's xx; only the 128-byte field limits it.
   */
  question: string;
  /** P: the PIN in clear; it is hashed (UTF-8) with the suite's P hash. */
  pin?: string;
  /** P, alternatively: the PIN already hashed with the suite's P hash (bytes, or hex text). */
  pinHash?: Buffer | string;
  /** S: session information, bytes or hex text, at most the suite's nnn bytes (shorter is left-padded with zeros). */
  session?: Buffer | string;
  /** T: the number of time steps since the epoch (see ocraTimeStep), as in the RFC's T value. */
  timestamp?: number | bigint;
}

const QUESTION_BYTES = 128;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function toSuite(suite: OcraSuite | string): OcraSuite {
  return typeof suite === 'string' ? parseOcraSuite(suite) : suite;
}

function fail(suite: OcraSuite, message: string): never {
  throw new OtpInputError(`OCRA (${suite.text}): ${message}`);
}

/** Q as RFC 6287 §5.1 lays it out: left-aligned in 128 bytes, zero-filled. */
function questionField(suite: OcraSuite, question: string): Buffer {
  if (typeof question !== 'string' || question.length === 0) fail(suite, 'the question is empty');
  let hex: string;
  if (suite.questionFormat === 'N') {
    const bad = /[^0-9]/.exec(question);
    if (bad) fail(suite, `numeric question: character '${bad[0]}' at ${bad.index} is not a decimal digit`);
    // The decimal value's hex digits, left-aligned nibble by nibble.
    hex = BigInt(question).toString(16);
  } else if (suite.questionFormat === 'H') {
    const bad = /[^0-9a-fA-F]/.exec(question);
    if (bad) fail(suite, `hex question: character '${bad[0]}' at ${bad.index} is not a hex digit`);
    hex = question;
  } else {
    const bad = /[^\x20-\x7e]/.exec(question);
    if (bad) fail(suite, `alphanumeric question: character at ${bad.index} is not printable ASCII`);
    hex = Buffer.from(question, 'ascii').toString('hex');
  }
  if (hex.length > QUESTION_BYTES * 2) fail(suite, `the question does not fit in ${QUESTION_BYTES} bytes`);
  return Buffer.from(hex.padEnd(QUESTION_BYTES * 2, '0'), 'hex');
}

function bytesOf(suite: OcraSuite, value: Buffer | string, what: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const text = value.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) fail(suite, `${what}: expected bytes or an even number of hex digits`);
  return Buffer.from(text, 'hex');
}

function pinField(suite: OcraSuite, input: OcraInput, hash: NonNullable<OcraSuite['pinHash']>): Buffer {
  if (input.pinHash !== undefined) {
    const bytes = bytesOf(suite, input.pinHash, 'PIN hash');
    if (bytes.length !== HASH_BYTES[hash]) {
      fail(suite, `PIN hash: expected ${HASH_BYTES[hash]} bytes of ${hash.toUpperCase()}, got ${bytes.length}`);
    }
    return bytes;
  }
  if (input.pin === undefined) fail(suite, 'the suite has P, so a pin or pinHash is required');
  return createHash(hash).update(input.pin, 'utf8').digest();
}

function sessionField(suite: OcraSuite, input: OcraInput, length: number): Buffer {
  if (input.session === undefined) fail(suite, 'the suite has S, so session information is required');
  const bytes = bytesOf(suite, input.session, 'session information');
  if (bytes.length > length) fail(suite, `session information: at most ${length} bytes, got ${bytes.length}`);
  // Right-aligned, as the RFC's reference code pads the hex on the left.
  return Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

/** The exact bytes OCRA feeds to the HMAC for these inputs. */
export function ocraDataInput(suite: OcraSuite | string, input: OcraInput): Buffer {
  const s = toSuite(suite);
  const fields: Buffer[] = [Buffer.from(s.text, 'ascii'), Buffer.alloc(1)];
  if (s.counter) {
    if (input.counter === undefined) fail(s, 'the suite has C, so a counter is required');
    fields.push(counterBytes(input.counter, 'OCRA counter'));
  }
  fields.push(questionField(s, input.question));
  if (s.pinHash !== undefined) fields.push(pinField(s, input, s.pinHash));
  if (s.sessionLength !== undefined) fields.push(sessionField(s, input, s.sessionLength));
  if (s.timeStep !== undefined) {
    if (input.timestamp === undefined) fail(s, 'the suite has T, so a timestamp (time steps) is required');
    fields.push(counterBytes(input.timestamp, 'OCRA timestamp'));
  }
  return Buffer.concat(fields);
}

/**
 * RFC 6287 OCRA response. Inputs the suite does not name are ignored. With a
 * truncation length of 0 the whole HMAC is returned as lower-case hex.
 */
export function ocra(suite: OcraSuite | string, seed: Buffer, input: OcraInput): string {
  const s = toSuite(suite);
  if (seed.length === 0) throw new OtpInputError('seed: must not be empty');
  const mac = hmac(s.algorithm, seed, ocraDataInput(s, input));
  return s.digits === 0 ? mac.toString('hex') : truncate(mac, s.digits);
}

/** The T value of a suite with a timestamp: whole time steps since the Unix epoch. */
export function ocraTimeStep(unixSeconds: number, suite: OcraSuite | string): number {
  const s = toSuite(suite);
  if (s.timeStep === undefined) fail(s, 'the suite has no timestamp (T)');
  if (!Number.isFinite(unixSeconds) || unixSeconds < 0) fail(s, `time: expected non-negative seconds, got ${unixSeconds}`);
  return Math.floor(unixSeconds / s.timeStep);
}

/** Uniform characters from `alphabet` drawn from `random`, rejecting bytes that would bias the choice. */
function pick(alphabet: string, count: number, random: (size: number) => Buffer): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < count) {
    for (const byte of random(count * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === count) break;
    }
  }
  return out;
}

/** A fresh challenge of the suite's format at its full length (xx characters). */
export function generateChallengeQuestion(suite: OcraSuite | string, random: (size: number) => Buffer = randomBytes): string {
  const s = toSuite(suite);
  const alphabet = s.questionFormat === 'N' ? '0123456789' : s.questionFormat === 'H' ? '0123456789ABCDEF' : ALPHANUMERIC;
  return pick(alphabet, s.questionLength, random);
}
