// How tokens look to an admin: one line each in a list, every field in show.
// Never the seed, never the PIN hash.

import type { Token } from '../model/token.ts';

function when(unix: number | null): string | null {
  return unix === null ? null : new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

export function tokenState(t: Token): string {
  if (t.revoked) return 'revoked';
  if (t.locked) return 'locked';
  return t.active ? 'active' : 'disabled';
}

/** The JSON form of `token list --json` and `token show --json`. */
export function tokenSummary(t: Token): Record<string, unknown> {
  return {
    serial: t.serial,
    type: t.type,
    state: tokenState(t),
    active: t.active,
    revoked: t.revoked,
    locked: t.locked,
    user: t.owner?.login ?? null,
    realm: t.owner?.realm ?? null,
    resolver: t.owner?.resolver ?? null,
    userId: t.owner?.userId ?? null,
    pin: t.pinHash === null ? 'none' : 'set',
    otpLength: t.otpLength,
    algorithm: t.algorithm,
    ...(t.type === 'totp' ? { timeStep: t.timeStep, drift: t.drift } : {}),
    ...(t.type === 'ocra' ? { ocrasuite: t.info.ocrasuite } : {}),
    counter: t.counter,
    window: t.window,
    syncWindow: t.syncWindow,
    failCount: t.failCount,
    maxFail: t.maxFail,
    authCount: t.authCount,
    maxAuth: t.maxAuth,
    successCount: t.successCount,
    maxSuccess: t.maxSuccess,
    validFrom: when(t.validFrom),
    validUntil: when(t.validUntil),
    lastAuth: when(t.lastAuth),
    lastFail: when(t.lastFail),
    created: when(t.createdAt),
    description: t.description,
    info: Object.fromEntries(Object.entries(t.info).filter(([k]) => !/pin|seed|key/i.test(k))),
  };
}

export function tokenTable(tokens: Token[]): string {
  const rows = [['SERIAL', 'TYPE', 'STATE', 'USER', 'REALM', 'FAIL', 'DESCRIPTION']];
  for (const t of tokens) {
    rows.push([t.serial, t.type, tokenState(t), t.owner?.login ?? '-', t.owner?.realm ?? '-', `${t.failCount}/${t.maxFail}`, t.description]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

export function tokenDetails(t: Token): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(tokenSummary(t))) {
    if (value === null || value === '' || (typeof value === 'object' && Object.keys(value).length === 0)) continue;
    lines.push(`${key.padEnd(13)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return lines.join('\n') + '\n';
}
