// Which Node.js versions can run otp-radius. Checked before any native module
// loads: an older Node crashes inside better-sqlite3 without a word.

/** The oldest major version the dependencies (better-sqlite3, argon2) and the code support. */
export const MIN_NODE_MAJOR = 22;
export const RECOMMENDED_NODE = '24 LTS';

/**
 * The one line to print when `version` (as in process.versions.node) cannot
 * run otp-radius, or undefined when it can. `execPath` says which binary that
 * was, since a `#!/usr/bin/env node` script runs whichever node is first on PATH.
 */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `Node.js ${version} (${execPath}) is too old: otp-radius needs Node.js ${MIN_NODE_MAJOR} or newer (${RECOMMENDED_NODE} recommended); ` +
    'see "Installing Node.js 24" in docs/operations.md, and put that node first on PATH'
  );
}
