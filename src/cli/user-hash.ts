// `otp-radius user hash`: the password hash for a users file (the `password:`
// key of config/users.yaml), so that no password is ever written there in clear.

import { hashPasswordForFile } from '../users/password-hash.ts';
import { SHA_CRYPT_MAX_ROUNDS, SHA_CRYPT_MIN_ROUNDS } from '../users/sha-crypt.ts';
import { parse } from './args.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { secretOption } from './secret-option.ts';
import { readSecret } from './terminal.ts';

export const HASH_USAGE = `usage: otp-radius user hash [--password - | --password-file FILE] [--rounds N]
  Prints a SHA-512-crypt hash ($6$) of a password, for the password: key of a users file.
  Without --password it is prompted for twice without echo (one line of stdin when stdin is not
  a terminal). --rounds N: ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS} (default 5000). Reads no configuration.
`;

export async function userHash(args: string[]): Promise<number> {
  const { values } = parse('user hash', args, { password: { type: 'string' }, 'password-file': { type: 'string' }, rounds: { type: 'string' } });
  if (values.help) {
    process.stdout.write(HASH_USAGE);
    return 0;
  }
  let rounds: number | undefined;
  if (values.rounds !== undefined) {
    rounds = /^\d+$/.test(values.rounds) ? Number(values.rounds) : NaN;
    if (!(rounds >= SHA_CRYPT_MIN_ROUNDS && rounds <= SHA_CRYPT_MAX_ROUNDS)) {
      throw new CliError(`user hash: --rounds: expected a number from ${SHA_CRYPT_MIN_ROUNDS} to ${SHA_CRYPT_MAX_ROUNDS}, got "${values.rounds}"`, EXIT_USAGE);
    }
  }
  const given = values.password !== undefined || values['password-file'] !== undefined;
  const password = (await secretOption('user hash', 'password', { value: values.password, file: values['password-file'] }, 'password: '))!;
  if (password === '') throw new CliError('user hash: the password is empty');
  if (!given && process.stdin.isTTY && (await readSecret('again: ')) !== password) throw new CliError('user hash: the two passwords differ');
  process.stdout.write(`${await hashPasswordForFile(password, rounds === undefined ? {} : { rounds })}\n`);
  return 0;
}
