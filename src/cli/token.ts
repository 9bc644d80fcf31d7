// `otp-radius token ...`: token management for admins. Each subcommand opens
// the store the server uses; the server sees the change on its next request.

import { openTransaction } from '../auth/challenge.ts';
import type { Services } from '../server/services.ts';
import type { Token } from '../model/token.ts';
import { tokenKind, TokenTypeError } from '../tokens/index.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { findUserOrFail, withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { readSecret } from './terminal.ts';
import { ENROLL_USAGE, enrollCommand } from './token-enroll.ts';
import { tokenDetails, tokenSummary, tokenTable } from './token-view.ts';

const USAGE = `usage: otp-radius token COMMAND [options] [--config FILE]
  enroll --type hotp|totp|ocra --user LOGIN ...   a new token (see token enroll --help)
  list [--user LOGIN[@REALM]] [--realm R] [--unassigned] [--json]
  show SERIAL [--json]
  enable SERIAL | disable SERIAL
  revoke SERIAL          disable for good (a revoked token cannot be enabled again)
  delete SERIAL
  set-pin SERIAL [--pin PIN]   without --pin, read from the terminal (empty = no PIN)
  reset SERIAL           clear the fail counter and unlock
  resync SERIAL OTP1 OTP2      two consecutive OTPs put the counter (TOTP: clock drift) right
  assign SERIAL --user LOGIN[@REALM] [--realm R]
  unassign SERIAL        remove the owner (and the PIN, which was theirs)
  challenge SERIAL       open a challenge for the token's owner; answer with: otp-radius check --user U --state TXID --password RESPONSE
`;

type Sub = (args: string[]) => Promise<number>;

function withToken(name: string, extra: Parameters<typeof parse>[2], positionals: number, body: (s: Services, token: Token, values: Record<string, string | boolean | undefined>, rest: string[]) => Promise<number>, usage: string): Sub {
  return async (args) => {
    const { values, positionals: pos } = parse(`token ${name}`, args, { config: { type: 'string', short: 'c' }, ...extra }, positionals);
    if (values.help) {
      process.stdout.write(`usage: otp-radius token ${usage}\n`);
      return 0;
    }
    const serial = pos[0];
    if (!serial) throw new CliError(`token ${name}: SERIAL is required (usage: otp-radius token ${usage})`, EXIT_USAGE);
    if (pos.length < positionals) throw new CliError(`token ${name}: expected ${usage}`, EXIT_USAGE);
    return withContext((values.config as string | undefined) ?? DEFAULT_CONFIG, async (s) => {
      const token = await s.store.getToken(serial);
      if (!token) throw new CliError(`token ${name}: no token with serial "${serial}"`);
      return body(s, token, values as Record<string, string | boolean | undefined>, pos.slice(1));
    });
  };
}

function done(message: string): number {
  process.stdout.write(`${message}\n`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parse('token list', args, { config: { type: 'string', short: 'c' }, user: { type: 'string', short: 'u' }, realm: { type: 'string' }, unassigned: { type: 'boolean' }, json: { type: 'boolean' } });
  if (values.help) return done('usage: otp-radius token list [--user LOGIN[@REALM]] [--realm R] [--unassigned] [--json]');
  return withContext(values.config ?? DEFAULT_CONFIG, async (s) => {
    let tokens: Token[];
    if (values.user !== undefined) {
      const { user } = await findUserOrFail(s, values.user, values.realm);
      tokens = await s.store.tokensOfUser(user.resolver, user.id);
    } else {
      tokens = await s.store.listTokens({ ...(values.realm !== undefined ? { realm: values.realm.toLowerCase() } : {}), ...(values.unassigned ? { unassigned: true } : {}) });
    }
    process.stdout.write(values.json ? `${JSON.stringify(tokens.map(tokenSummary))}\n` : tokens.length === 0 ? 'no tokens\n' : tokenTable(tokens));
    return 0;
  });
}

const show = withToken('show', { json: { type: 'boolean' } }, 1, async (_s, t, v) => {
  process.stdout.write(v.json ? `${JSON.stringify(tokenSummary(t))}\n` : tokenDetails(t));
  return 0;
}, 'show SERIAL [--json]');

const enable = withToken('enable', {}, 1, async (s, t) => {
  if (t.revoked) throw new CliError(`token enable: ${t.serial} is revoked and cannot be enabled again`);
  await s.store.updateToken(t.serial, { active: true });
  return done(`${t.serial} enabled`);
}, 'enable SERIAL');

const disable = withToken('disable', {}, 1, async (s, t) => {
  await s.store.updateToken(t.serial, { active: false });
  return done(`${t.serial} disabled`);
}, 'disable SERIAL');

const revoke = withToken('revoke', {}, 1, async (s, t) => {
  await s.store.updateToken(t.serial, { revoked: true, active: false, locked: true });
  return done(`${t.serial} revoked`);
}, 'revoke SERIAL');

const remove = withToken('delete', {}, 1, async (s, t) => {
  await s.store.deleteToken(t.serial);
  return done(`${t.serial} deleted`);
}, 'delete SERIAL');

const reset = withToken('reset', {}, 1, async (s, t) => {
  await s.store.updateToken(t.serial, { failCount: 0, locked: false });
  return done(`${t.serial}: fail counter reset (was ${t.failCount}/${t.maxFail}${t.locked ? ', locked' : ''})`);
}, 'reset SERIAL');

const setPin = withToken('set-pin', { pin: { type: 'string' } }, 1, async (s, t, v) => {
  let pin = v.pin as string | undefined;
  if (pin === undefined) {
    pin = await readSecret(`new PIN for ${t.serial}: `);
    if (process.stdin.isTTY && (await readSecret('again: ')) !== pin) throw new CliError('token set-pin: the two PINs differ; nothing changed');
  }
  await s.store.updateToken(t.serial, { pinHash: pin === '' ? null : await s.store.pins.hash(pin) });
  return done(pin === '' ? `${t.serial}: PIN removed (the OTP alone logs in)` : `${t.serial}: PIN set`);
}, 'set-pin SERIAL [--pin PIN]');

const resync = withToken('resync', {}, 3, async (s, t, _v, [otp1, otp2]) => {
  const now = s.auth.now();
  let found;
  try {
    found = tokenKind(t.type).resync(t, otp1!, otp2!, now);
  } catch (err) {
    if (err instanceof TokenTypeError) throw new CliError(`token resync: ${err.message}`);
    throw err;
  }
  if (!found) throw new CliError(`token resync: ${t.serial}: the two OTPs are not consecutive codes within the sync window (${t.syncWindow} ${t.type === 'totp' ? 'time steps' : 'counters'}); nothing changed`);
  if (!(await s.store.commitSuccess(t.serial, found.counter, now, found.drift))) throw new CliError(`token resync: ${t.serial} was used meanwhile; try again with fresh codes`);
  return done(`${t.serial} resynchronised${t.type === 'totp' ? ` (clock drift ${found.drift ?? 0} s)` : ` (counter ${found.counter + 1})`}`);
}, 'resync SERIAL OTP1 OTP2');

const assign = withToken('assign', { user: { type: 'string', short: 'u' }, realm: { type: 'string' } }, 1, async (s, t, v) => {
  if (v.user === undefined) throw new CliError('token assign: --user is required', EXIT_USAGE);
  const { user, realm } = await findUserOrFail(s, v.user as string, v.realm as string | undefined);
  if (t.owner && !(t.owner.resolver === user.resolver && t.owner.userId === user.id)) {
    throw new CliError(`token assign: ${t.serial} belongs to ${t.owner.login}@${t.owner.realm}; unassign it first`);
  }
  await s.store.updateToken(t.serial, { owner: { realm, resolver: user.resolver, userId: user.id, login: user.login } });
  return done(`${t.serial} assigned to ${user.login} (realm ${realm})`);
}, 'assign SERIAL --user LOGIN[@REALM] [--realm R]');

const unassign = withToken('unassign', {}, 1, async (s, t) => {
  await s.store.updateToken(t.serial, { owner: null, pinHash: null, failCount: 0, locked: false });
  return done(`${t.serial} unassigned${t.owner ? ` from ${t.owner.login}` : ''}; its PIN was removed`);
}, 'unassign SERIAL');

const challenge = withToken('challenge', { json: { type: 'boolean' } }, 1, async (s, t, v) => {
  if (!t.owner) throw new CliError(`token challenge: ${t.serial} has no owner; assign it first`);
  if (!tokenKind(t.type).challenge) throw new CliError(`token challenge: ${t.type} tokens do not take challenges`);
  const now = s.auth.now();
  const why = await s.auth.unusable(t, now);
  if (why) throw new CliError(`token challenge: ${t.serial} cannot be used: ${why}`);
  const subject = { user: { resolver: t.owner.resolver, id: t.owner.userId, login: t.owner.login, groups: [], attributes: {} }, realm: t.owner.realm };
  const d = await openTransaction(s.auth, subject, [t], now);
  if (v.json) {
    process.stdout.write(`${JSON.stringify({ transactionId: d.transactionId, challenge: d.challengeData || null, message: d.replyMessage, expiresIn: d.sessionTimeout })}\n`);
    return 0;
  }
  const lines = [`transaction id: ${d.transactionId}`];
  if (d.challengeData) lines.push(`challenge:      ${d.challengeData}`);
  lines.push(`message:        ${d.replyMessage ?? ''}`, `expires in:     ${d.sessionTimeout} s`, `answer with:    otp-radius check --user ${t.owner.login}@${t.owner.realm} --state ${d.transactionId} --password RESPONSE`);
  return done(lines.join('\n'));
}, 'challenge SERIAL [--json]');

const SUBCOMMANDS: Record<string, Sub> = {
  enroll: enrollCommand, list, show, enable, disable, revoke, delete: remove, 'set-pin': setPin, reset, resync, assign, unassign, challenge,
};

export async function tokenCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE);
    return sub === undefined ? EXIT_USAGE : 0;
  }
  const run = SUBCOMMANDS[sub];
  if (!run) throw new CliError(`token: unknown subcommand "${sub}" (expected: ${Object.keys(SUBCOMMANDS).join(', ')})`, EXIT_USAGE);
  return run(rest);
}

export { ENROLL_USAGE };
