// Reading RFC 6030 (PSKC) key containers: plain values, values encrypted
// under a pre-shared key (EncryptionKey/KeyName) or a key derived from a
// password with PBKDF2 (EncryptionKey/DerivedKey), each encrypted value
// checked against its ValueMAC. HOTP and TOTP keys become tokens, OCRA keys
// too when the file names their suite; PIN keys, keys kept outside the file
// (KeyReference) and other algorithms are listed as skipped. The serial is
// the device's SerialNo, else the key's Id; keys that share a SerialNo
// (RFC 6030 figure 10) get "-<key Id>" appended. A TOTP key's Time (time
// steps counted) becomes its counter; TimeDrift (in steps) its drift.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { HashAlgorithm } from '../model/token.ts';
import { ImportError, Problems } from './errors.ts';
import type { FileToken } from './file-token.ts';
import { checkMac, decrypt, macFor, PBKDF2_URI, pbkdf2, prfFor } from './pskc-crypto.ts';
import type { Skipped } from './summary.ts';

export interface PskcSecrets {
  /** Pre-shared key (--psk). */
  psk?: Buffer;
  /** Password for a PBKDF2-derived key (--password). */
  password?: string;
}

export interface PskcResult {
  tokens: FileToken[];
  skipped: Skipped[];
  warnings: string[];
}

type Node = Record<string, unknown>;

function child(node: unknown, name: string): Node | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as Node)[name];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return undefined;
  return typeof first === 'object' ? (first as Node) : { '#text': String(first) };
}

function children(node: unknown, name: string): Node[] {
  if (typeof node !== 'object' || node === null) return [];
  const v = (node as Node)[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (typeof x === 'object' && x !== null ? (x as Node) : { '#text': String(x ?? '') }));
}

function text(node: Node | undefined): string | undefined {
  const t = node?.['#text'];
  return t === undefined ? undefined : String(t).trim();
}

function attr(node: Node | undefined, name: string): string | undefined {
  const a = node?.[`@_${name}`];
  return a === undefined ? undefined : String(a).trim();
}

function base64(value: string | undefined, what: string): Buffer {
  const clean = (value ?? '').replace(/\s+/g, '');
  const buf = Buffer.from(clean, 'base64');
  if (clean === '' || buf.toString('base64').replace(/=+$/, '') !== clean.replace(/=+$/, '')) throw new ImportError([`${what}: not valid base64`]);
  return buf;
}

function integer(value: string | undefined, what: string, min = 0): number {
  if (value === undefined || !/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min)
    throw new ImportError([`${what}: expected a whole number${min > 0 ? ` of at least ${min}` : min === 0 ? ' >= 0' : ''}, got ${JSON.stringify(value ?? '')}`]);
  return Number(value);
}

const FIRST_YEAR_MS = Date.parse('0000-01-01T00:00:00Z');
const LAST_YEAR_END_MS = Date.parse('9999-12-31T23:59:59.999Z');

function dateTime(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value) ? Date.parse(/Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`) : NaN;
  if (Number.isNaN(ms)) throw new ImportError([`${what}: expected an xs:dateTime like 2006-05-01T00:00:00Z, got ${JSON.stringify(value)}`]);
  // An offset can carry a date past either end of four-digit years, which no export (or anyone) could write back.
  if (ms < FIRST_YEAR_MS || ms > LAST_YEAR_END_MS) throw new ImportError([`${what}: ${JSON.stringify(value)} is outside the years 0000 to 9999 in UTC`]);
  return Math.floor(ms / 1000);
}

interface Keys {
  encryption?: Buffer;
  mac?: { hash: string; key: Buffer };
}

function encryptionKey(container: Node, secrets: PskcSecrets, warnings: string[]): Buffer | undefined {
  const ek = child(container, 'EncryptionKey');
  if (!ek) return secrets.psk;
  const derived = child(ek, 'DerivedKey');
  if (derived) {
    const method = child(derived, 'KeyDerivationMethod');
    if (attr(method, 'Algorithm') !== PBKDF2_URI) throw new ImportError([`EncryptionKey: key derivation ${attr(method, 'Algorithm') ?? '(none)'} is not supported (PBKDF2 is)`]);
    if (secrets.password === undefined) throw new ImportError(['the file is encrypted with a key derived from a password: give --password']);
    const params = child(method, 'PBKDF2-params');
    const salt = base64(text(child(child(params, 'Salt'), 'Specified')), 'PBKDF2-params/Salt/Specified');
    const iterations = integer(text(child(params, 'IterationCount')), 'PBKDF2-params/IterationCount', 1);
    const keyLength = integer(text(child(params, 'KeyLength')), 'PBKDF2-params/KeyLength', 1);
    if (keyLength > 64 || iterations > 10_000_000) throw new ImportError([`PBKDF2-params: ${iterations} iterations for a ${keyLength}-byte key is out of range`]);
    return pbkdf2(secrets.password, salt, iterations, keyLength, prfFor(attr(child(params, 'PRF'), 'Algorithm') ?? ''));
  }
  if (child(ek, 'X509Data'))
    throw new ImportError(['the file is encrypted to a certificate (asymmetric encryption), which is not supported: ask for it encrypted with a pre-shared key or a password']);
  if (secrets.psk === undefined) {
    const name = text(child(ek, 'KeyName'));
    throw new ImportError([`the file is encrypted with a pre-shared key${name ? ` ("${name}")` : ''}: give --psk HEX`]);
  }
  if (secrets.password !== undefined) warnings.push('--password is not used: the file names a pre-shared key, not a derived one');
  return secrets.psk;
}

function containerKeys(container: Node, secrets: PskcSecrets, warnings: string[]): Keys {
  const keys: Keys = {};
  const encryption = encryptionKey(container, secrets, warnings);
  if (encryption) keys.encryption = encryption;
  const method = child(container, 'MACMethod');
  if (method) {
    const hash = macFor(attr(method, 'Algorithm') ?? '');
    const macKey = child(method, 'MACKey');
    if (!macKey) throw new ImportError(['MACMethod without a MACKey']);
    if (!encryption) throw new ImportError(['MACMethod/MACKey is encrypted, but no key was given (--psk or --password)']);
    keys.mac = {
      hash,
      key: decrypt(attr(child(macKey, 'EncryptionMethod'), 'Algorithm') ?? '', encryption, base64(text(child(child(macKey, 'CipherData'), 'CipherValue')), 'MACKey/CipherValue'), 'MACKey'),
    };
  }
  return keys;
}

/** The value of a Data element (Secret, Counter, ...): plain, or decrypted and MAC-checked. */
function dataValue(data: Node | undefined, keys: Keys, what: string, warnings: string[]): { plain?: string; bytes?: Buffer } | undefined {
  if (!data) return undefined;
  const plain = child(data, 'PlainValue');
  if (plain) return { plain: text(plain) ?? '' };
  const enc = child(data, 'EncryptedValue');
  if (!enc) return undefined;
  if (!keys.encryption) throw new ImportError([`${what}: encrypted, but no key was given (--psk or --password)`]);
  const cipherValue = base64(text(child(child(enc, 'CipherData'), 'CipherValue')), `${what}/CipherValue`);
  const valueMac = child(data, 'ValueMAC');
  if (valueMac) {
    if (!keys.mac) throw new ImportError([`${what}: has a ValueMAC but the file has no MACMethod`]);
    checkMac(keys.mac.hash, keys.mac.key, cipherValue, base64(text(valueMac), `${what}/ValueMAC`), what);
  } else {
    warnings.push(`${what}: encrypted without a ValueMAC; its integrity is not checked`);
  }
  return { bytes: decrypt(attr(child(enc, 'EncryptionMethod'), 'Algorithm') ?? '', keys.encryption, cipherValue, what) };
}

function intValue(data: Node | undefined, keys: Keys, what: string, warnings: string[], min = 0): number | undefined {
  const v = dataValue(data, keys, what, warnings);
  if (!v) return undefined;
  if (v.plain !== undefined) return integer(v.plain, what, min);
  const b = v.bytes!;
  if (b.length === 0 || b.length > 8) throw new ImportError([`${what}: an encrypted integer of ${b.length} bytes`]);
  const n = Number(BigInt(`0x${b.toString('hex')}`));
  if (!Number.isSafeInteger(n) || n < min) throw new ImportError([`${what}: out of range`]);
  return n;
}

const HASH_IN_SUITE = /SHA-?(1|256|512)\b/i;

type Kind = { type: 'hotp' | 'totp' } | { type: 'ocra'; suite?: string } | { skip: string };

function kindOf(algorithm: string, suiteElement: string | undefined): Kind {
  const name = algorithm.replace(/^urn:ietf:params:xml:ns:keyprov:pskc(:1\.0)?[:#]/, '');
  if (/^hotp$/i.test(name)) return { type: 'hotp' };
  if (/^totp$/i.test(name)) return { type: 'totp' };
  if (/^pin$/i.test(name)) return { skip: 'a PIN key (the PIN of another key), not a token' };
  if (/^OCRA-1:/.test(name)) return { type: 'ocra', suite: name };
  if (/^ocra$/i.test(name)) return suiteElement ? { type: 'ocra', suite: suiteElement } : { skip: 'an OCRA key without its suite (AlgorithmParameters/Suite)' };
  return { skip: `algorithm ${algorithm || '(none)'} is not supported (HOTP, TOTP, OCRA are)` };
}

interface Parsed {
  token?: Omit<FileToken, 'serial'> & { serialNo?: string; keyId: string };
  skip?: string;
}

function readKey(pkg: Node, index: number, keys: Keys, warnings: string[]): Parsed {
  const key = child(pkg, 'Key');
  const keyId = attr(key, 'Id') ?? attr(key, 'KeyId') ?? '';
  const where = `KeyPackage ${index}${keyId ? ` (Key ${keyId})` : ''}`;
  if (!key) return { skip: `${where}: no Key` };
  const params = child(key, 'AlgorithmParameters');
  const suite = text(child(params, 'Suite'));
  const kind = kindOf(attr(key, 'Algorithm') ?? attr(key, 'KeyAlgorithm') ?? '', suite);
  if ('skip' in kind) return { skip: kind.skip };
  const data = child(key, 'Data');
  const secret = dataValue(child(data, 'Secret'), keys, `${where}: Secret`, warnings);
  if (!secret) return { skip: child(key, 'KeyReference') ? 'the key is not in the file (KeyReference: derived from a master key)' : 'no Secret' };
  const seed = secret.bytes ?? base64(secret.plain, `${where}: Secret/PlainValue`);
  if (seed.length === 0) throw new ImportError([`${where}: Secret is empty`]);

  const device = child(pkg, 'DeviceInfo');
  const policy = child(key, 'Policy');
  const token: NonNullable<Parsed['token']> = { where, keyId, type: kind.type, seed };
  const serialNo = text(child(device, 'SerialNo'));
  if (serialNo) token.serialNo = serialNo;
  const description = text(child(key, 'FriendlyName')) ?? text(child(device, 'Manufacturer'));
  if (description) token.description = description;
  const from = dateTime(text(child(policy, 'StartDate')), `${where}: Policy/StartDate`);
  const until = dateTime(text(child(policy, 'ExpiryDate')), `${where}: Policy/ExpiryDate`);
  if (from !== undefined) token.validFrom = from;
  if (until !== undefined) token.validUntil = until;

  if (kind.type === 'ocra') {
    token.ocrasuite = kind.suite!;
  } else {
    const format = child(params, 'ResponseFormat');
    const encoding = (attr(format, 'Encoding') ?? 'DECIMAL').toUpperCase();
    if (encoding !== 'DECIMAL') return { skip: `response encoding ${encoding} is not supported (DECIMAL is)` };
    if (attr(format, 'Length') !== undefined) token.otpLength = integer(attr(format, 'Length'), `${where}: ResponseFormat/@Length`, 1);
    const hash = suite ? HASH_IN_SUITE.exec(suite) : null;
    if (suite && !hash) return { skip: `suite ${suite} names no hash this server has (SHA1, SHA256, SHA512)` };
    if (hash) token.algorithm = `sha${hash[1]}` as HashAlgorithm;
  }
  const counter = intValue(child(data, 'Counter'), keys, `${where}: Counter`, warnings);
  if (counter !== undefined && kind.type !== 'totp') token.counter = counter;
  if (kind.type === 'totp') {
    const step = intValue(child(data, 'TimeInterval'), keys, `${where}: TimeInterval`, warnings, 1);
    if (step !== undefined) token.timeStep = step;
    // Time: the time steps counted so far; this server's counter is the next usable one.
    const time = intValue(child(data, 'Time'), keys, `${where}: Time`, warnings);
    if (time !== undefined) token.counter = time;
    const drift = intValue(child(data, 'TimeDrift'), keys, `${where}: TimeDrift`, warnings, Number.MIN_SAFE_INTEGER);
    if (drift !== undefined) {
      const seconds = drift * (step ?? 30);
      if (!Number.isSafeInteger(seconds)) throw new ImportError([`${where}: TimeDrift: ${drift} time steps of ${step ?? 30} s is out of range`]);
      token.drift = seconds;
    }
  }
  return { token };
}

export function parsePskc(xml: string, file: string, secrets: PskcSecrets = {}): PskcResult {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new ImportError([`${file}: DOCTYPE and ENTITY declarations are not accepted in a PSKC file`]);
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ImportError([`${file}:${valid.err.line}: not well-formed XML: ${valid.err.msg}`]);
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false, trimValues: true }).parse(xml) as Node;
  } catch (err) {
    // The validator passes a few documents the parser then refuses (an unclosed <?xml ...> declaration).
    throw new ImportError([`${file}: not well-formed XML: ${(err as Error).message}`]);
  }
  const container = child(doc, 'KeyContainer');
  if (!container) throw new ImportError([`${file}: not a PSKC file (no KeyContainer element)`]);
  const version = attr(container, 'Version');
  if (version !== undefined && version !== '1.0') throw new ImportError([`${file}: PSKC version ${version} is not supported (1.0 is)`]);

  const warnings: string[] = [];
  const keys = (() => {
    try {
      return containerKeys(container, secrets, warnings);
    } catch (err) {
      if (err instanceof ImportError) throw new ImportError(err.problems.map((p) => `${file}: ${p}`));
      throw err;
    }
  })();
  const problems = new Problems();
  const parsed: NonNullable<Parsed['token']>[] = [];
  const skipped: Skipped[] = [];
  children(container, 'KeyPackage').forEach((pkg, i) => {
    const r = problems.guard(file, () => readKey(pkg, i + 1, keys, warnings));
    if (r?.token) parsed.push(r.token);
    else if (r?.skip) skipped.push({ what: `KeyPackage ${i + 1}`, reason: r.skip });
  });
  problems.throwIfAny();

  const count = new Map<string, number>();
  for (const t of parsed) {
    const base = t.serialNo ?? t.keyId;
    if (base === '') problems.add(`${file}: ${t.where}: neither DeviceInfo/SerialNo nor a Key Id to use as the serial`);
    count.set(base, (count.get(base) ?? 0) + 1);
  }
  problems.throwIfAny();
  const tokens = parsed.map(({ serialNo, keyId, ...t }): FileToken => {
    const base = serialNo ?? keyId;
    return { ...t, serial: (count.get(base) ?? 0) > 1 && serialNo && keyId ? `${serialNo}-${keyId}` : base };
  });
  return { tokens, skipped, warnings: warnings.map((w) => `${file}: ${w}`) };
}
