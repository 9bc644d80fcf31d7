// The layer rule of docs/design.md, checked over the import graph: a folder
// of src/ imports only from folders above it in LAYERS (and from itself), so
// there are no folder cycles and nothing reaches back up. Exits 1 naming
// every import that breaks it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** From the bottom of the stack (imports nothing of the project) to the top. */
export const LAYERS = ['model', 'otp', 'net', 'tokens', 'store', 'users', 'delivery', 'import', 'auth', 'radius', 'eap', 'http', 'web', 'config', 'server', 'cli'] as const;

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The layer a file belongs to: its folder under `src`. */
function layerOf(src: string, file: string): string {
  return relative(src, file).split(sep)[0]!;
}

export interface Violation {
  file: string;
  line: number;
  imports: string;
  why: string;
}

/** Every import of a `src` tree (the project's by default) that breaks the rule. */
export function check(src: string = SRC): Violation[] {
  const order = new Map<string, number>(LAYERS.map((l, i) => [l, i]));
  const out: Violation[] = [];
  for (const file of files(src)) {
    const from = layerOf(src, file);
    const text = readFileSync(file, 'utf8');
    const where = relative(dirname(src), file);
    if (!order.has(from)) {
      out.push({ file: where, line: 1, imports: '', why: `src/${from} is not a layer of the design: add it to LAYERS in scripts/check-layers.ts and to docs/design.md, or move the file` });
      continue;
    }
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(src + sep)) continue;
      const to = layerOf(src, target);
      if (to === from) continue;
      const line = text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0);
      if (!order.has(to)) out.push({ file: where, line, imports: spec, why: `src/${to} is not a layer of the design` });
      else if (order.get(to)! > order.get(from)!) out.push({ file: where, line, imports: spec, why: `${from}/ may not import ${to}/, which comes later in the layer order (${LAYERS.join(', ')})` });
    }
  }
  return out;
}

if (import.meta.main) {
  const violations = check();
  for (const v of violations) process.stderr.write(`${v.file}:${v.line}: ${v.imports ? `import '${v.imports}': ` : ''}${v.why}\n`);
  if (violations.length > 0) {
    process.stderr.write(`layers: ${violations.length} import(s) break the layer rule\n`);
    process.exit(1);
  }
  process.stdout.write(`layers: ${LAYERS.length} layers, no import reaches up\n`);
}
