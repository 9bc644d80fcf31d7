// Reads and validates the YAML config. Every problem is reported with the
// file, line and key; nothing starts with a half-valid config.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { configShape, finish, type Config } from './config.ts';
import { Ctx, INVALID } from './schema.ts';

export class ConfigError extends Error {
  readonly file: string;
  /** One line per problem, each `file:line: key.path: message`. */
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

export interface Loaded {
  config: Config;
  /** Warnings in the same `file:line: key: message` form, for the log. */
  warnings: string[];
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Loaded {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  // Relative paths in the config are relative to the config file's folder (FreeRADIUS's ${confdir}), so that a
  // command run from another directory opens the same store and files as the server.
  const ctx = new Ctx(file, lines, env, dirname(resolve(file)));
  const syntax = doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: YAML syntax: ${e.message.split('\n')[0]}`);
  if (syntax.length > 0) throw new ConfigError(file, syntax);
  // An empty file is a valid config of defaults; YAML gives a null document for it.
  const root = (doc.contents ?? undefined) as Node | undefined;
  const emptyMap = parseDocument('{}').contents as Node;
  const value = configShape(root && !('value' in root && root.value === null) ? root : emptyMap, ctx, '');
  const config = value === INVALID ? undefined : finish(value, file, ctx, root);
  if (ctx.issues.length > 0 || !config)
    throw new ConfigError(
      file,
      ctx.issues.map((i) => ctx.format(i)),
    );
  return { config, warnings: ctx.warnings.map((w) => ctx.format(w)) };
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(file, [`${file}: cannot read config: ${why}`]);
  }
  return parseConfig(text, file, env);
}
