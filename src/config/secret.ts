// Shared secrets and passwords: inline, `${env:NAME}`, or `<key>File: PATH`.
// Admins keep secrets out of the YAML file in production; both indirections
// are resolved at load time so a missing variable or unreadable file stops
// the start with the key at fault.

import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Node } from 'yaml';
import { INVALID, type Checked, type Ctx } from './schema.ts';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replace `${env:NAME}` references; an unset variable is an error, not an empty secret. */
export function expandEnv(text: string, node: Node | undefined, ctx: Ctx, path: string): Checked<string> {
  let ok = true;
  const out = text.replace(ENV_REF, (_m, name: string) => {
    const v = ctx.env[name];
    if (v === undefined) {
      ctx.error(node, path, `environment variable ${name} is not set`);
      ok = false;
      return '';
    }
    return v;
  });
  return ok ? out : INVALID;
}

export function resolvePath(ctx: Ctx, p: string): string {
  return isAbsolute(p) ? p : resolve(ctx.baseDir, p);
}

/**
 * Reads a secret given as `key` or `keyFile` on a mapping node. Exactly one
 * must be present when required. Returns undefined when both are absent and
 * the secret is optional.
 */
export function readSecret(
  value: { inline?: string; file?: string },
  nodes: { inline?: Node; file?: Node; parent?: Node },
  ctx: Ctx,
  paths: { inline: string; file: string },
  required: boolean,
): Checked<string | undefined> {
  if (value.inline !== undefined && value.file !== undefined) {
    ctx.error(nodes.file, paths.file, `give either ${paths.inline.split('.').pop()} or ${paths.file.split('.').pop()}, not both`);
    return INVALID;
  }
  if (value.inline !== undefined) {
    const v = expandEnv(value.inline, nodes.inline, ctx, paths.inline);
    if (v !== INVALID && v.length === 0) {
      ctx.error(nodes.inline, paths.inline, 'must not be empty');
      return INVALID;
    }
    return v;
  }
  if (value.file !== undefined) {
    const p = resolvePath(ctx, value.file);
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch (e) {
      ctx.error(nodes.file, paths.file, `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return INVALID;
    }
    // Files written with `echo` end in a newline that is not part of the secret.
    const secret = text.replace(/\r?\n$/, '');
    if (secret.length === 0) {
      ctx.error(nodes.file, paths.file, `${p} is empty`);
      return INVALID;
    }
    try {
      if ((statSync(p).mode & 0o004) !== 0) ctx.warn(nodes.file, paths.file, `${p} is readable by every user; chmod o-r it`);
    } catch {
      // stat after a successful read cannot fail in practice; the read already proved access
    }
    return secret;
  }
  if (required) {
    ctx.error(nodes.parent, paths.inline, `required, a non-empty string (or ${paths.file.split('.').pop()}: PATH)`);
    return INVALID;
  }
  return undefined;
}
