// A small validator over YAML nodes: each check turns a node into a typed
// value or records an error naming the line and the key path. We keep our own
// instead of a schema library because every message must point at the line
// of the file a network admin has to fix.

import { isMap, isScalar, isSeq, type Node, type LineCounter, type Pair } from 'yaml';

export interface ConfigIssue {
  line: number | undefined;
  path: string;
  message: string;
}

export class Ctx {
  readonly issues: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];
  readonly file: string;
  readonly lines: LineCounter;
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;

  constructor(file: string, lines: LineCounter, env: NodeJS.ProcessEnv, baseDir: string) {
    this.file = file;
    this.lines = lines;
    this.env = env;
    this.baseDir = baseDir;
  }

  lineOf(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  error(node: Node | null | undefined, path: string, message: string): void {
    this.issues.push({ line: this.lineOf(node), path, message });
  }

  warn(node: Node | null | undefined, path: string, message: string): void {
    this.warnings.push({ line: this.lineOf(node), path, message });
  }

  format(issue: ConfigIssue): string {
    const where = issue.line === undefined ? this.file : `${this.file}:${issue.line}`;
    return `${where}: ${issue.path || '(top level)'}: ${issue.message}`;
  }
}

/** Marks a value that failed validation; the caller never sees it because load() throws. */
export const INVALID = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

/** A check gets the node (undefined when the key is absent) and its key path. */
export type Check<T> = (node: Node | undefined, ctx: Ctx, path: string) => Checked<T>;

function describe(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'an empty value';
    return typeof v === 'string' ? `"${v}"` : String(v);
  }
  return 'something else';
}

/** A value of the wrong kind, or none where one is needed. */
function mismatch(ctx: Ctx, node: Node | undefined, path: string, expected: string): typeof INVALID {
  ctx.error(node, path, node ? `expected ${expected}, got ${describe(node)}` : `required, ${expected}`);
  return INVALID;
}

function absent(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null);
}

export function required<T>(check: Check<T>, expected: string): Check<T> {
  return (node, ctx, path) => {
    if (absent(node)) {
      ctx.error(node, path, `required, ${expected}`);
      return INVALID;
    }
    return check(node, ctx, path);
  };
}

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (node, ctx, path) => (absent(node) ? undefined : check(node, ctx, path));
}

export function withDefault<T>(check: Check<T>, value: T): Check<T> {
  return (node, ctx, path) => (absent(node) ? value : check(node, ctx, path));
}

function scalar(node: Node | undefined): unknown {
  return node !== undefined && isScalar(node) ? node.value : undefined;
}

export function str(opts: { nonEmpty?: boolean; pattern?: RegExp; patternText?: string; maxLength?: number } = {}): Check<string> {
  const expected = opts.patternText ?? (opts.nonEmpty ? 'a non-empty string' : 'a string');
  return (node, ctx, path) => {
    const v = scalar(node);
    // Plain YAML scalars like 123 or true are meant as text where a string is expected.
    const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    if (text === undefined || (opts.nonEmpty && text.length === 0) || (opts.pattern && !opts.pattern.test(text))) {
      return mismatch(ctx, node, path, `${expected}`);
    }
    if (opts.maxLength !== undefined && text.length > opts.maxLength) {
      ctx.error(node, path, `expected at most ${opts.maxLength} characters, got ${text.length}`);
      return INVALID;
    }
    return text;
  };
}

/** A string that `problem` accepts (it returns undefined for a good one, else the message). */
export function checked(problem: (v: string) => string | undefined, opts: { nonEmpty?: boolean } = { nonEmpty: true }): Check<string> {
  const base = str(opts);
  return (node, ctx, path) => {
    const v = base(node, ctx, path);
    if (v === INVALID) return INVALID;
    const p = problem(v);
    if (p) {
      ctx.error(node, path, p);
      return INVALID;
    }
    return v;
  };
}

/**
 * For checks across a mapping's keys: `at(key)` is that key's node (the
 * mapping's when the key is absent), `fail(key, message)` reports a problem
 * there, `invalid()` marks one a nested check reported itself, and `ok()`
 * says whether there was none.
 */
export function keyErrors(
  node: Node | undefined,
  ctx: Ctx,
  path: string,
): { at: (key: string) => Node | undefined; fail: (key: string, message: string) => void; invalid: () => void; ok: () => boolean } {
  let failed = false;
  const at = (key: string): Node | undefined => nodeAt(node, [key]) ?? node;
  return {
    at,
    fail(key, message) {
      ctx.error(at(key), `${path}.${key}`, message);
      failed = true;
    },
    invalid() {
      failed = true;
    },
    ok: () => !failed,
  };
}

export function int(opts: { min?: number; max?: number } = {}): Check<number> {
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? ` from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? ` of at least ${opts.min}`
        : opts.max !== undefined
          ? ` of at most ${opts.max}`
          : '';
  return (node, ctx, path) => {
    const v = scalar(node);
    if (typeof v !== 'number' || !Number.isInteger(v) || (opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      return mismatch(ctx, node, path, `a whole number${range}`);
    }
    return v;
  };
}

export function bool(): Check<boolean> {
  return (node, ctx, path) => {
    const v = scalar(node);
    if (typeof v !== 'boolean') {
      return mismatch(ctx, node, path, `true or false`);
    }
    return v;
  };
}

export function oneOf<const T extends string | number | boolean>(values: readonly T[]): Check<T> {
  return (node, ctx, path) => {
    const v = scalar(node);
    if (!values.includes(v as T)) {
      return mismatch(ctx, node, path, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    }
    return v as T;
  };
}

export function list<T>(item: Check<T>, opts: { minItems?: number } = {}): Check<T[]> {
  return (node, ctx, path) => {
    if (node === undefined || !isSeq(node)) {
      return mismatch(ctx, node, path, `a list`);
    }
    if (opts.minItems !== undefined && node.items.length < opts.minItems) {
      ctx.error(node, path, `expected at least ${opts.minItems} item${opts.minItems === 1 ? '' : 's'}`);
      return INVALID;
    }
    const out: T[] = [];
    let ok = true;
    node.items.forEach((child, i) => {
      const v = item(child as Node, ctx, `${path}[${i}]`);
      if (v === INVALID) ok = false;
      else out.push(v);
    });
    return ok ? out : INVALID;
  };
}

/** A string, or a list of strings: admins write `resolvers: local` as often as `[local]`. */
export function stringOrList(opts: { nonEmpty?: boolean } = {}): Check<string[]> {
  const one = str({ nonEmpty: true });
  const many = list(one, { minItems: opts.nonEmpty ? 1 : 0 });
  return (node, ctx, path) => {
    if (node !== undefined && isSeq(node)) return many(node, ctx, path);
    const v = one(node, ctx, path);
    return v === INVALID ? INVALID : [v];
  };
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: Exclude<ReturnType<S[K]>, typeof INVALID> };

/** A mapping with known keys; unknown keys are an error (a typo must not be silently ignored). */
export function object<S extends Shape>(shape: S, opts: { refine?: (value: Out<S>, node: Node, ctx: Ctx, path: string) => void } = {}): Check<Out<S>> {
  return (node, ctx, path) => {
    if (node === undefined || !isMap(node)) {
      return mismatch(ctx, node, path, `a mapping`);
    }
    const byKey = new Map<string, Pair>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = path ? `${path}.${key}` : key;
      if (!(key in shape)) {
        const known = Object.keys(shape).join(', ');
        ctx.error(pair.key as Node, keyPath, `unknown key (expected one of: ${known})`);
        continue;
      }
      if (byKey.has(key)) {
        ctx.error(pair.key as Node, keyPath, 'given twice');
        continue;
      }
      byKey.set(key, pair);
    }
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [key, check] of Object.entries(shape)) {
      const pair = byKey.get(key);
      const child = (pair?.value ?? undefined) as Node | undefined;
      // An absent value keeps the key's own node for the line number of `key:` with nothing after it.
      const before = ctx.issues.length;
      const v = check(child ?? (pair ? (pair.key as Node) : undefined), ctx, path ? `${path}.${key}` : key);
      // A key that is absent has no line of its own: point at the mapping it belongs in.
      for (const issue of ctx.issues.slice(before)) if (issue.line === undefined) issue.line = ctx.lineOf(node);
      if (v === INVALID) ok = false;
      else if (v !== undefined) out[key] = v;
    }
    if (!ok) return INVALID;
    const value = out as Out<S>;
    opts.refine?.(value, node, ctx, path);
    return value;
  };
}

/** A mapping of user-chosen names to values of one shape (realms, resolvers). */
export function record<T>(item: Check<T>, opts: { namePattern?: RegExp } = {}): Check<Record<string, T>> {
  return (node, ctx, path) => {
    if (node === undefined || !isMap(node)) {
      return mismatch(ctx, node, path, `a mapping of names`);
    }
    const out: Record<string, T> = {};
    let ok = true;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = path ? `${path}.${key}` : key;
      if (opts.namePattern && !opts.namePattern.test(key)) {
        ctx.error(pair.key as Node, keyPath, `name must match ${opts.namePattern}`);
        ok = false;
        continue;
      }
      if (key in out) {
        ctx.error(pair.key as Node, keyPath, 'given twice');
        ok = false;
        continue;
      }
      const v = item((pair.value ?? pair.key) as Node, ctx, keyPath);
      if (v === INVALID) ok = false;
      else out[key] = v;
    }
    return ok ? out : INVALID;
  };
}

/** Find a child node by key path for errors raised after the shape check. */
export function nodeAt(root: Node | undefined, keys: (string | number)[]): Node | undefined {
  let node: Node | undefined = root;
  for (const key of keys) {
    if (node === undefined) return undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      node = (pair?.value ?? pair?.key ?? undefined) as Node | undefined;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined;
    } else {
      return undefined;
    }
  }
  return node;
}
