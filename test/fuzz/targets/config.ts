// Config loader: a file is a config or a ConfigError whose every problem is
// `file[:line]: key.path: message` with a line inside the file, never another
// exception. Paths in it resolve against the working directory, as the
// server's do; only the variables below are in its environment.

import { ConfigError, parseConfig } from '../../../src/config/load.ts';
import { check, refusedWithSync } from '../engine/target.ts';

export const maxLength = 4096;
export const tokens = [
  'listen:',
  '\n  address: ',
  '127.0.0.1',
  '::1',
  '\n  port: ',
  '0',
  '65536',
  '\nclients:',
  '\n  - name: ',
  '\n    address: ',
  '10.0.0.0/8',
  '\n    secret: ',
  '${env:FUZZ_SECRET}',
  '${env:UNSET}',
  '\n    secretFile: ',
  '\n    requireMessageAuthenticator: ',
  'auto',
  'true',
  '\nstore:',
  '\n  sqlite:',
  '\n    path: ',
  '\n  postgres:',
  '\nresolvers:',
  '\n  local:',
  '\n    type: ',
  'file',
  'ldap',
  'sql',
  '\nrealms:',
  '\n  default:',
  '\n    resolvers: [local]',
  '\n    default: true',
  '\nlog:',
  '\n  level: ',
  '\nhttp:',
  '\neap:',
  '\ntokens:',
  '\nchallenges:',
  '\npolicy:',
  '\nreply:',
  '\ndelivery:',
  '\n    realm: ',
  '&a ',
  '*a',
  '<<: *a',
  '"',
  '- ',
  ': ',
  '{',
  '}',
  '[',
  ']',
  '#',
  '\t',
  '!!binary ',
  '~',
  'null',
  '1e999',
  '-1',
  '0x10',
  '0o7',
];

const ENV = { FUZZ_SECRET: 'a-fuzzing-secret-value' };
const PROBLEM = /^fuzz\.yaml(:(\d+))?: .+: .+/s;

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  const lineCount = text.split('\n').length;
  let problems: string[] | undefined;
  const loaded = refusedWithSync([ConfigError], () => {
    try {
      return parseConfig(text, 'fuzz.yaml', ENV);
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems;
      throw err;
    }
  });
  if (loaded) {
    for (const w of loaded.warnings) check(PROBLEM.test(w), `warning not in the form file:line: key: message: ${JSON.stringify(w)}`);
    check(
      loaded.config.clients.every((c) => c.secret.length > 0),
      'a client with an empty secret',
    );
    return;
  }
  check(problems !== undefined && problems.length > 0, 'a ConfigError without problems');
  for (const p of problems) {
    const m = PROBLEM.exec(p);
    check(m, `problem not in the form file:line: key: message: ${JSON.stringify(p)}`);
    check(m[2] === undefined || (Number(m[2]) >= 1 && Number(m[2]) <= lineCount), `problem names line ${m[2]} of a ${lineCount}-line file`);
  }
}
