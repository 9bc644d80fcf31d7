// Tokens from an OATH CSV or PSKC file, uploaded: all or nothing, with
// every problem of the file named. New tokens get the configured defaults;
// a serial that exists is updated only when it is the same token.

import type { Actor } from '../../model/actor.ts';
import { ImportError } from '../../import/errors.ts';
import { importFileTokens } from '../../import/file-import.ts';
import type { FileToken } from '../../import/file-token.ts';
import { parseOathCsv } from '../../import/oath-csv.ts';
import { parsePskc, type PskcSecrets } from '../../import/pskc.ts';
import type { ImportSummary, Skipped } from '../../import/summary.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';

export interface ImportRequest {
  format: 'oath-csv' | 'pskc';
  /** The file's text. */
  content: string;
  /** The file's name, for messages. */
  source: string;
  /** PSKC: a pre-shared key or a password for an encrypted file. */
  secrets?: PskcSecrets;
  /** Owner of the tokens whose entry names none: LOGIN or LOGIN@REALM. */
  user?: string;
  realm?: string;
  dryRun?: boolean;
}

export interface ImportOutcome extends ImportSummary {
  /** PSKC keys not imported, and why. */
  skipped: Skipped[];
}

export function importTokenFile(ctx: AdminContext, actor: Actor, request: ImportRequest): Promise<ImportOutcome> {
  return operation(ctx, actor, 'token.import', { ...(request.user !== undefined ? { user: request.user } : {}) }, async () => {
    // A file may name owners in any realm.
    if (actor.realms !== undefined) throw new AdminError('forbidden', 'importing tokens needs a role that is not limited to realms');
    try {
      let tokens: FileToken[];
      let skipped: Skipped[] = [];
      let warnings: string[] = [];
      if (request.format === 'pskc') {
        ({ tokens, skipped, warnings } = parsePskc(request.content, request.source, request.secrets ?? {}));
        if (tokens.length === 0) throw new ImportError([`${request.source}: no key in it can be imported${skipped.length ? ` (${skipped.map((s) => `${s.what}: ${s.reason}`).join('; ')})` : ''}`]);
      } else {
        tokens = parseOathCsv(request.content, request.source);
      }
      const summary = await importFileTokens(ctx.auth.store, ctx.auth.users, ctx.tokenDefaults, tokens, {
        source: request.source,
        dryRun: request.dryRun === true,
        ...(request.user !== undefined ? { user: request.user } : {}),
        ...(request.realm !== undefined ? { realm: request.realm } : {}),
      });
      return { ...summary, warnings: [...warnings, ...summary.warnings], skipped };
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      const n = err.problems.length;
      throw new AdminError('invalid', `${n === 1 ? err.problems[0] : `${n} problems in ${request.source}`}; nothing imported`, err.problems);
    }
  });
}
