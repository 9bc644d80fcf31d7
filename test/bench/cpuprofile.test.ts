import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byFile, byFunction, selfTimes } from '../../bench/cpuprofile.ts';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('tokensOfUser', `file://${process.cwd()}/dist/store/sqlite.js`) },
    { id: 3, callFrame: frame('digest', 'node:internal/crypto/hash') },
    { id: 4, callFrame: frame('', `file://${process.cwd()}/node_modules/pino/lib/time.js`) },
  ],
  samples: [2, 2, 3, 4, 2, 99],
  timeDeltas: [1000, 1000, 2000, 1000, 1000, 5000],
};

test('self time by function: sums the samples of each frame, largest first, unknown node ids ignored', () => {
  const rows = selfTimes(profile, byFunction);
  assert.deepEqual(
    rows.map((r) => [r.name, r.ms]),
    [
      ['tokensOfUser dist/store/sqlite.js:10', 3],
      ['digest node:internal/crypto/hash:10', 2],
      ['(anonymous) pino/lib/time.js:10', 1],
    ],
  );
  assert.equal(rows[0]!.share, 0.5);
});

test('self time by file: packages by their own path, project files by their folder and name', () => {
  const names = selfTimes(profile, byFile).map((r) => r.name);
  assert.deepEqual(names, ['dist/store/sqlite.js', 'node:internal/crypto/hash', 'pino/lib']);
});
