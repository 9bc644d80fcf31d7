// What a fuzz target module exports: Jazzer.js's contract (`fuzz(data)`,
// throwing on a finding) plus an optional dictionary, so the same files run
// under `npx jazzer` where its native part loads (docs/fuzzing.md).

export interface FuzzTarget {
  /** Runs one input; throws or rejects when something that must hold does not. */
  fuzz(data: Buffer): void | Promise<void>;
  /** Byte strings worth inserting (libFuzzer's -dict): keywords, tags, attribute names. */
  tokens?: readonly string[];
  /** Inputs are cut to this many bytes, so that one run stays short. */
  maxLength?: number;
}

/** A finding: what a target saw that must not happen. */
export class FuzzFinding extends Error {
  override name = 'FuzzFinding';
}

/** Throws a FuzzFinding with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzFinding(message);
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs `body`; an error of one of `allowed` (the module's own documented
 * error types) is a clean refusal and gives undefined, anything else is a
 * finding and propagates.
 */
export async function refusedWith<T>(allowed: readonly ErrorClass[], body: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await body();
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return undefined;
    throw err;
  }
}

export function refusedWithSync<T>(allowed: readonly ErrorClass[], body: () => T): T | undefined {
  try {
    return body();
  } catch (err) {
    if (allowed.some((c) => err instanceof c)) return undefined;
    throw err;
  }
}
