// `otp-radius export`: every token of the store as a seed file another
// system imports. PSKC is encrypted unless --plain is given; without a key
// or password a random pre-shared key is made and printed on stderr. OATH
// CSV has no encryption, so it needs --plain.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { oathCsvHeader, oathCsvLine } from '../import/oath-csv.ts';
import { writePskc, type PskcProtection } from '../import/pskc-write.ts';
import type { Token } from '../model/token.ts';
import { DEFAULT_CONFIG, parse } from './args.ts';
import { withContext } from './context.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { pskcSecrets } from './import.ts';

const USAGE = `usage: otp-radius export pskc [--psk HEX | --psk-file F | --password P | --password-file F | --plain] [--out FILE] [--config FILE]
       otp-radius export oath-csv --plain [--users] [--out FILE] [--config FILE]

  pskc       RFC 6030 key container. Seeds are encrypted with AES-CBC under the pre-shared key
             (32/48/64 hex digits) or a key derived from the password (PBKDF2), each with an
             HMAC-SHA1 MAC. With none of them a random key is made and printed on stderr.
  oath-csv   serial, key, type, otp length|suite, time step|counter, hash: seeds in clear, so
             --plain is required. --users adds the owner (version 2 layout: user, resolver, realm).
  --plain    write seeds unencrypted.
  --out      write to FILE (created with mode 0600; an existing file is not overwritten)
             instead of stdout.
PIN hashes, fail counters and the OCRA PIN (suites with P) are not exported.
`;

async function allTokens(store: { exportTokens(batchSize?: number): AsyncIterable<Token[]> }): Promise<Token[]> {
  const all: Token[] = [];
  for await (const batch of store.exportTokens(1000)) all.push(...batch);
  return all;
}

function output(out: string | undefined, text: string): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`export: --out ${out}: ${code === 'EEXIST' ? 'already exists (not overwritten)' : (err as Error).message}`);
  }
}

function warnOcraPins(tokens: readonly Token[]): void {
  for (const t of tokens) {
    if (t.info.ocraPinHash) process.stderr.write(`warning: ${t.serial}: its OCRA suite takes a PIN, which is not exported; set it again after importing\n`);
  }
}

export async function exportCommand(args: string[]): Promise<number> {
  const [format, ...rest] = args;
  if (format === undefined || format === '--help' || format === '-h') {
    process.stdout.write(USAGE);
    return format === undefined ? EXIT_USAGE : 0;
  }
  if (format !== 'pskc' && format !== 'oath-csv') throw new CliError(`export: unknown format "${format}" (expected: pskc, oath-csv)`, EXIT_USAGE);
  const command = `export ${format}`;
  const { values } = parse(command, rest, {
    config: { type: 'string', short: 'c' },
    out: { type: 'string', short: 'o' },
    plain: { type: 'boolean' },
    ...(format === 'pskc'
      ? ({ psk: { type: 'string' }, 'psk-file': { type: 'string' }, password: { type: 'string' }, 'password-file': { type: 'string' } } as const)
      : ({ users: { type: 'boolean' } } as const)),
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let protection: PskcProtection | undefined;
  let madeKey: Buffer | undefined;
  if (format === 'oath-csv') {
    if (!values.plain) throw new CliError('export oath-csv: the file holds the seeds in clear; give --plain to confirm, or export pskc (encrypted)', EXIT_USAGE);
  } else {
    const secrets = pskcSecrets(command, values as Parameters<typeof pskcSecrets>[1]);
    if (values.plain && (secrets.psk || secrets.password !== undefined)) throw new CliError('export pskc: --plain goes without --psk or --password', EXIT_USAGE);
    if (secrets.psk) protection = { psk: secrets.psk };
    else if (secrets.password !== undefined) protection = { password: secrets.password };
    else if (values.plain) protection = { plain: true };
    else {
      madeKey = randomBytes(16);
      protection = { psk: madeKey };
    }
  }
  return withContext(values.config ?? DEFAULT_CONFIG, async (s) => {
    const tokens = await allTokens(s.store);
    warnOcraPins(tokens);
    const users = (values as { users?: boolean }).users === true;
    const text = format === 'oath-csv' ? oathCsvHeader(users) + tokens.map((t) => `${oathCsvLine(t, users)}\n`).join('') : writePskc(tokens, protection!);
    output(values.out, text);
    const where = values.out ?? 'stdout';
    const how = format === 'oath-csv' || 'plain' in protection! ? 'seeds in clear' : madeKey ? `encrypted with the pre-shared key ${madeKey.toString('hex')} (import with --psk)` : 'encrypted';
    process.stderr.write(`exported ${tokens.length} token${tokens.length === 1 ? '' : 's'} to ${where}, ${how}\n`);
    return 0;
  });
}
