// PSKC importer (RFC 6030): a file is tokens or an ImportError, never another
// exception; every token is well-formed, and what this server exports for
// those tokens (plain, or under a pre-shared key) reads back the same.
//
// The first byte picks the secrets offered (none, the RFC's pre-shared key,
// the RFC's password); the rest is the XML.

import { ImportError } from '../../../src/import/errors.ts';
import type { FileToken } from '../../../src/import/file-token.ts';
import { parsePskc, type PskcSecrets } from '../../../src/import/pskc.ts';
import { writePskc, type PskcProtection } from '../../../src/import/pskc-write.ts';
import type { Token } from '../../../src/model/token.ts';
import { token } from '../../tokens/fixtures.ts';
import { check, refusedWithSync } from '../engine/target.ts';

export const maxLength = 4096;
export const tokens = [
  '<KeyPackage>',
  '</KeyPackage>',
  '<Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">',
  '</Key>',
  '<Data>',
  '</Data>',
  '<Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>',
  '<Counter><PlainValue>',
  '</PlainValue></Counter>',
  '<Time><PlainValue>',
  '<TimeInterval><PlainValue>',
  '<TimeDrift><PlainValue>',
  '<DeviceInfo><SerialNo>',
  '</SerialNo></DeviceInfo>',
  '<AlgorithmParameters><Suite>',
  '</Suite>',
  '<ResponseFormat Length="8" Encoding="DECIMAL"/>',
  'urn:ietf:params:xml:ns:keyprov:pskc:totp',
  'urn:ietf:params:xml:ns:keyprov:pskc#ocra',
  'OCRA-1:HOTP-SHA1-6:QN08',
  '<Policy><StartDate>2006-05-01T00:00:00Z</StartDate>',
  '<ExpiryDate>',
  '<FriendlyName>',
  '&amp;',
  '&#1;',
  '<![CDATA[',
  ']]>',
  'xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"',
  'pskc:',
  '<IterationCount>1000</IterationCount>',
  '<KeyLength>16</KeyLength>',
  '<ValueMAC>',
  '<EncryptedValue>',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'http://www.w3.org/2001/04/xmlenc#kw-aes128',
  '+01:00',
  '-14:00',
  '0000-01-01T00:00:00',
  '9999-12-31T23:59:59',
  '.999',
  '9007199254740991',
  '-9007199254740991',
  '<TimeDrift><PlainValue>-',
];

const PSK = Buffer.from('12345678901234567890123456789012', 'hex');
const SECRETS: PskcSecrets[] = [{}, { psk: PSK }, { password: 'qwerty' }, { psk: PSK, password: 'qwerty' }];
/** PBKDF2 at a million rounds is a legitimate file that takes seconds: not what a fuzz run should spend its time on. */
const MAX_ITERATIONS = 20_000;

function asToken(t: FileToken): Token {
  return token({
    serial: t.serial,
    type: t.type,
    seed: t.seed,
    otpLength: t.otpLength ?? 6,
    algorithm: t.algorithm ?? 'sha1',
    timeStep: t.timeStep ?? 30,
    counter: t.counter ?? 0,
    drift: t.drift ?? 0,
    validFrom: t.validFrom ?? null,
    validUntil: t.validUntil ?? null,
    description: t.description ?? '',
    info: t.ocrasuite !== undefined ? { ocrasuite: t.ocrasuite } : {},
  });
}

/** The fields an export carries, as an import gives them back. */
function exported(t: FileToken): unknown {
  return {
    serial: t.serial,
    type: t.type,
    seed: t.seed.toString('hex'),
    ocrasuite: t.ocrasuite,
    otpLength: t.type === 'ocra' ? undefined : (t.otpLength ?? 6),
    algorithm: t.type === 'ocra' ? undefined : (t.algorithm ?? 'sha1'),
    counter: t.counter ?? 0,
    timeStep: t.type === 'totp' ? (t.timeStep ?? 30) : undefined,
    drift: t.drift ?? 0,
    description: t.description || undefined,
    validFrom: t.validFrom,
    validUntil: t.validUntil,
  };
}

export function fuzz(data: Buffer): void {
  const secrets = SECRETS[(data[0] ?? 0) % SECRETS.length]!;
  const xml = data.subarray(1).toString('utf8');
  const iterations = /IterationCount>\s*(\d+)/.exec(xml);
  if (secrets.password !== undefined && iterations && Number(iterations[1]) > MAX_ITERATIONS) return;

  const result = refusedWithSync([ImportError], () => parsePskc(xml, 'fuzz.pskc', secrets));
  if (!result) return;
  const serials = new Set<string>();
  for (const t of result.tokens) {
    check(t.serial !== '', 'a token without a serial');
    check(!serials.has(t.serial), `serial ${t.serial} given to two tokens`);
    serials.add(t.serial);
    check(t.seed.length > 0, `${t.serial}: empty seed`);
    check(t.counter === undefined || (Number.isSafeInteger(t.counter) && t.counter >= 0), `${t.serial}: counter ${t.counter}`);
    check(t.timeStep === undefined || (Number.isSafeInteger(t.timeStep) && t.timeStep >= 1), `${t.serial}: time step ${t.timeStep}`);
    check(t.drift === undefined || Number.isSafeInteger(t.drift), `${t.serial}: drift ${t.drift}`);
    check(t.otpLength === undefined || (Number.isSafeInteger(t.otpLength) && t.otpLength >= 1), `${t.serial}: otp length ${t.otpLength}`);
  }
  if (result.tokens.length === 0) return;
  const protections: [PskcProtection, PskcSecrets][] = [
    [{ plain: true }, {}],
    [{ psk: PSK }, { psk: PSK }],
  ];
  for (const [protection, back] of protections) {
    const file = writePskc(result.tokens.map(asToken), protection);
    const again = refusedWithSync([ImportError], () => parsePskc(file, 'export.pskc', back));
    check(again !== undefined, `the export of ${result.tokens.length} imported tokens does not import:\n${file}`);
    check(again.skipped.length === 0, `the export skips ${JSON.stringify(again.skipped)}`);
    const before = JSON.stringify(result.tokens.map(exported));
    const after = JSON.stringify(again.tokens.map(exported));
    check(before === after, `export round trip changed the tokens:\n${before}\n${after}`);
  }
}
