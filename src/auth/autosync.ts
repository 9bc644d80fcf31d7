// Autosync: two directly following OTPs beyond the window but within the
// sync window resynchronise the token. The first is remembered, the second
// (within autoResyncTimeout) is accepted.

import type { Decision } from '../model/decision.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { AuthContext, Subject } from './context.ts';
import { failAttempt } from './failures.ts';
import { accept, reject, who } from './outcome.ts';

export interface SplitCandidate {
  token: Token;
  split: { pin: string; otp: string };
}

export async function autosync(
  ctx: AuthContext,
  subject: Subject,
  candidates: SplitCandidate[],
  pinRight: (token: Token, pin: string) => Promise<boolean>,
  now: number,
): Promise<Decision | undefined> {
  const { store, policy } = ctx;
  for (const { token, split } of candidates) {
    const kind = tokenKind(token.type);
    const found = kind.searchSyncWindow(token, split.otp, now);
    if (!found) continue;
    // Only a right PIN may touch the sync state, or anyone could disturb it.
    if (!(await pinRight(token, split.pin))) continue;
    const pairs = token.syncAt !== null && now - token.syncAt <= policy.autoResyncTimeout && kind.followsSyncState(token, found, now);
    if (pairs) {
      if (await store.commitSuccess(token.serial, found.counter, now, found.drift)) {
        ctx.logger.info({ serial: token.serial, counter: found.counter }, 'token resynchronised by autosync');
        return accept(policy, 'ok (autosync)', who(subject, token.serial));
      }
      return reject(policy, 'replay', who(subject, token.serial));
    }
    await Promise.all([store.setSyncState(token.serial, found.counter, now), failAttempt(ctx, [token], now)]);
    return reject(policy, 'otp out of window, autosync pending', who(subject, token.serial));
  }
  return undefined;
}
