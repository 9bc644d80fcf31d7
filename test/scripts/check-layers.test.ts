// The layer check CI runs: an import that reaches up, or a folder outside the
// design, is named with its file and line; the project's own tree passes.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { check } from '../../scripts/check-layers.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'otp-radius-layers-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const src = join(root, 'src');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true });
    writeFileSync(join(src, path), text);
  }
  return src;
}

test('an import from a layer further up is named with its file and line; downward and same-layer imports pass', () => {
  const src = tree({
    'model/token.ts': 'export type Token = { serial: string };\n',
    'auth/service.ts': "import type { Token } from '../model/token.ts';\nimport { x } from './other.ts';\n",
    'auth/other.ts': 'export const x = 1;\n',
    'store/rows.ts': "// a store that reaches up\nimport type { AuthContext } from '../auth/context.ts';\nexport { y } from '../server/start.ts';\n",
  });
  const found = check(src).map((v) => `${v.file}:${v.line}: ${v.imports}`);
  assert.deepEqual(found, ['src/store/rows.ts:2: ../auth/context.ts', 'src/store/rows.ts:3: ../server/start.ts']);
});

test('a folder that is no layer of the design is reported', () => {
  const src = tree({ 'utils/misc.ts': 'export const z = 1;\n' });
  assert.match(check(src)[0]!.why, /src\/utils is not a layer of the design/);
});

test('the project passes', () => {
  assert.deepEqual(check(), []);
});
