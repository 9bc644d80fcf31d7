// How tokens look in a terminal: one line each in a list, every field in
// show. The fields are the admin operations' token view.

import { tokenState, tokenView } from '../auth/admin.ts';
import type { Token } from '../model/token.ts';

export function tokenTable(tokens: Token[]): string {
  const rows = [['SERIAL', 'TYPE', 'STATE', 'USER', 'REALM', 'FAIL', 'DESCRIPTION']];
  for (const t of tokens) {
    rows.push([t.serial, t.type, tokenState(t), t.owner?.login ?? '-', t.owner?.realm ?? '-', `${t.failCount}/${t.maxFail}`, t.description]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `${rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function tokenDetails(t: Token): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(tokenView(t))) {
    if (value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0)) continue;
    lines.push(`${key.padEnd(13)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return `${lines.join('\n')}\n`;
}
