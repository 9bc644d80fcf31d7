// What the admin operations work with, and the one way each runs: check the
// role, do the work, write exactly one audit event (ok or refused).

import type { Actor } from '../../model/actor.ts';
import type { AdminPolicy } from '../../model/admin-policy.ts';
import type { AuditSink } from '../../model/audit.ts';
import type { TokenDefaults } from '../../model/token-defaults.ts';
import type { AuthContext } from '../context.ts';
import { failureDetail } from '../outage.ts';
import { AdminError } from './errors.ts';
import { authorize, type Action } from './permissions.ts';

/** Admin passwords and high-entropy secrets, with the store's pepper. */
export interface AdminSecrets {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string | null): Promise<boolean>;
  /** HMAC of an API key secret or session id, hex. */
  digest(secret: string): string;
}

export interface AdminContext {
  auth: AuthContext;
  tokenDefaults: TokenDefaults;
  audit: AuditSink;
  secrets: AdminSecrets;
  policy: AdminPolicy;
}

/** What the audit event names; filled in by the operation as it learns it. */
export interface Target {
  serial?: string;
  user?: string;
  realm?: string;
}

/**
 * Runs an operation: refused before the work when the role may not, audited
 * once either way. An AdminError is a refusal with its message; any other
 * error is audited as refused (the outage, else 'internal error') and thrown on.
 */
export async function operation<T>(ctx: AdminContext, actor: Actor, action: Action, target: Target, work: (target: Target) => Promise<T>): Promise<T> {
  const write = (result: 'ok' | 'refused', detail?: string): void => {
    ctx.audit.write({ event: 'admin', at: Date.now(), actor, action, result, ...(detail !== undefined ? { detail } : {}), ...target });
  };
  try {
    authorize(actor, action);
    const out = await work(target);
    write('ok');
    return out;
  } catch (err) {
    write('refused', err instanceof AdminError ? err.message : failureDetail(err));
    throw err;
  }
}
