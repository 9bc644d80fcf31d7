// A config text that must be refused, and what for: the problems
// (file:line: key: message) the config tests compare with their own.

import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/load.ts';

/** The problems of `yaml` read as c.yaml with `env`; fails the test when the config is accepted. */
export function configProblems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, 'c.yaml', env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
  assert.fail('config was accepted');
}
