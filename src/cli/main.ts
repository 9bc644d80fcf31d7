#!/usr/bin/env node
// The `otp-radius` command. Each subcommand lives in its own file; this one
// checks the Node.js version, then only dispatches and turns errors into one
// line and a non-zero exit.

import { nodeVersionProblem } from './node-version.ts';

// Before the first import of the commands, which load native modules: an old
// Node must get this line, not a segfault.
const tooOld = nodeVersionProblem(process.versions.node, process.execPath);
if (tooOld !== undefined) {
  process.stderr.write(`otp-radius: ${tooOld}\n`);
  process.exit(1);
}

const { run } = await import('./commands.ts');
const { reportError } = await import('./errors.ts');

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportError(err);
  },
);
