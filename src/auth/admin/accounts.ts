// Admin accounts: who may log in to the admin API and console with a
// password and an OTP of their own token. That token belongs to the
// account (owner realm ADMIN_REALM), so only the admin role reaches it.

import type { Actor, Role } from '../../model/actor.ts';
import type { AdminAccount } from '../../model/admin-account.ts';
import type { NewToken, Token } from '../../model/token.ts';
import { ACCOUNT_NAME } from '../../store/admin-rows.ts';
import { StoreError } from '../../store/errors.ts';
import { buildToken, provisioningUri, TokenTypeError } from '../../tokens/index.ts';
import { operation, type AdminContext } from './context.ts';
import { AdminError } from './errors.ts';
import { refusal } from './refusals.ts';
import { ADMIN_REALM, authorize, authorizeGrant } from './permissions.ts';

/** Shorter admin passwords are refused: they are the first factor of everything. */
export const MIN_PASSWORD_LENGTH = 12;

/** The account's second factor: a new TOTP or HOTP token (shown once), an existing spare token, or none. */
export type AccountOtp = { enroll: 'totp' | 'hotp' } | { serial: string } | 'none';

export interface NewAccountRequest {
  name: string;
  role: Role;
  /** Realms the role is limited to; none = every realm. */
  realms?: string[];
  password: string;
  otp: AccountOtp;
}

export interface AddedAccount {
  account: AdminAccount;
  /** The new token and its otpauth URI, shown once (absent with an existing token or none). */
  enrolled?: { token: Token; uri: string };
}

/** How an account looks outside the store: no password hash. */
export function accountView(a: AdminAccount): Record<string, unknown> {
  const when = (t: number | null) => (t === null ? null : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
  return { name: a.name, role: a.role, realms: a.realms, otpSerial: a.otpSerial, disabled: a.disabled, created: when(a.createdAt), lastLogin: when(a.lastLogin) };
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw refusal('password-short', { min: MIN_PASSWORD_LENGTH });
  if (password.length > 1024) throw new AdminError('invalid', 'the password must have at most 1024 characters');
}

function checkRealms(ctx: AdminContext, realms: string[] | undefined): string[] | null {
  if (realms === undefined || realms.length === 0) return null;
  const lower = [...new Set(realms.map((r) => r.toLowerCase()))];
  const unknown = lower.filter((r) => !ctx.auth.users.hasRealm(r));
  if (unknown.length > 0) throw new AdminError('invalid', `unknown realm${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (realms: ${ctx.auth.users.names.join(', ') || 'none'})`);
  return lower;
}

function owner(name: string): Token['owner'] {
  return { realm: ADMIN_REALM, resolver: ADMIN_REALM, userId: name, login: name };
}

async function accountOf(ctx: AdminContext, name: string): Promise<AdminAccount> {
  if (!ACCOUNT_NAME.test(name)) throw new AdminError('invalid', 'an account name is 1..128 letters, digits and _ . @ -, starting with a letter or digit');
  const account = await ctx.auth.store.admins.getAccount(name);
  if (!account) throw new AdminError('not-found', `no admin account "${name}"`);
  return account;
}

export function addAccount(ctx: AdminContext, actor: Actor, request: NewAccountRequest): Promise<AddedAccount> {
  return operation(ctx, actor, 'admin.add', { user: request.name }, async (target) => {
    if (!ACCOUNT_NAME.test(request.name)) throw new AdminError('invalid', 'an account name is 1..128 letters, digits and _ . @ -, starting with a letter or digit');
    const realms = checkRealms(ctx, request.realms);
    authorizeGrant(actor, realms);
    checkPassword(request.password);
    target.realm = ADMIN_REALM;
    if (await ctx.auth.store.admins.getAccount(request.name)) throw refusal('account-exists', { name: request.name });
    const now = ctx.auth.now();
    let enrolled: AddedAccount['enrolled'];
    let otpSerial: string | null = null;
    const { otp } = request;
    if (otp !== 'none' && 'serial' in otp) {
      const t = await ctx.auth.store.getToken(otp.serial);
      if (!t) throw refusal('no-token', { serial: otp.serial });
      if (t.owner) throw new AdminError('conflict', `${t.serial} belongs to ${t.owner.login}@${t.owner.realm}; an admin account needs a token of its own`);
      await ctx.auth.store.updateToken(t.serial, { owner: owner(request.name), pinHash: null, failCount: 0, locked: false });
      otpSerial = t.serial;
    } else if (otp !== 'none') {
      let row: NewToken;
      try {
        row = buildToken({ type: otp.enroll, owner: owner(request.name), description: `admin account ${request.name}` }, ctx.tokenDefaults).token;
      } catch (err) {
        if (err instanceof TokenTypeError) throw new AdminError('invalid', err.message);
        throw err;
      }
      const token = await ctx.auth.store.createToken(row, now);
      enrolled = { token, uri: provisioningUri(token, request.name, `${ctx.tokenDefaults.issuer} admin`) };
      otpSerial = token.serial;
    }
    target.serial = otpSerial ?? undefined;
    const passwordHash = await ctx.secrets.hash(request.password);
    let account: AdminAccount;
    try {
      account = await ctx.auth.store.admins.createAccount({ name: request.name, role: request.role, realms, passwordHash, otpSerial }, now);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'duplicate') throw refusal('account-exists', { name: request.name });
      throw err;
    }
    return { account, ...(enrolled ? { enrolled } : {}) };
  });
}

export async function listAccounts(ctx: AdminContext, actor: Actor): Promise<AdminAccount[]> {
  authorize(actor, 'admin.read');
  return ctx.auth.store.admins.listAccounts();
}

export async function showAccount(ctx: AdminContext, actor: Actor, name: string): Promise<AdminAccount> {
  authorize(actor, 'admin.read');
  return accountOf(ctx, name);
}

/** Disabled: no login, and its sessions end now. */
export function setAccountDisabled(ctx: AdminContext, actor: Actor, name: string, disabled: boolean): Promise<void> {
  return operation(ctx, actor, disabled ? 'admin.disable' : 'admin.enable', { user: name, realm: ADMIN_REALM }, async () => {
    const account = await accountOf(ctx, name);
    authorizeGrant(actor, account.realms);
    if (disabled && actor.via !== 'cli' && account.name === actor.name) throw refusal('own-account-disable');
    await ctx.auth.store.admins.updateAccount(account.name, { disabled });
    if (disabled) await ctx.auth.store.admins.deleteSessionsOf(account.name);
  });
}

/** The account, its sessions and its own token go. */
export function deleteAccount(ctx: AdminContext, actor: Actor, name: string): Promise<void> {
  return operation(ctx, actor, 'admin.delete', { user: name, realm: ADMIN_REALM }, async (target) => {
    const account = await accountOf(ctx, name);
    authorizeGrant(actor, account.realms);
    if (actor.via !== 'cli' && account.name === actor.name) throw refusal('own-account-delete');
    target.serial = account.otpSerial ?? undefined;
    await ctx.auth.store.admins.deleteSessionsOf(account.name);
    await ctx.auth.store.admins.deleteAccount(account.name);
    for (const t of await ctx.auth.store.tokensOfUser(ADMIN_REALM, account.name)) await ctx.auth.store.deleteToken(t.serial);
  });
}

/** A new password ends the account's sessions. */
export function setAccountPassword(ctx: AdminContext, actor: Actor, name: string, password: string): Promise<void> {
  return operation(ctx, actor, 'admin.passwd', { user: name, realm: ADMIN_REALM }, async () => {
    const account = await accountOf(ctx, name);
    authorizeGrant(actor, account.realms);
    checkPassword(password);
    await ctx.auth.store.admins.updateAccount(account.name, { passwordHash: await ctx.secrets.hash(password) });
    await ctx.auth.store.admins.deleteSessionsOf(account.name);
  });
}
