// API keys for automation: `otpr_<id>_<secret>`, sent as
// `Authorization: Bearer`. The id finds the key; the secret is kept only as
// a digest under the key file's pepper, and shown once when created.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor, Role } from '../../model/actor.ts';
import type { ApiKey } from '../../model/admin-account.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { authorize, authorizeGrant } from './permissions.ts';

const KEY_RE = /^otpr_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface NewKeyRequest {
  role: Role;
  realms?: string[];
  /** Unix seconds; none = never. */
  expiresAt?: number;
  description?: string;
}

export interface CreatedKey {
  key: ApiKey;
  /** The whole key for the Authorization header: shown once, never stored. */
  secret: string;
}

/** How a key looks outside the store: no digest. */
export function apiKeyView(k: ApiKey, now: number): Record<string, unknown> {
  const when = (t: number | null) => (t === null ? null : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
  const state = k.revokedAt !== null ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active';
  return {
    id: k.id,
    role: k.role,
    realms: k.realms,
    description: k.description,
    state,
    expires: when(k.expiresAt),
    createdBy: k.createdBy,
    created: when(k.createdAt),
    lastUsed: when(k.lastUsed),
    revoked: when(k.revokedAt),
  };
}

/** An actor's name as a key's creator: accounts by name, keys by their id. */
function creator(actor: Actor): string {
  return (
    actor.name
      .replace(/[^A-Za-z0-9_.@-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 128) || 'unknown'
  );
}

export function createApiKey(ctx: AdminContext, actor: Actor, request: NewKeyRequest): Promise<CreatedKey> {
  return operation(ctx, actor, 'apikey.create', {}, async (target) => {
    const realms = request.realms && request.realms.length > 0 ? [...new Set(request.realms.map((r) => r.toLowerCase()))] : null;
    const unknown = (realms ?? []).filter((r) => !ctx.auth.users.hasRealm(r));
    if (unknown.length > 0) throw new AdminError('invalid', `unknown realm${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`);
    authorizeGrant(actor, realms);
    const now = Math.floor(ctx.auth.now());
    if (request.expiresAt !== undefined && request.expiresAt <= now) throw new AdminError('invalid', 'the expiry is in the past');
    const description = request.description ?? '';
    if (description.length > 1000) throw new AdminError('invalid', 'the description must have at most 1000 characters');
    const id = randomBytes(8).toString('hex');
    const secretPart = randomBytes(32).toString('hex');
    target.user = `key-${id}`;
    const key: ApiKey = {
      id,
      secretHash: ctx.secrets.digest(secretPart),
      role: request.role,
      realms,
      description,
      expiresAt: request.expiresAt ?? null,
      createdBy: creator(actor),
      createdAt: now,
      lastUsed: null,
      revokedAt: null,
    };
    await ctx.auth.store.admins.createApiKey(key);
    return { key, secret: `otpr_${id}_${secretPart}` };
  });
}

export async function listApiKeys(ctx: AdminContext, actor: Actor): Promise<ApiKey[]> {
  authorize(actor, 'apikey.read');
  return ctx.auth.store.admins.listApiKeys();
}

export function revokeApiKey(ctx: AdminContext, actor: Actor, id: string): Promise<void> {
  return operation(ctx, actor, 'apikey.revoke', { user: `key-${id}` }, async () => {
    if (!/^[0-9a-f]{16}$/.test(id)) throw new AdminError('invalid', 'an API key id is 16 hex digits');
    const key = await ctx.auth.store.admins.getApiKey(id);
    if (!key) throw new AdminError('not-found', `no API key ${id}`);
    authorizeGrant(actor, key.realms);
    if (!(await ctx.auth.store.admins.revokeApiKey(id, ctx.auth.now()))) throw new AdminError('conflict', `API key ${id} is revoked already`);
  });
}

/**
 * The actor a Bearer key stands for, or 'unauthenticated'. A refused key is
 * audited (who tried, from where); an accepted one is not, its operations are.
 */
export async function actorOfApiKey(ctx: AdminContext, bearer: string, address: string, via: Actor['via']): Promise<Actor> {
  const m = KEY_RE.exec(bearer);
  const refuse = (why: string, id?: string): never => {
    ctx.audit.write({
      event: 'admin',
      at: Date.now(),
      actor: { via, name: id ? `key-${id}` : 'unknown key', role: 'auditor', address },
      action: 'apikey.use',
      result: 'refused',
      detail: why,
      ...(id ? { user: `key-${id}` } : {}),
    });
    throw new AdminError('unauthenticated', 'unknown, revoked or expired API key');
  };
  if (!m) return refuse('not an otp-radius API key');
  const [, id, secretPart] = m as unknown as [string, string, string];
  const key = await ctx.auth.store.admins.getApiKey(id);
  const given = Buffer.from(ctx.secrets.digest(secretPart), 'hex');
  const stored = Buffer.from(key?.secretHash ?? '00'.repeat(32), 'hex');
  if (!key || stored.length !== given.length || !timingSafeEqual(stored, given)) return refuse('unknown key or wrong secret', id);
  const now = ctx.auth.now();
  if (key.revokedAt !== null) return refuse('revoked', id);
  if (key.expiresAt !== null && key.expiresAt <= now) return refuse('expired', id);
  ctx.auth.store.admins.touchApiKey(id, now).catch((err: unknown) => ctx.auth.logger.warn({ err: (err as Error).message, key: id }, 'could not record the use of an API key'));
  return { via, name: `key-${id}`, role: key.role, ...(key.realms ? { realms: key.realms } : {}), address };
}
