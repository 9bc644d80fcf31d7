// The part of `npm run build` that tsc does not do: the pages' templates and
// static assets copied next to the compiled web layer (dist/web/), where it
// looks for them, so that the packed and installed server serves them too.
// htmx is not copied: it is read from its npm package at start.

import { cpSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const FOLDERS = ['templates', 'assets'];

for (const folder of FOLDERS) {
  const from = join(ROOT, 'src/web', folder);
  const to = join(ROOT, 'dist/web', folder);
  if (!existsSync(from)) throw new Error(`build-web: ${from} is missing`);
  // A file deleted from src must not live on in dist.
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
process.stdout.write(`build-web: ${FOLDERS.map((f) => `src/web/${f}`).join(' and ')} copied to dist/web/\n`);
