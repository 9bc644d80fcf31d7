// Reading a PEM file named in the config, with an error on the setting's line
// when it is missing, unreadable or not PEM.

import { readFileSync } from 'node:fs';
import type { Node } from 'yaml';
import { resolvePath } from './secret.ts';
import { INVALID, type Ctx } from './schema.ts';

export function readPem(ctx: Ctx, node: Node | undefined, path: string, name: string): Buffer | typeof INVALID {
  const where = resolvePath(ctx, name);
  let bytes: Buffer;
  try {
    bytes = readFileSync(where);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    ctx.error(node, path, `cannot read ${where}: ${why}`);
    return INVALID;
  }
  if (!bytes.toString('latin1').includes('-----BEGIN')) {
    ctx.error(node, path, `${where} is not PEM (no -----BEGIN line)`);
    return INVALID;
  }
  return bytes;
}
