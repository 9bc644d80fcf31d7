// The programs the tests talk to come from Debian packages (README.md,
// "Development"; .ci/run installs them). A missing one fails its test with
// one line naming the package to install, not with a spawn error.

import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `command` (a name looked up on PATH, or an absolute path) can be run. */
export function hasCommand(command: string): boolean {
  if (isAbsolute(command)) return executable(command);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)));
}

/** Throws `COMMAND not found: install Debian package PACKAGE (.ci/run does)` when `command` cannot be run. */
export function requirePeer(command: string, debianPackage: string): void {
  if (!hasCommand(command)) throw new Error(`${command} not found: install Debian package ${debianPackage} (.ci/run does)`);
}
