// `npm run fuzz`: runs the fuzz targets of test/fuzz/targets/.
//
//   npm run fuzz -- --list
//   npm run fuzz -- TARGET [--seconds N] [--seed N] [--timeout-ms N]
//   npm run fuzz -- TARGET --input FILE      replay one input and show what fails
//   npm run fuzz -- --all --seconds N        every target for N seconds, each in its own process (CI)
//
// Exit status: 0 nothing found, 1 a target failed (the input is saved under
// test/fuzz/crashes/TARGET/ and printed in base64), 2 a usage error.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { readCorpus, type CorpusEntry } from './engine/corpus.ts';
import { CoverageFeedback } from './engine/coverage.ts';
import { fuzz, type Crash } from './engine/run.ts';
import type { FuzzTarget } from './engine/target.ts';
import { findTarget, TARGETS } from './targets.ts';

const ROOT = pathToFileURL(fileURLToPath(new URL('../../', import.meta.url))).href;
const NOT_MEASURED = ['/node_modules/fast-check/', '/node_modules/pure-rand/', '/test/'];

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run fuzz -- --list | TARGET [--seconds N] [--seed N] [--timeout-ms N] [--input FILE] | --all [--seconds N]\n`);
  process.exit(2);
}

function positiveInt(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) usage(`${what}: expected a whole number of at least 1, got "${text}"`);
  return Number(text);
}

async function load(name: string): Promise<FuzzTarget> {
  const info = findTarget(name) ?? usage(`unknown target "${name}"; npm run fuzz -- --list shows them`);
  return (await import(new URL(info.module, import.meta.url).href)) as FuzzTarget;
}

function report(name: string, crash: Crash): void {
  const err = crash.error;
  process.stderr.write(`\n${name}: FAILED\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  if (crash.corpusFile) {
    process.stderr.write(`corpus file ${crash.corpusFile} fails as it is\n`);
    return;
  }
  process.stderr.write(`input (${crash.input.length} bytes) saved to ${crash.saved}\nbase64: ${crash.input.toString('base64')}\n`);
  process.stderr.write(`replay: npm run fuzz -- ${name} --input ${crash.saved}\nonce fixed, keep it: cp ${crash.saved} test/fuzz/corpus/${name}/regress-<what-it-was>\n`);
}

async function replay(name: string, file: string): Promise<number> {
  const target = await load(name);
  try {
    await target.fuzz(readFileSync(file));
  } catch (err) {
    process.stderr.write(`${name}: ${file} fails\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
  process.stdout.write(`${name}: ${file} passes\n`);
  return 0;
}

function runAll(seconds: number, passOn: string[]): number {
  const failed: string[] = [];
  for (const t of TARGETS) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), t.name, '--seconds', String(seconds), ...passOn], { stdio: 'inherit' });
    if (r.status !== 0) failed.push(t.name);
  }
  process.stdout.write(`fuzz: ${TARGETS.length - failed.length} passed, ${failed.length} failed\n`);
  if (failed.length > 0) process.stderr.write(`fuzz: failing targets: ${failed.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      list: { type: 'boolean' },
      all: { type: 'boolean' },
      seconds: { type: 'string' },
      seed: { type: 'string' },
      'timeout-ms': { type: 'string' },
      input: { type: 'string' },
    },
  });
  if (values.list) {
    for (const t of TARGETS) process.stdout.write(`${t.name.padEnd(16)} ${t.about}\n`);
    return 0;
  }
  const seconds = positiveInt(values.seconds, '--seconds', 10);
  const timeoutMs = positiveInt(values['timeout-ms'], '--timeout-ms', 2000);
  if (values.all) return runAll(seconds, values['timeout-ms'] ? ['--timeout-ms', String(timeoutMs)] : []);
  if (positionals.length !== 1) usage('give one target, --list or --all');
  const name = positionals[0]!;
  if (values.input !== undefined) return replay(name, values.input);

  const seed = values.seed === undefined ? Math.floor(Math.random() * 0x7fffffff) : positiveInt(values.seed, '--seed', 1);
  // Coverage first: code imported before it starts gets no block counters.
  const coverage = new CoverageFeedback((url) => url.startsWith(ROOT) && !NOT_MEASURED.some((p) => url.includes(p)));
  const target = await load(name);
  const corpus: CorpusEntry[] = readCorpus(name);
  const started = performance.now();
  const result = await fuzz(name, target, corpus, coverage, { seconds, seed, timeoutMs, log: (l) => process.stdout.write(`${l}\n`) });
  coverage.stop();
  const elapsed = (performance.now() - started) / 1000;
  process.stdout.write(`${name}: ${result.runs} runs in ${elapsed.toFixed(1)} s (${Math.round(result.runs / elapsed)}/s), ${result.features} features, corpus ${result.corpusSize}, seed ${seed}\n`);
  if (result.crash) {
    report(name, result.crash);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
