// The child process of users-file-apart.ts: the text of a users file on
// stdin, its name and the login case rule as arguments; one JSON object on
// stdout, `{"entries": [...]}` or `{"problems": [...]}`. Any other failure
// ends it with a non-zero exit code and the error on stderr.

import { ResolverConfigError } from './types.ts';
import { parseUsersFile } from './users-file.ts';
import type { ChildOutcome } from './users-file-apart.ts';

const [file, caseRule] = process.argv.slice(2);
if (file === undefined || (caseRule !== 'case-sensitive' && caseRule !== 'case-insensitive')) {
  process.stderr.write('usage: users-file-child FILE-NAME case-sensitive|case-insensitive < USERS-FILE\n');
  process.exit(2);
}
const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
let outcome: ChildOutcome;
try {
  outcome = { entries: await parseUsersFile(Buffer.concat(chunks).toString('utf8'), file, { caseInsensitive: caseRule === 'case-insensitive' }) };
} catch (err) {
  if (!(err instanceof ResolverConfigError)) throw err;
  outcome = { problems: err.problems };
}
process.stdout.write(JSON.stringify(outcome));
