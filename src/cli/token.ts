// `otp-radius token ...`: token management for admins, over the admin
// operations (auth/admin.ts). Each subcommand opens the store the server
// uses; the server sees the change on its next request.

import {
  assignToken,
  deleteToken,
  disableToken,
  enableToken,
  listTokens,
  openChallenge,
  resetToken,
  resyncToken,
  revokeToken,
  setPin,
  showToken,
  testSend,
  tokenView,
  unassignToken,
  verifyToken,
} from '../auth/admin.ts';
import type { Actor } from '../model/actor.ts';
import type { Services } from '../server/services.ts';
import { DEFAULT_CONFIG, parse, runSubcommand, type Subcommand as Sub } from './args.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { secretOption } from './secret-option.ts';
import { readSecret } from './terminal.ts';
import { ENROLL_USAGE, enrollCommand } from './token-enroll.ts';
import { tokenDetails, tokenTable } from './token-view.ts';

const USAGE = `usage: otp-radius token COMMAND [options] [--config FILE]
  enroll --type hotp|totp|ocra|email|sms|spass --user LOGIN ...   a new token (see token enroll --help)
  list [--user LOGIN[@REALM]] [--realm R] [--unassigned] [--json]
  show SERIAL [--json]
  enable SERIAL | disable SERIAL
  revoke SERIAL          disable for good (a revoked token cannot be enabled again)
  delete SERIAL
  set-pin SERIAL [--pin -|--pin-file FILE]   prompted for without --pin (empty = no PIN)
  reset SERIAL           clear the fail counter and unlock
  verify SERIAL OTP      a pending token becomes usable with one current OTP
  resync SERIAL OTP1 OTP2      two consecutive OTPs put the counter (TOTP: clock drift) right
  assign SERIAL --user LOGIN[@REALM] [--realm R]
  unassign SERIAL        remove the owner (and the PIN, which was theirs)
  challenge SERIAL       open a challenge for the token's owner (e-mail/SMS tokens: the code is sent); answer with: otp-radius check --user U --state TXID --password RESPONSE
  test-send SERIAL [--json]   send a test message (TEST where the code goes) to an e-mail or SMS token's destination
`;

type Values = Record<string, string | boolean | undefined>;

function withSerial(
  name: string,
  extra: Parameters<typeof parse>[2],
  positionals: number,
  body: (s: Services, actor: Actor, serial: string, values: Values, rest: string[]) => Promise<number>,
  usage: string,
): Sub {
  return async (args) => {
    const { values, positionals: pos } = parse(`token ${name}`, args, { config: { type: 'string', short: 'c' }, ...extra }, positionals);
    if (values.help) {
      process.stdout.write(`usage: otp-radius token ${usage}\n`);
      return 0;
    }
    const serial = pos[0];
    if (!serial) throw new CliError(`token ${name}: SERIAL is required (usage: otp-radius token ${usage})`, EXIT_USAGE);
    if (pos.length < positionals) throw new CliError(`token ${name}: expected ${usage}`, EXIT_USAGE);
    return withContext((values.config as string | undefined) ?? DEFAULT_CONFIG, (s, actor) => body(s, actor, serial, values as Values, pos.slice(1)), `token ${name}`);
  };
}

function done(message: string): number {
  process.stdout.write(`${message}\n`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values } = parse('token list', args, {
    config: { type: 'string', short: 'c' },
    user: { type: 'string', short: 'u' },
    realm: { type: 'string' },
    unassigned: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) return done('usage: otp-radius token list [--user LOGIN[@REALM]] [--realm R] [--unassigned] [--json]');
  return withContext(
    values.config ?? DEFAULT_CONFIG,
    async (s, actor) => {
      const tokens = await listTokens(s.admin, actor, {
        ...(values.user !== undefined ? { user: values.user } : {}),
        ...(values.realm !== undefined ? { realm: values.realm } : {}),
        ...(values.unassigned ? { unassigned: true } : {}),
      });
      process.stdout.write(values.json ? `${JSON.stringify(tokens.map(tokenView))}\n` : tokens.length === 0 ? 'no tokens\n' : tokenTable(tokens));
      return 0;
    },
    'token list',
  );
}

const show = withSerial(
  'show',
  { json: { type: 'boolean' } },
  1,
  async (s, actor, serial, v) => {
    const t = await showToken(s.admin, actor, serial);
    process.stdout.write(v.json ? `${JSON.stringify(tokenView(t))}\n` : tokenDetails(t));
    return 0;
  },
  'show SERIAL [--json]',
);

const enable = withSerial(
  'enable',
  {},
  1,
  async (s, actor, serial) => {
    await enableToken(s.admin, actor, serial);
    return done(`${serial} enabled`);
  },
  'enable SERIAL',
);

const disable = withSerial(
  'disable',
  {},
  1,
  async (s, actor, serial) => {
    await disableToken(s.admin, actor, serial);
    return done(`${serial} disabled`);
  },
  'disable SERIAL',
);

const revoke = withSerial(
  'revoke',
  {},
  1,
  async (s, actor, serial) => {
    await revokeToken(s.admin, actor, serial);
    return done(`${serial} revoked`);
  },
  'revoke SERIAL',
);

const remove = withSerial(
  'delete',
  {},
  1,
  async (s, actor, serial) => {
    await deleteToken(s.admin, actor, serial);
    return done(`${serial} deleted`);
  },
  'delete SERIAL',
);

const reset = withSerial(
  'reset',
  {},
  1,
  async (s, actor, serial) => {
    const was = await resetToken(s.admin, actor, serial);
    return done(`${serial}: fail counter reset (was ${was.failCount}/${was.maxFail}${was.locked ? ', locked' : ''})`);
  },
  'reset SERIAL',
);

const setPinCommand = withSerial(
  'set-pin',
  { pin: { type: 'string' }, 'pin-file': { type: 'string' } },
  1,
  async (s, actor, serial, v) => {
    const given = v.pin !== undefined || v['pin-file'] !== undefined;
    const pin = (await secretOption('token set-pin', 'pin', { value: v.pin as string | undefined, file: v['pin-file'] as string | undefined }, `new PIN for ${serial}: `))!;
    if (!given && process.stdin.isTTY && (await readSecret('again: ')) !== pin) throw new CliError('token set-pin: the two PINs differ; nothing changed');
    await setPin(s.admin, actor, serial, pin);
    return done(pin === '' ? `${serial}: PIN removed (the OTP alone logs in)` : `${serial}: PIN set`);
  },
  'set-pin SERIAL [--pin -|--pin-file FILE]',
);

const resync = withSerial(
  'resync',
  {},
  3,
  async (s, actor, serial, _v, [otp1, otp2]) => {
    const t = await showToken(s.admin, actor, serial);
    const found = await resyncToken(s.admin, actor, serial, otp1!, otp2!);
    return done(`${serial} resynchronised${t.type === 'totp' ? ` (clock drift ${found.drift} s)` : ` (counter ${found.counter})`}`);
  },
  'resync SERIAL OTP1 OTP2',
);

const verify = withSerial(
  'verify',
  {},
  2,
  async (s, actor, serial, _v, [otp]) => {
    await verifyToken(s.admin, actor, serial, otp!);
    return done(`${serial} verified: it is active now`);
  },
  'verify SERIAL OTP',
);

const assign = withSerial(
  'assign',
  { user: { type: 'string', short: 'u' }, realm: { type: 'string' } },
  1,
  async (s, actor, serial, v) => {
    if (v.user === undefined) throw new CliError('token assign: --user is required', EXIT_USAGE);
    const owner = await assignToken(s.admin, actor, serial, v.user as string, v.realm as string | undefined);
    return done(`${serial} assigned to ${owner.login} (realm ${owner.realm})`);
  },
  'assign SERIAL --user LOGIN[@REALM] [--realm R]',
);

const unassign = withSerial(
  'unassign',
  {},
  1,
  async (s, actor, serial) => {
    const was = await unassignToken(s.admin, actor, serial);
    return done(`${serial} unassigned${was.owner ? ` from ${was.owner.login}` : ''}; its PIN was removed`);
  },
  'unassign SERIAL',
);

const challenge = withSerial(
  'challenge',
  { json: { type: 'boolean' } },
  1,
  async (s, actor, serial, v) => {
    const d = await openChallenge(s.admin, actor, serial);
    const { transactionId, data, timeout } = d.challenge;
    if (v.json) {
      process.stdout.write(`${JSON.stringify({ transactionId, challenge: data || null, message: d.replyMessage, expiresIn: timeout })}\n`);
      return 0;
    }
    const lines = [`transaction id: ${transactionId}`];
    if (data) lines.push(`challenge:      ${data}`);
    lines.push(`message:        ${d.replyMessage ?? ''}`, `expires in:     ${timeout} s`, `answer with:    otp-radius check --user ${d.user}@${d.realm} --state ${transactionId} --password RESPONSE`);
    return done(lines.join('\n'));
  },
  'challenge SERIAL [--json]',
);

const testSendCommand = withSerial(
  'test-send',
  { json: { type: 'boolean' } },
  1,
  async (s, actor, serial, v) => {
    const sent = await testSend(s.admin, actor, serial);
    if (v.json) {
      process.stdout.write(`${JSON.stringify({ serial, channel: sent.channel, to: sent.to, ...(sent.id !== undefined ? { id: sent.id } : {}) })}\n`);
      return 0;
    }
    return done(`${serial}: test ${sent.channel === 'email' ? 'e-mail' : 'SMS'} sent to ${sent.to}${sent.id !== undefined ? ` (id ${sent.id})` : ''}`);
  },
  'test-send SERIAL [--json]',
);

const SUBCOMMANDS: Record<string, Sub> = {
  enroll: enrollCommand,
  list,
  show,
  enable,
  disable,
  revoke,
  delete: remove,
  'set-pin': setPinCommand,
  reset,
  resync,
  verify,
  assign,
  unassign,
  challenge,
  'test-send': testSendCommand,
};

export function tokenCommand(args: string[]): Promise<number> {
  return runSubcommand('token', USAGE, SUBCOMMANDS, args);
}

export { ENROLL_USAGE };
