// Where inputs live: the seed corpus and regression cases of each target in
// test/fuzz/corpus/<target>/ (in the repository, replayed by `npm test`),
// and new crashes in test/fuzz/crashes/<target>/ (not tracked; CI prints
// them too). A file's name is free; new ones are named by their hash.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FUZZ_DIR = fileURLToPath(new URL('..', import.meta.url));
export const CORPUS_DIR = join(FUZZ_DIR, 'corpus');
export const CRASH_DIR = join(FUZZ_DIR, 'crashes');

export interface CorpusEntry {
  file: string;
  data: Buffer;
}

/** Every file of a target's corpus, in name order; none when the folder does not exist. */
export function readCorpus(target: string): CorpusEntry[] {
  const dir = join(CORPUS_DIR, target);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.map((n) => ({ file: join(dir, n), data: readFileSync(join(dir, n)) }));
}

export function inputName(prefix: string, data: Buffer): string {
  return `${prefix}-${createHash('sha1').update(data).digest('hex').slice(0, 16)}`;
}

/** Writes `data` under `dir/<prefix>-<hash>` and gives the path. */
export function saveInput(dir: string, prefix: string, data: Buffer): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, inputName(prefix, data));
  writeFileSync(file, data);
  return file;
}
