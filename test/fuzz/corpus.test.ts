// Every fuzz target's corpus, seeds and regression cases, as part of
// `npm test`: each input must pass its target's checks. A crash once found by
// fuzzing stays fixed this way (docs/fuzzing.md).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { basename } from 'node:path';
import { readCorpus } from './engine/corpus.ts';
import type { FuzzTarget } from './engine/target.ts';
import { TARGETS } from './targets.ts';

describe('fuzz corpora replayed', () => {
  for (const info of TARGETS) {
    test(`${info.name}: every seed and regression case passes`, async () => {
      const target = (await import(new URL(info.module, import.meta.url).href)) as FuzzTarget;
      const corpus = readCorpus(info.name);
      assert.ok(corpus.length > 0, `test/fuzz/corpus/${info.name}/ is empty`);
      for (const { file, data } of corpus) {
        await assert.doesNotReject(async () => target.fuzz(data), `${info.name}/${basename(file)}`);
      }
    });
  }
});
