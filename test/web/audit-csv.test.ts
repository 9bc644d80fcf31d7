// The audit CSV writer on its own: the header, RFC 4180 quoting (commas,
// quotes, line breaks), CRLF line ends, the byte order mark, a cell that a
// spreadsheet would run as a formula defused with a leading quote, and a
// failure while reading rows breaking the stream off instead of ending it
// as if complete.

import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import type { AuditRecord } from '../../src/model/audit.ts';
import { AUDIT_CSV_COLUMNS, auditCsv, auditCsvName } from '../../src/web/console/audit-csv.ts';

function record(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: 'a1',
    at: Date.UTC(2026, 11, 6, 20, 12, 55, 890),
    event: 'auth',
    actor: 'vpn-gw',
    action: 'authenticate',
    result: 'reject',
    reason: 'wrong otp',
    user: 'alice',
    realm: 'corp',
    serial: 'TOTP1',
    address: '192.0.2.10',
    extra: { ms: 21.4 },
    ...over,
  };
}

/** The stream's text as written (TextDecoder would drop the byte order mark). */
async function text(stream: Readable): Promise<string> {
  return (await buffer(stream)).toString('utf8');
}

async function* rows(list: AuditRecord[]): AsyncGenerator<AuditRecord> {
  yield* list;
}

describe('audit CSV', () => {
  test('header, one line per record, RFC 4180 quoting, CRLF and a byte order mark', async () => {
    const out = await text(auditCsv(rows([record(), record({ user: 'eve, "the" intruder', reason: 'line one\nline two', realm: null, serial: null, address: null, extra: {} })]), assert.fail));
    assert.equal(out[0], '\uFEFF');
    assert.equal(
      out.slice(1),
      [
        AUDIT_CSV_COLUMNS.join(','),
        '2026-12-06T20:12:55.890Z,auth,vpn-gw,authenticate,reject,wrong otp,alice,corp,TOTP1,192.0.2.10,"{""ms"":21.4}"',
        '2026-12-06T20:12:55.890Z,auth,vpn-gw,authenticate,reject,"line one\nline two","eve, ""the"" intruder",,,,',
        '',
      ].join('\r\n'),
    );
  });

  test('a cell starting with = + - @ (or a tab or CR) is prefixed with a quote; the rest of a cell is left alone', async () => {
    const out = await text(auditCsv(rows([record({ user: '=HYPERLINK("http://x")', reason: '+1', realm: '-2', serial: '@SUM(A1)', actor: '\tx', address: 'a=b' })]), assert.fail));
    const line = out.split('\r\n')[1]!;
    assert.equal(line, `2026-12-06T20:12:55.890Z,auth,'\tx,authenticate,reject,'+1,"'=HYPERLINK(""http://x"")",'-2,'@SUM(A1),a=b,"{""ms"":21.4}"`);
  });

  test('no records: the header alone', async () => {
    assert.equal(await text(auditCsv(rows([]), assert.fail)), `\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
  });

  test('a failure while reading rows breaks the stream off and is reported', async () => {
    let reported: Error | undefined;
    async function* failing(): AsyncGenerator<AuditRecord> {
      yield record();
      throw new Error('store went away');
    }
    const stream = auditCsv(failing(), (err) => {
      reported = err;
    });
    await assert.rejects(text(stream), /store went away/);
    assert.match(reported?.message ?? '', /store went away/);
  });

  test('the file name carries the date in UTC', () => {
    assert.equal(auditCsvName(Date.UTC(2026, 0, 31, 23, 59)), 'otp-radius-audit-2026-01-31.csv');
  });
});
