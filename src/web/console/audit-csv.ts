// The audit rows as CSV for a spreadsheet: RFC 4180 quoting and CRLF line
// ends (csv-stringify), a byte order mark so that spreadsheet programs read
// UTF-8, and a cell that starts with = + - @ (or a tab or CR) prefixed with
// ' so that no program runs it as a formula: user names and reasons come
// from outside. Streamed: rows are read as the download goes.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { AuditRecord } from '../../model/audit.ts';

export const AUDIT_CSV_COLUMNS = ['time', 'event', 'actor', 'action', 'result', 'reason', 'user', 'realm', 'serial', 'address', 'details'] as const;

function cells(r: AuditRecord): Record<(typeof AUDIT_CSV_COLUMNS)[number], string> {
  return {
    time: new Date(r.at).toISOString(),
    event: r.event,
    actor: r.actor,
    action: r.action,
    result: r.result,
    reason: r.reason,
    user: r.user ?? '',
    realm: r.realm ?? '',
    serial: r.serial ?? '',
    address: r.address ?? '',
    details: Object.keys(r.extra).length > 0 ? JSON.stringify(r.extra) : '',
  };
}

/**
 * The CSV text of the records, as a stream. A failure while reading rows
 * (the store went away) ends the stream with that error, so the download
 * breaks off rather than looking complete; `onError` hears of it.
 */
export function auditCsv(records: AsyncIterable<AuditRecord>, onError: (err: Error) => void): Readable {
  // With CRLF between records csv-stringify quotes only a cell holding CRLF; a lone LF or CR must be quoted too.
  const csv = stringify({ header: true, columns: [...AUDIT_CSV_COLUMNS], escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/, bom: true });
  pipeline(
    Readable.from(
      (async function* rows() {
        for await (const r of records) yield cells(r);
      })(),
    ),
    csv,
  ).catch(onError);
  return csv;
}

/** The download's file name: the export's date (UTC) in it. */
export function auditCsvName(now: number): string {
  return `otp-radius-audit-${new Date(now).toISOString().slice(0, 10)}.csv`;
}
