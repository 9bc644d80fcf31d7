// `otp-radius token enroll`: a new token for a user, its seed, and the QR
// code an authenticator app scans; for e-mail and SMS tokens where the
// codes go, and for static password tokens nothing but the PIN.

import { chmod, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import QRCode from 'qrcode';
import { base32Encode } from '../otp/base32.ts';
import { OtpInputError } from '../otp/errors.ts';
import { parseSeed } from '../otp/seed.ts';
import { HASH_ALGORITHMS, TOKEN_TYPES, type HashAlgorithm, type Token, type TokenType } from '../model/token.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { loadCliConfig, withContext } from './context.ts';
import { buildToken, hasProvisioningUri, TokenTypeError } from '../tokens/index.ts';
import { secretOption } from './secret-option.ts';
import { enrollToken, type Enrolled, type EnrollRequest } from '../auth/admin.ts';
import { CliError, EXIT_USAGE } from './errors.ts';

export const ENROLL_USAGE = `usage: otp-radius token enroll --type hotp|totp|ocra|email|sms|spass [--user LOGIN[@REALM]] [--realm R] [options]
  --pin - | --pin-file FILE   the token PIN typed before the OTP, read from stdin or a file
                       (default: none, the OTP alone; --pin PIN works but shows it in ps);
                       for spass the whole password (required)
  --email ADDRESS      email: where codes go (default: the user's address in the directory)
  --phone NUMBER       sms: where codes go (default: the user's mobile, else phone, in the directory)
  --digits 6|7|8       otp length (default from tokens.<type>.otpLength, 6)
  --algorithm ALG      sha1 | sha256 | sha512 (default sha1)
  --period SECONDS     TOTP time step (default 30)
  --ocrasuite SUITE    OCRA suite (default OCRA-1:HOTP-SHA256-8:C-QN08)
  --ocra-pin - | --ocra-pin-file FILE   the PIN inside the OCRA computation, for suites with -P
  --seed BASE32 | --seed-hex HEX   the token's existing seed (hardware tokens); random otherwise
  --serial S           default: type and 8 random hex digits, e.g. TOTP3F9A0C21
  --description TEXT
  --qr FILE.png|FILE.svg   also write the QR code to a file
  --no-qr              do not draw the QR code in the terminal
  --pending            unusable until verified with one OTP (otp-radius token verify SERIAL OTP)
  --json               print serial, URI and seed as JSON
`;

const TYPES: readonly TokenType[] = TOKEN_TYPES;
const ALGORITHMS: readonly HashAlgorithm[] = HASH_ALGORITHMS;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliError(`token enroll: --${name}: expected a whole number, got "${text}"`, EXIT_USAGE);
  return Number(text);
}

export async function enrollCommand(args: string[]): Promise<number> {
  const { values } = parse('token enroll', args, {
    config: { type: 'string', short: 'c' },
    user: { type: 'string', short: 'u' },
    realm: { type: 'string' },
    type: { type: 'string', short: 't' },
    pin: { type: 'string' },
    'pin-file': { type: 'string' },
    digits: { type: 'string' },
    algorithm: { type: 'string' },
    period: { type: 'string' },
    ocrasuite: { type: 'string' },
    'ocra-pin': { type: 'string' },
    'ocra-pin-file': { type: 'string' },
    seed: { type: 'string' },
    'seed-hex': { type: 'string' },
    serial: { type: 'string' },
    description: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    qr: { type: 'string' },
    'no-qr': { type: 'boolean' },
    pending: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(ENROLL_USAGE);
    return 0;
  }
  const type = values.type as TokenType | undefined;
  if (!type || !TYPES.includes(type)) throw new CliError(`token enroll: --type must be one of ${TYPES.join(', ')}${type ? `, got "${type}"` : ''}`, EXIT_USAGE);
  const app = hasProvisioningUri(type);
  if (!app && (values.qr !== undefined || values['no-qr'])) throw new CliError(`token enroll: --qr and --no-qr apply to tokens an app holds, not to ${type} tokens`, EXIT_USAGE);
  const algorithm = values.algorithm?.toLowerCase() as HashAlgorithm | undefined;
  if (algorithm !== undefined && !ALGORITHMS.includes(algorithm)) throw new CliError(`token enroll: --algorithm must be sha1, sha256 or sha512, got "${values.algorithm}"`, EXIT_USAGE);
  if (values.seed !== undefined && values['seed-hex'] !== undefined) throw new CliError('token enroll: give --seed or --seed-hex, not both', EXIT_USAGE);
  if (values.qr !== undefined && !['.png', '.svg'].includes(extname(values.qr).toLowerCase())) throw new CliError(`token enroll: --qr must name a .png or .svg file, got "${values.qr}"`, EXIT_USAGE);
  let seed: Buffer | undefined;
  try {
    if (values.seed !== undefined) seed = parseSeed(values.seed, 'base32');
    if (values['seed-hex'] !== undefined) seed = parseSeed(values['seed-hex'], 'hex');
  } catch (err) {
    if (err instanceof OtpInputError) throw new CliError(`token enroll: ${err.message}`, EXIT_USAGE);
    throw err;
  }

  const pin = await secretOption('token enroll', 'pin', { value: values.pin, file: values['pin-file'] });
  const ocraPin = await secretOption('token enroll', 'ocra-pin', { value: values['ocra-pin'], file: values['ocra-pin-file'] });
  const digits = integer('digits', values.digits);
  const period = integer('period', values.period);
  const request: EnrollRequest = {
    type,
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(values.realm !== undefined ? { realm: values.realm } : {}),
    ...(seed ? { seed } : {}),
    ...(digits !== undefined ? { digits } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(algorithm ? { algorithm } : {}),
    ...(values.ocrasuite !== undefined ? { ocrasuite: values.ocrasuite } : {}),
    ...(ocraPin !== undefined ? { ocraPin } : {}),
    ...(values.serial !== undefined ? { serial: values.serial } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.email !== undefined ? { email: values.email } : {}),
    ...(values.phone !== undefined ? { phone: values.phone } : {}),
    ...(pin ? { pin } : {}),
    ...(values.pending ? { pending: true } : {}),
  };

  // Every option is checked before the store is opened: a usage error leaves nothing behind.
  const config = loadCliConfig(values.config ?? DEFAULT_CONFIG);
  try {
    const { user: _user, realm: _realm, pin: _pin, ...options } = request;
    buildToken(options, config.tokenDefaults);
  } catch (err) {
    if (err instanceof TokenTypeError || err instanceof OtpInputError) throw new CliError(`token enroll: ${err.message}`, EXIT_USAGE);
    throw err;
  }

  return withContext(
    config,
    async (s, actor) => {
      const { token, uri, owner } = await enrollToken(s.admin, actor, request);
      if (!app) {
        printServerToken(token, owner, values.json === true);
      } else {
        // The QR code holds the seed: readable by its owner only, like an export.
        if (values.qr !== undefined) await writeQrFile(values.qr, uri);
        if (values.json) {
          process.stdout.write(
            `${JSON.stringify({ serial: token.serial, type: token.type, user: owner?.user.login ?? null, realm: owner?.realm ?? null, seed: base32Encode(token.seed, false), seedHex: token.seed.toString('hex'), uri, pending: token.pending, ...(token.info.ocrasuite ? { ocrasuite: token.info.ocrasuite } : {}) })}\n`,
          );
        } else {
          const out = [
            `serial:   ${token.serial}`,
            `type:     ${token.type}${token.type === 'ocra' ? ` (${token.info.ocrasuite})` : `, ${token.otpLength} digits, ${token.algorithm}${token.type === 'totp' ? `, ${token.timeStep} s` : ''}`}`,
            ...(token.pending ? [`state:    pending: verify with otp-radius token verify ${token.serial} OTP`] : []),
            `user:     ${ownerText(owner)}`,
            `seed:     ${base32Encode(token.seed, false)} (hex ${token.seed.toString('hex')})`,
            `uri:      ${uri}`,
          ];
          process.stdout.write(`${out.join('\n')}\n`);
          if (!values['no-qr']) process.stdout.write(`\n${await QRCode.toString(uri, { type: 'terminal', small: true, errorCorrectionLevel: 'L' })}\n`);
          if (values.qr !== undefined) process.stdout.write(`QR code written to ${values.qr}\n`);
        }
      }
      if (!pin && s.config.policy.otppin === 'token' && token.type !== 'spass') {
        const alone = app ? 'the OTP alone logs in' : 'an empty password sends a code, and the code alone logs in';
        process.stderr.write(`warning: token ${token.serial} has no PIN: ${alone} (set one with: otp-radius token set-pin ${token.serial})\n`);
      }
      if (token.type === 'spass') {
        process.stderr.write(`warning: ${token.serial} is a static password: one factor only; keep it for break-glass and service accounts, with a long random PIN\n`);
      }
      if (!app && token.type !== 'spass' && !s.config.delivery?.[token.type === 'email' ? 'email' : 'sms']) {
        process.stderr.write(`warning: delivery.${token.type} is not configured: ${token.serial} gets no codes until it is\n`);
      }
      return 0;
    },
    'token enroll',
  );
}

function ownerText(owner: Enrolled['owner']): string {
  return owner ? `${owner.user.login} (realm ${owner.realm})` : 'none (assign with: otp-radius token assign SERIAL --user LOGIN)';
}

/** E-mail, SMS and static password tokens: their seed stays here, so only where the codes go is shown. */
function printServerToken(token: Token, owner: Enrolled['owner'], json: boolean): void {
  const to = token.type === 'email' ? token.info.email : token.type === 'sms' ? token.info.phone : undefined;
  const where = token.type === 'spass' ? undefined : (to ?? "the user's, from the directory at each login");
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ serial: token.serial, type: token.type, user: owner?.user.login ?? null, realm: owner?.realm ?? null, ...(token.type === 'spass' ? {} : { otpLength: token.otpLength, to: to ?? null }) })}\n`,
    );
    return;
  }
  const out = [
    `serial:   ${token.serial}`,
    `type:     ${token.type}${token.type === 'spass' ? ' (static password: the PIN alone logs in)' : `, ${token.otpLength} digits sent by ${token.type === 'email' ? 'e-mail' : 'SMS'}`}`,
    `user:     ${ownerText(owner)}`,
    ...(where !== undefined ? [`codes to: ${where}`] : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

async function writeQrFile(file: string, uri: string): Promise<void> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const content = file.toLowerCase().endsWith('.svg') ? await QRCode.toString(uri, { ...options, type: 'svg' }) : await QRCode.toBuffer(uri, { ...options, type: 'png' });
  await writeFile(file, content, { mode: 0o600 });
  await chmod(file, 0o600);
}
