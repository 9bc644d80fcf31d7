// An enrollment code for a user: the one-time code the self-service portal
// asks for before a first token where the realm's policy says so. The code
// is shown once to the admin who made it; the store keeps its HMAC. A new
// code for a user replaces one not used yet.

import type { Actor } from '../../model/actor.ts';
import { MAX_ENROLLMENT_CODE_HOURS } from '../../model/self-service.ts';
import { enrollmentCodeId, newEnrollmentCode } from '../enrollment-code.ts';
import { lookUpUser } from '../subject.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { authorizeRealm } from './permissions.ts';

export interface EnrollmentCodeRequest {
  /** LOGIN or LOGIN@REALM. */
  user: string;
  realm?: string;
  validHours: number;
}

export interface CreatedEnrollmentCode {
  /** Shown once: the store keeps only its HMAC. */
  code: string;
  login: string;
  realm: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function createEnrollmentCode(ctx: AdminContext, actor: Actor, request: EnrollmentCodeRequest): Promise<CreatedEnrollmentCode> {
  return operation(ctx, actor, 'user.enrollment-code', {}, async (target) => {
    const { validHours } = request;
    if (!Number.isInteger(validHours) || validHours < 1 || validHours > MAX_ENROLLMENT_CODE_HOURS) {
      throw new AdminError('invalid', `the validity must be 1 to ${MAX_ENROLLMENT_CODE_HOURS} hours, got ${validHours}`);
    }
    const found = await lookUpUser(ctx.auth, request.user, request.realm);
    if ('missing' in found) throw new AdminError('not-found', found.missing);
    const { user, realm } = found.found;
    target.user = user.login;
    target.realm = realm;
    authorizeRealm(actor, realm);
    const code = newEnrollmentCode();
    const now = Math.floor(ctx.auth.now());
    const expiresAt = now + validHours * 3600;
    await ctx.auth.store.selfService.createEnrollmentCode({
      id: enrollmentCodeId(ctx.secrets.digest, code.replaceAll('-', '')),
      realm,
      resolver: user.resolver,
      userId: user.id,
      login: user.login,
      createdBy: actor.name,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return { code, login: user.login, realm, expiresAt };
  });
}
