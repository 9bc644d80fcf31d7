// RFC 6287 §6: an OCRA suite names the algorithm, the HMAC and truncation, and
// which inputs go into the HMAC, e.g. OCRA-1:HOTP-SHA256-8:C-QN08-PSHA1.
//   OCRASuite    = Algorithm ":" CryptoFunction ":" DataInput
//   Algorithm    = "OCRA-1"
//   CryptoFunc.  = "HOTP-SHA1-t" | "HOTP-SHA256-t" | "HOTP-SHA512-t", t = 0 or 4..10
//   DataInput    = [ "C-" ] "Q" (A|N|H) xx [ "-P" hash ] [ "-S" nnn ] [ "-T" G ]
// The suite text is hashed verbatim, so parsing is strict (upper case, this
// order): accepting a variant spelling would silently change every OTP.
import type { OtpAlgorithm } from './algorithm.ts';
import { OtpInputError } from './errors.ts';

export type OcraQuestionFormat = 'A' | 'N' | 'H';

export interface OcraSuite {
  /** The suite exactly as written; it is the first field of the HMAC input. */
  text: string;
  /** HMAC hash of the crypto function. */
  algorithm: OtpAlgorithm;
  /** Truncation length: 4..10 digits, or 0 for the whole HMAC as hex. */
  digits: number;
  /** C: a counter is part of the input. */
  counter: boolean;
  /** Q: A = alphanumeric, N = numeric, H = hexadecimal. */
  questionFormat: OcraQuestionFormat;
  /** Q: the longest challenge of this suite, 4..64 characters. */
  questionLength: number;
  /** P: the hash applied to the PIN, when a PIN is part of the input. */
  pinHash?: OtpAlgorithm;
  /** S: length in bytes of the session information, when present. */
  sessionLength?: number;
  /** T: the time step in seconds, when a timestamp is part of the input. */
  timeStep?: number;
}

const HASHES: Readonly<Record<string, OtpAlgorithm>> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

// RFC 6287 §6.3: T granularity [1-59]S, [1-59]M, [0-48]H. A zero step has no
// meaning for a clock, so 0H is refused.
const TIME_UNITS: Readonly<Record<string, { seconds: number; max: number }>> = {
  S: { seconds: 1, max: 59 },
  M: { seconds: 60, max: 59 },
  H: { seconds: 3600, max: 48 },
};

function parseCryptoFunction(text: string, fail: (m: string) => never): { algorithm: OtpAlgorithm; digits: number } {
  const match = /^HOTP-(SHA\d+)-(\d+)$/.exec(text);
  const algorithm = match ? HASHES[match[1]!] : undefined;
  if (!match || !algorithm) fail(`crypto function '${text}': expected HOTP-SHA1-t, HOTP-SHA256-t or HOTP-SHA512-t`);
  const digits = Number(match[2]);
  if (match[2]!.length > 2 || (digits !== 0 && (digits < 4 || digits > 10))) {
    fail(`crypto function '${text}': truncation length must be 0 or 4 to 10, got ${match[2]}`);
  }
  return { algorithm, digits };
}

export function parseOcraSuite(text: string): OcraSuite {
  const fail: (message: string) => never = (message) => {
    throw new OtpInputError(`OCRA suite '${text}': ${message}`);
  };
  if (typeof text !== 'string') fail('expected a string');
  const parts = text.split(':');
  if (parts.length !== 3) fail("expected three parts separated by ':', like OCRA-1:HOTP-SHA1-6:QN08");
  const [version, cryptoFunction, dataInput] = parts as [string, string, string];
  if (version !== 'OCRA-1') fail(`unsupported algorithm '${version}', expected OCRA-1`);
  const { algorithm, digits } = parseCryptoFunction(cryptoFunction, fail);

  const fields = dataInput.split('-');
  let index = 0;
  const counter = fields[0] === 'C';
  if (counter) index++;

  const q = fields[index++];
  if (q === undefined || !q.startsWith('Q')) {
    fail(`data input '${dataInput}': expected [C-]QFxx first, e.g. QN08 or C-QA10 (the question is mandatory)`);
  }
  const qMatch = /^Q(.)(.*)$/.exec(q)!;
  const questionFormat = qMatch[1]!;
  if (questionFormat !== 'A' && questionFormat !== 'N' && questionFormat !== 'H') {
    fail(`question '${q}': format must be A (alphanumeric), N (numeric) or H (hex), got '${questionFormat}'`);
  }
  if (!/^\d\d$/.test(qMatch[2]!)) fail(`question '${q}': length must be two digits from 04 to 64`);
  const questionLength = Number(qMatch[2]);
  if (questionLength < 4 || questionLength > 64) fail(`question '${q}': length must be from 04 to 64, got ${qMatch[2]}`);

  const suite: OcraSuite = { text, algorithm, digits, counter, questionFormat, questionLength };
  // P, S and T are each optional, at most once, in this order.
  const order = ['P', 'S', 'T'];
  let next = 0;
  for (const field of fields.slice(index)) {
    const kind = field.charAt(0);
    const at = order.indexOf(kind, next);
    if (at < 0) {
      const expected = order.slice(next).join(', ');
      fail(`data input '${dataInput}': unexpected '${field}'${expected ? ` (after the question only ${expected} may follow, in that order)` : ''}`);
    }
    next = at + 1;
    const value = field.slice(1);
    if (kind === 'P') {
      const hash = HASHES[value];
      if (!hash) fail(`PIN hash '${field}': expected PSHA1, PSHA256 or PSHA512`);
      suite.pinHash = hash;
    } else if (kind === 'S') {
      // A bare S means the default length, 64 bytes.
      if (value !== '' && !/^\d{3}$/.test(value)) fail(`session information '${field}': expected S followed by three digits, e.g. S064`);
      const length = value === '' ? 64 : Number(value);
      if (length < 1) fail(`session information '${field}': length must be at least 001`);
      suite.sessionLength = length;
    } else {
      const tMatch = /^(\d{1,2})([SMH])$/.exec(value);
      if (!tMatch) fail(`timestamp '${field}': expected T followed by a number and S, M or H, e.g. T1M or T30S`);
      const unit = TIME_UNITS[tMatch[2]!]!;
      const amount = Number(tMatch[1]);
      if (amount < 1 || amount > unit.max) fail(`timestamp '${field}': the number must be from 1 to ${unit.max} for unit ${tMatch[2]}`);
      suite.timeStep = amount * unit.seconds;
    }
  }
  return suite;
}
