// Autosync: two directly following OTPs beyond the window but within the
// sync window resynchronise the token. The first is remembered, the second
// (within autoResyncTimeout) is accepted.

import type { Decision } from '../model/decision.ts';
import type { Token } from '../model/token.ts';
import { tokenKind } from '../tokens/index.ts';
import type { AuthContext, Subject } from './context.ts';
import { failAttempt } from './failures.ts';
import type { Answering } from './answering.ts';
import { reject, who } from './outcome.ts';
import type { Attempt } from './throttle.ts';
import { unusable } from './usable.ts';

export interface SplitCandidate {
  token: Token;
  split: { pin: Buffer; otp: string };
}

export async function autosync(
  ctx: AuthContext,
  subject: Subject,
  candidates: SplitCandidate[],
  pinRight: (token: Token, pin: Buffer) => Promise<boolean>,
  now: number,
  attempt: Attempt,
  answer: Answering,
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
      const accepted = answer.accept('ok (autosync)', who(subject, token.serial));
      const refused = answer.refuse(accepted);
      if (refused) return refused;
      if (await store.commitSuccess(token.serial, found.counter, now, found.drift)) {
        attempt.succeeded();
        ctx.logger.info({ serial: token.serial, counter: found.counter }, 'token resynchronised by autosync');
        return accepted;
      }
      const fresh = await store.getToken(token.serial);
      return reject(policy, (fresh && (await unusable(ctx, fresh, now))) ?? 'replay', who(subject, token.serial));
    }
    const [, counted] = await Promise.all([store.setSyncState(token.serial, found.counter, now), failAttempt(ctx, [token], now)]);
    return reject(policy, counted.length === 0 ? 'locked' : 'otp out of window (clock drift?), autosync pending', who(subject, token.serial));
  }
  return undefined;
}
