// The other part of `npm run build` that tsc does not do: tsc writes files
// mode 0644, so the commands named in package.json's "bin" are made
// executable here. npm makes them executable only when it links a package,
// and `npx otp-radius` in a clone whose link npx already cached does not.

import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
const targets = Object.entries(manifest.bin ?? {});

for (const [name, target] of targets) {
  const file = join(ROOT, target);
  if (!existsSync(file)) throw new Error(`build-bin: ${target} (the "${name}" command) was not built`);
  chmodSync(file, 0o755);
}
process.stdout.write(`build-bin: ${targets.map(([, target]) => target).join(', ')} made executable\n`);
