// `import pskc`: every RFC 6030 figure that carries a key (plain, pre-shared
// key, PBKDF2) imports and its tokens give the RFC 4226 codes; the ones that
// carry none are listed, not guessed; tampering and wrong keys are refused.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImportError } from '../../src/import/errors.ts';
import { importFileTokens } from '../../src/import/file-import.ts';
import { parsePskc, type PskcSecrets } from '../../src/import/pskc.ts';
import { hotp } from '../../src/otp/hotp.ts';
import { totp } from '../../src/otp/totp.ts';
import { dump, NOW, request, services } from './helpers.ts';
import { FIGURES, PASSWORD, PSK } from './rfc6030.ts';

const RFC4226 = Buffer.from('12345678901234567890');
const psk = Buffer.from(PSK, 'hex');
const secretsFor: Record<string, PskcSecrets> = { figure6: { psk }, figure7: { password: PASSWORD } };

describe('RFC 6030 figures', () => {
  test('each figure that carries a key gives the expected tokens', () => {
    const seen = Object.fromEntries(
      Object.entries(FIGURES)
        .filter(([name]) => !['figure4', 'figure8'].includes(name))
        .map(([name, xml]) => {
          const r = parsePskc(xml, `${name}.xml`, secretsFor[name]);
          return [name, r.tokens.map((t) => [t.serial, t.type, t.seed.toString('hex'), t.otpLength ?? null, t.counter ?? null])];
        }),
    );
    const rfc = RFC4226.toString('hex');
    assert.deepEqual(seen, {
      figure2: [['12345678', 'hotp', '31323334', null, null]],
      figure3: [['987654321', 'hotp', rfc, 8, 0]],
      figure5: [['987654321', 'hotp', rfc, 8, 0]],
      figure6: [['987654321', 'hotp', rfc, 8, 0]],
      figure7: [['987654321', 'hotp', rfc, 8, null]],
      figure9: [['0755225266', 'hotp', rfc, 6, 0]],
      figure10: [
        ['654321', 'hotp', rfc, 8, 0],
        ['123456', 'hotp', rfc, 8, 0],
        ['9999999-3', 'hotp', rfc, 8, 0],
        ['9999999-4', 'hotp', rfc, 8, 0],
      ],
    });
  });

  test('imported into the store, the tokens produce the RFC 4226 codes', async () => {
    const { s } = await services();
    let n = 0;
    for (const name of ['figure2', 'figure3', 'figure6', 'figure7', 'figure9', 'figure10']) {
      const { tokens } = parsePskc(FIGURES[name]!, name, secretsFor[name]);
      // Figures 3, 5, 6 and 7 share a device serial: each goes to its own prefix.
      const renamed = tokens.map((t) => ({ ...t, serial: `${name}-${t.serial}` }));
      const summary = await importFileTokens(s.store, s.realms, s.config.tokenDefaults, renamed, { source: name, now: NOW });
      n += summary.created;
    }
    assert.equal(n, 9);
    const codes = Object.fromEntries(
      ((await dump(s.store)) as { serial: string; seed: string; counter: number; otpLength: number }[]).map((t) => [t.serial, hotp(Buffer.from(t.seed, 'hex'), t.counter, t.otpLength)]),
    );
    assert.deepEqual(codes, {
      'figure10-123456': '84755224',
      'figure10-654321': '84755224',
      'figure10-9999999-3': '84755224',
      'figure10-9999999-4': '84755224',
      'figure2-12345678': hotp(Buffer.from('1234'), 0, 6),
      'figure3-987654321': '84755224',
      'figure6-987654321': '84755224',
      'figure7-987654321': '84755224',
      'figure9-0755225266': '755224',
    });
    const bulk = (await s.store.getToken('figure10-9999999-3'))!;
    assert.deepEqual([bulk.validFrom, bulk.validUntil], [Date.UTC(2006, 2, 1) / 1000, Date.UTC(2006, 2, 31) / 1000]);
    assert.equal(bulk.description, 'TokenVendorAcme');
  });

  test('an encrypted figure assigned to a user logs that user in with its codes', async () => {
    const { s } = await services();
    const { tokens } = parsePskc(FIGURES.figure6!, 'figure6', { psk });
    await importFileTokens(s.store, s.realms, s.config.tokenDefaults, tokens, { source: 'figure6', user: 'alice', now: NOW });
    assert.equal((await s.auth.authenticate(request('alice', hotp(RFC4226, 0, 8)))).decision, 'accept');
    assert.equal((await s.auth.authenticate(request('alice', hotp(RFC4226, 0, 8)))).decision, 'reject');
    assert.equal((await s.auth.authenticate(request('alice', hotp(RFC4226, 1, 8)))).decision, 'accept');
  });

  test('figures without a key in them are listed as skipped, not guessed', () => {
    assert.deepEqual(parsePskc(FIGURES.figure4!, 'f4').skipped, [{ what: 'KeyPackage 1', reason: 'the key is not in the file (KeyReference: derived from a master key)' }]);
    assert.deepEqual(parsePskc(FIGURES.figure5!, 'f5').skipped, [{ what: 'KeyPackage 2', reason: 'a PIN key (the PIN of another key), not a token' }]);
    assert.throws(() => parsePskc(FIGURES.figure8!, 'f8.xml'), /^ImportError: f8\.xml: the file is encrypted to a certificate \(asymmetric encryption\), which is not supported/);
  });

  test('missing, wrong and misplaced keys and passwords', () => {
    assert.throws(() => parsePskc(FIGURES.figure6!, 'f6'), /f6: the file is encrypted with a pre-shared key \("Pre-shared-key"\): give --psk HEX/);
    assert.throws(() => parsePskc(FIGURES.figure7!, 'f7'), /f7: the file is encrypted with a key derived from a password: give --password/);
    assert.throws(() => parsePskc(FIGURES.figure7!, 'f7', { password: 'qwertz' }), /does not decrypt|ValueMAC does not match/);
    assert.throws(() => parsePskc(FIGURES.figure6!, 'f6', { psk: Buffer.alloc(16, 7) }), /does not decrypt|ValueMAC does not match/);
    assert.throws(() => parsePskc(FIGURES.figure6!, 'f6', { psk: Buffer.alloc(32, 7) }), /MACKey: aes128-cbc needs a 128-bit key, the one given has 256 bits/);
    const r = parsePskc(FIGURES.figure6!, 'f6', { psk, password: 'x' });
    assert.deepEqual(r.warnings, ['f6: --password is not used: the file names a pre-shared key, not a derived one']);
  });
});

describe('PSKC files that are not right', () => {
  test('a changed ciphertext fails its MAC', () => {
    const xml = FIGURES.figure6!.replace('AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv', 'AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGw');
    assert.throws(() => parsePskc(xml, 'f6', { psk }), /^ImportError: f6: KeyPackage 1 \(Key 12345678\): Secret: ValueMAC does not match \(the file was changed, or the key is wrong\)$/);
  });

  test('not XML, DOCTYPE, no container, bad base64 and bad numbers name their place', () => {
    assert.throws(() => parsePskc('<KeyContainer>\n<KeyPackage>\n</KeyContainer>', 'x.xml'), /^ImportError: x\.xml:3: not well-formed XML: /);
    // The validator passes this one (it finds a "?>" inside the attribute); the parser does not.
    assert.throws(() => parsePskc('<?xml version="1.0">\n<a x="\n<b>?>\n<KeyContainer/>', 'x.xml'), /^ImportError: x\.xml: not well-formed XML: /);
    assert.throws(() => parsePskc('<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', 'x.xml'), /DOCTYPE and ENTITY declarations are not accepted/);
    assert.throws(() => parsePskc('<a/>', 'x.xml'), /x\.xml: not a PSKC file \(no KeyContainer element\)/);
    assert.throws(() => parsePskc(FIGURES.figure2!.replace('Version="1.0"', 'Version="2.0"'), 'x'), /PSKC version 2\.0 is not supported/);
    const bad = FIGURES.figure10!.replace('MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=', 'not*base64').replace('<PlainValue>0</PlainValue>', '<PlainValue>-1</PlainValue>');
    assert.throws(
      () => parsePskc(bad, 'x'),
      (err: ImportError) => {
        assert.deepEqual(err.problems, ['x: KeyPackage 1 (Key 1): Secret/PlainValue: not valid base64']);
        return true;
      },
    );
    // Offsets that carry a date past four-digit years in UTC: no export could write such a date back.
    for (const [date, utc] of [
      ['0000-01-01T00:00:00+01:00', 'StartDate'],
      ['9999-12-31T23:30:00-01:00', 'ExpiryDate'],
    ] as const) {
      const xml = FIGURES.figure10!.replace('<Data>', `<Policy><${utc}>${date}</${utc}></Policy><Data>`);
      assert.throws(() => parsePskc(xml, 'x'), new RegExp(`Policy/${utc}: "${date.replace('+', '\\+')}" is outside the years 0000 to 9999 in UTC`));
    }
    assert.equal(parsePskc(FIGURES.figure10!.replace('<Data>', '<Policy><StartDate>0000-01-01T00:00:00Z</StartDate></Policy><Data>'), 'x').tokens[0]!.validFrom, -62167219200);
    const badCounter = FIGURES.figure10!.replace('<PlainValue>0</PlainValue>', '<PlainValue>zero</PlainValue>');
    assert.throws(() => parsePskc(badCounter, 'x'), /KeyPackage 1 \(Key 1\): Counter: expected a whole number >= 0, got "zero"/);
  });

  test('TOTP keys: time step, steps counted and drift; hash from the suite; other encodings skipped', () => {
    const xml = `<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"><KeyPackage>
      <DeviceInfo><SerialNo>T1</SerialNo></DeviceInfo>
      <Key Id="k1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
        <AlgorithmParameters><Suite>HMAC-SHA256</Suite><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
        <Data><Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=</PlainValue></Secret>
          <Time><PlainValue>${Math.floor(NOW / 60)}</PlainValue></Time><TimeInterval><PlainValue>60</PlainValue></TimeInterval><TimeDrift><PlainValue>-2</PlainValue></TimeDrift></Data>
      </Key></KeyPackage>
      <KeyPackage><Key Id="k2" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><AlgorithmParameters><ResponseFormat Length="8" Encoding="HEXADECIMAL"/></AlgorithmParameters>
        <Data><Secret><PlainValue>MTIz</PlainValue></Secret></Data></Key></KeyPackage></KeyContainer>`;
    const r = parsePskc(xml, 't.xml');
    const t = r.tokens[0]!;
    assert.deepEqual([t.serial, t.type, t.algorithm, t.otpLength, t.timeStep, t.counter, t.drift], ['T1', 'totp', 'sha256', 8, 60, Math.floor(NOW / 60), -120]);
    assert.equal(totp(t.seed, 59, { digits: 8, algorithm: 'sha256' }), '46119246');
    assert.deepEqual(r.skipped, [{ what: 'KeyPackage 2', reason: 'response encoding HEXADECIMAL is not supported (DECIMAL is)' }]);
    // Seconds of drift past 2^53 would be rounded: refused, not imported wrong.
    const far = xml.replace('<PlainValue>-2</PlainValue>', '<PlainValue>900719925474099</PlainValue>');
    assert.throws(() => parsePskc(far, 't.xml'), /KeyPackage 1 \(Key k1\): TimeDrift: 900719925474099 time steps of 60 s is out of range/);
  });
});
