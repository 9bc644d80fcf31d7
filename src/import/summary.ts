// What an import did, and the lines the CLI prints about it.

export interface ImportSummary {
  /** Where the tokens came from (a file, or the LinOTP database URL without password). */
  source: string;
  /** The store written to. */
  target: string;
  dryRun: boolean;
  created: number;
  updated: number;
  /** Things an admin should look at that did not stop the import. */
  warnings: string[];
  /** Tokens imported per token type, where the source has several. */
  byType?: Record<string, number>;
  /** Each token of an import file, and whether it is new or updates the one under its serial (what a preview lists). */
  tokens?: ImportedToken[];
}

export interface ImportedToken {
  serial: string;
  type: string;
  /** LOGIN@REALM, or null for a spare token. */
  owner: string | null;
  change: 'create' | 'update';
}

export interface Skipped {
  /** Serial or the file position of what was not imported. */
  what: string;
  reason: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The closing line: "imported 3 tokens (2 new, 1 updated) from X into Y". */
export function summaryLine(s: ImportSummary): string {
  const count = `${plural(s.created + s.updated, 'token')} (${s.created} new, ${s.updated} updated)`;
  return s.dryRun ? `dry run: would import ${count} from ${s.source} into ${s.target}; nothing written` : `imported ${count} from ${s.source} into ${s.target}`;
}

/** "by type: hotp 2, email 1, spass 1", in the order of `order`. */
export function byTypeLine(byType: Record<string, number>, order: readonly string[]): string {
  const known = order.filter((t) => byType[t]);
  return `by type: ${[...known, ...Object.keys(byType).filter((t) => !order.includes(t))].map((t) => `${t} ${byType[t]}`).join(', ')}`;
}

export function skippedLines(title: string, skipped: readonly Skipped[]): string[] {
  if (skipped.length === 0) return [];
  return [`${title} (${skipped.length}):`, ...skipped.map((s) => `  ${s.what}: ${s.reason}`)];
}
