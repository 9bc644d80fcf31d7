// Secret token info written before it was sealed (the OCRA PIN hash of
// stores from before) is sealed when the store opens with its key, on both
// backends.

import { sealInfo } from './seed-crypto.ts';

export interface InfoRow {
  serial: string;
  info: string;
}

/** The rows to rewrite: each with its info as read (`old`) and sealed (`info`). */
export function sealedInfoRows(rows: InfoRow[], key: Buffer): { serial: string; old: string; info: string }[] {
  return rows.flatMap((row) => {
    const info = JSON.parse(row.info) as Record<string, string>;
    const sealed = JSON.stringify(sealInfo(info, row.serial, key));
    return sealed === row.info ? [] : [{ serial: row.serial, old: row.info, info: sealed }];
  });
}
