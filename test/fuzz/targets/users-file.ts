// Users file parser: a file is users or a ResolverConfigError listing
// `file:line: users[i].key: message` problems, never another exception;
// every user it gives is well-formed and unique, and the same users written
// back as YAML read back the same.
//
// The first byte picks case-(in)sensitive logins; the rest is the YAML.

import { stringify } from 'yaml';
import { ResolverConfigError } from '../../../src/users/types.ts';
import { loginKey, parseUsersFile, type FileUserEntry } from '../../../src/users/users-file.ts';
import { check, refusedWith } from '../engine/target.ts';

export const maxLength = 4096;
export const tokens = [
  'users:',
  '\n  - login: ',
  '\n    id: ',
  '\n    password: ',
  '\n    email: ',
  '\n    phone: ',
  '\n    givenName: ',
  '\n    surname: ',
  '\n    groups: [',
  '\n    attributes: {',
  ']',
  '}',
  '&a ',
  '*a',
  '<<: *a',
  '"',
  "'",
  '- ',
  ': ',
  '? ',
  '|',
  '>',
  '!!str ',
  '!!binary ',
  '{SSHA}',
  '$6$rounds=5000$salt$',
  '$2b$04$',
  '$argon2id$v=19$m=65536,t=3,p=4$',
  '\t',
  '\u0001',
  '---\n',
  '...\n',
  '#',
];

const PROBLEM = /^fuzz\.yaml(:(\d+))?: .+: .+/s;

function asYaml(entries: FileUserEntry[]): string {
  return stringify({
    users: entries.map(({ user, passwordHash }) => ({
      login: user.login,
      id: user.id,
      ...(passwordHash !== undefined ? { password: passwordHash } : {}),
      ...(user.email !== undefined ? { email: user.email } : {}),
      ...(user.phone !== undefined ? { phone: user.phone } : {}),
      ...(user.givenName !== undefined ? { givenName: user.givenName } : {}),
      ...(user.surname !== undefined ? { surname: user.surname } : {}),
      groups: user.groups,
      attributes: user.attributes,
    })),
  });
}

function withoutLines(entries: FileUserEntry[]): string {
  return JSON.stringify(entries.map(({ user, passwordHash }) => ({ user, passwordHash })));
}

export async function fuzz(data: Buffer): Promise<void> {
  const caseInsensitive = ((data[0] ?? 0) & 1) === 1;
  const source = data.subarray(1).toString('utf8');
  const lineCount = source.split('\n').length;
  let problems: string[] | undefined;
  const entries = await refusedWith([ResolverConfigError], async () => {
    try {
      return await parseUsersFile(source, 'fuzz.yaml', { caseInsensitive });
    } catch (err) {
      if (err instanceof ResolverConfigError) problems = err.problems;
      throw err;
    }
  });
  if (!entries) {
    check(problems !== undefined && problems.length > 0, 'a refusal without problems');
    for (const p of problems) {
      const m = PROBLEM.exec(p);
      check(m, `problem not in the form file:line: key: message: ${JSON.stringify(p)}`);
      check(m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= lineCount), `problem names line ${m[2]} of a ${lineCount}-line file`);
    }
    return;
  }
  const logins = new Set<string>();
  const ids = new Set<string>();
  for (const { user } of entries) {
    for (const v of [user.login, user.id, user.email, user.phone, user.givenName, user.surname, ...user.groups]) {
      check(v === undefined || (v !== '' && v.trim() === v && !/\p{Cc}/u.test(v)), `value ${JSON.stringify(v)} is empty, untrimmed or has a control character`);
    }
    const key = loginKey(user.login, caseInsensitive);
    check(!logins.has(key), `login ${user.login} appears twice`);
    check(!ids.has(user.id), `id ${user.id} appears twice`);
    logins.add(key);
    ids.add(user.id);
  }
  const written = asYaml(entries);
  const again = await refusedWith([ResolverConfigError], () => parseUsersFile(written, 'written.yaml', { caseInsensitive }));
  check(again !== undefined, `the users written back do not read back:\n${written}`);
  check(withoutLines(again) === withoutLines(entries), `users changed when written back and read again:\n${written}`);
}
