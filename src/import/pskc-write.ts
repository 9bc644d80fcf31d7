// Writing tokens as an RFC 6030 (PSKC) key container, the way out of this
// server. Seeds are encrypted (AES-CBC) under a pre-shared key or under a
// key derived from a password with PBKDF2 (HMAC-SHA1, random salt), each
// with an HMAC-SHA1 ValueMAC under a random MAC key carried encrypted in the
// file, as in RFC 6030's figures; plain values only when asked for.
// HOTP tokens carry their counter, TOTP tokens their time step, drift (in
// steps) and next usable step (as Time), OCRA tokens their suite.

import { randomBytes } from 'node:crypto';
import type { Token } from '../model/token.ts';
import { AES128_CBC, AES192_CBC, AES256_CBC, encrypt, HMAC_SHA1, mac, PBKDF2_URI, pbkdf2 } from './pskc-crypto.ts';

export type PskcProtection = { psk: Buffer } | { password: string; iterations?: number } | { plain: true };

export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
const NS = 'urn:ietf:params:xml:ns:keyprov:pskc';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function isoTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

interface Sealer {
  header: string;
  secret(seed: Buffer): string;
}

function cbcFor(key: Buffer): string {
  const uri = { 16: AES128_CBC, 24: AES192_CBC, 32: AES256_CBC }[key.length];
  if (!uri) throw new Error(`a pre-shared key must be 16, 24 or 32 bytes, got ${key.length}`);
  return uri;
}

function sealer(protection: PskcProtection): Sealer {
  if ('plain' in protection) return { header: '', secret: (seed) => `<pskc:PlainValue>${seed.toString('base64')}</pskc:PlainValue>` };
  let key: Buffer;
  let encryptionKey: string;
  if ('psk' in protection) {
    key = protection.psk;
    encryptionKey = '  <pskc:EncryptionKey>\n    <ds:KeyName>Pre-shared-key</ds:KeyName>\n  </pskc:EncryptionKey>\n';
  } else {
    const salt = randomBytes(16);
    const iterations = protection.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    key = pbkdf2(protection.password, salt, iterations, 16, 'sha1');
    encryptionKey = [
      '  <pskc:EncryptionKey>',
      '    <xenc11:DerivedKey>',
      `      <xenc11:KeyDerivationMethod Algorithm="${PBKDF2_URI}">`,
      '        <pkcs5:PBKDF2-params>',
      `          <Salt><Specified>${salt.toString('base64')}</Specified></Salt>`,
      `          <IterationCount>${iterations}</IterationCount>`,
      '          <KeyLength>16</KeyLength>',
      '        </pkcs5:PBKDF2-params>',
      '      </xenc11:KeyDerivationMethod>',
      '    </xenc11:DerivedKey>',
      '  </pskc:EncryptionKey>',
      '',
    ].join('\n');
  }
  const cipher = cbcFor(key);
  const macKey = randomBytes(20);
  const encrypted = (plain: Buffer): string => encrypt(cipher, key, plain).toString('base64');
  const cipherData = (value: string): string => `<xenc:EncryptionMethod Algorithm="${cipher}"/><xenc:CipherData><xenc:CipherValue>${value}</xenc:CipherValue></xenc:CipherData>`;
  const header = `${encryptionKey}  <pskc:MACMethod Algorithm="${HMAC_SHA1}">\n    <pskc:MACKey>${cipherData(encrypted(macKey))}</pskc:MACKey>\n  </pskc:MACMethod>\n`;
  return {
    header,
    secret(seed) {
      const value = encrypted(seed);
      const valueMac = mac('sha1', macKey, Buffer.from(value, 'base64')).toString('base64');
      return `<pskc:EncryptedValue>${cipherData(value)}</pskc:EncryptedValue><pskc:ValueMAC>${valueMac}</pskc:ValueMAC>`;
    },
  };
}

function keyPackage(t: Token, secret: string): string {
  const plain = (name: string, value: number): string => `<pskc:${name}><pskc:PlainValue>${value}</pskc:PlainValue></pskc:${name}>`;
  const algorithm = `${NS}:${t.type}`;
  const params =
    t.type === 'ocra'
      ? `<pskc:Suite>${esc(t.info.ocrasuite ?? '')}</pskc:Suite>`
      : `<pskc:Suite>HMAC-${t.algorithm.toUpperCase()}</pskc:Suite><pskc:ResponseFormat Length="${t.otpLength}" Encoding="DECIMAL"/>`;
  const data = [`<pskc:Secret>${secret}</pskc:Secret>`];
  if (t.type === 'totp') {
    data.push(plain('Time', t.counter), plain('TimeInterval', t.timeStep));
    if (t.drift !== 0) data.push(plain('TimeDrift', Math.round(t.drift / t.timeStep)));
  } else {
    data.push(plain('Counter', t.counter));
  }
  const policy = [
    ...(t.validFrom !== null ? [`<pskc:StartDate>${isoTime(t.validFrom)}</pskc:StartDate>`] : []),
    ...(t.validUntil !== null ? [`<pskc:ExpiryDate>${isoTime(t.validUntil)}</pskc:ExpiryDate>`] : []),
  ];
  return [
    '  <pskc:KeyPackage>',
    `    <pskc:DeviceInfo><pskc:SerialNo>${esc(t.serial)}</pskc:SerialNo></pskc:DeviceInfo>`,
    `    <pskc:Key Id="${esc(t.serial)}" Algorithm="${algorithm}">`,
    `      <pskc:AlgorithmParameters>${params}</pskc:AlgorithmParameters>`,
    ...(t.description ? [`      <pskc:FriendlyName>${esc(t.description)}</pskc:FriendlyName>`] : []),
    `      <pskc:Data>${data.join('')}</pskc:Data>`,
    ...(policy.length ? [`      <pskc:Policy>${policy.join('')}</pskc:Policy>`] : []),
    '    </pskc:Key>',
    '  </pskc:KeyPackage>',
  ].join('\n');
}

export function writePskc(tokens: readonly Token[], protection: PskcProtection): string {
  const seal = sealer(protection);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<pskc:KeyContainer Version="1.0" xmlns:pskc="${NS}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"`,
    '    xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#">',
    `${seal.header}${tokens.map((t) => keyPackage(t, seal.secret(t.seed))).join('\n')}`,
    '</pskc:KeyContainer>',
    '',
  ].join('\n');
}
