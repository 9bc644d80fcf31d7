// The fuzz engine finds what only coverage guidance finds in seconds, saves
// the failing input, and keeps quiet on a target without a failure.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CoverageFeedback } from './engine/coverage.ts';
import { fuzz } from './engine/run.ts';
import type { FuzzTarget } from './engine/target.ts';

const crashDir = mkdtempSync(join(tmpdir(), 'fuzz-engine-'));
after(() => rmSync(crashDir, { recursive: true, force: true }));
// Started before the maze is imported, so that its blocks are counted.
const coverage = new CoverageFeedback((url) => url.endsWith('/engine/maze.ts'));
const maze = (await import('./engine/maze.ts')) as FuzzTarget;
after(() => coverage.stop());

test('coverage guidance solves the maze, and the failing input is saved', async () => {
  const result = await fuzz('maze', maze, [{ file: 'seed', data: Buffer.from('AAAA') }], coverage, { seconds: 20, seed: 42, timeoutMs: 1000, log: () => undefined, crashDir });
  assert.ok(result.crash, `not solved in ${result.runs} runs`);
  assert.match(String(result.crash.error), /the maze is solved/);
  assert.deepEqual([...result.crash.input.subarray(0, 3)], [0x46, 0x55, 0x5a]);
  assert.ok(result.crash.saved?.startsWith(crashDir));
  assert.deepEqual(readFileSync(result.crash.saved!), result.crash.input);
});

test('a target that holds gives no crash, and a corpus file that fails is named', async () => {
  const quiet: FuzzTarget = { fuzz: () => undefined };
  const clean = await fuzz('quiet', quiet, [], coverage, { seconds: 1, seed: 1, timeoutMs: 1000, log: () => undefined, crashDir });
  assert.equal(clean.crash, undefined);
  assert.ok(clean.runs > 0);
  const failing = await fuzz('maze', maze, [{ file: 'regress-fuzz', data: Buffer.from('FUZ') }], coverage, { seconds: 1, seed: 1, timeoutMs: 1000, log: () => undefined, crashDir });
  assert.equal(failing.crash?.corpusFile, 'regress-fuzz');
});
