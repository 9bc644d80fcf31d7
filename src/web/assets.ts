// The pages' static files (CSS, app.js, the icon, and htmx from its npm
// package), read once at start and served under names carrying a hash of
// their content: a browser may keep each for a year, since a changed file
// gets a new name. Any other name under /assets/ is a 404.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../http/problem.ts';

/** Next to this module: src/web/assets when run from the source, dist/web/assets once built (npm run build copies them). */
export const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
export const ASSETS_PATH = '/assets/';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface Asset {
  /** The name pages link to, e.g. app.3f2a9c1e.css. */
  hashed: string;
  type: string;
  body: Buffer;
}

export class Assets {
  readonly #byName = new Map<string, Asset>();
  readonly #byHashed = new Map<string, Asset>();

  add(name: string, body: Buffer): void {
    const ext = extname(name);
    const type = TYPES[ext];
    if (!type) throw new Error(`web asset ${name}: no content type for ${ext || 'a name without extension'}`);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
    const asset = { hashed: `${name.slice(0, -ext.length)}.${hash}${ext}`, type, body };
    this.#byName.set(name, asset);
    this.#byHashed.set(asset.hashed, asset);
  }

  /** The URL of an asset by its plain name; an unknown name is a mistake in a template, so it throws. */
  url(name: string): string {
    const asset = this.#byName.get(name);
    if (!asset) throw new Error(`no web asset called ${name}`);
    return ASSETS_PATH + asset.hashed;
  }

  byHashedName(hashed: string): Asset | undefined {
    return this.#byHashed.get(hashed);
  }
}

/** The files of the assets folder and htmx, as the package installed it. */
export function loadAssets(dir = ASSETS_DIR): Assets {
  const assets = new Assets();
  for (const name of readdirSync(dir)) assets.add(name, readFileSync(join(dir, name)));
  assets.add('htmx.min.js', readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js')));
  return assets;
}

/** GET /assets/NAME.HASH.EXT, cached for good; any other name is a 404. */
export function assetRoutes(app: FastifyInstance, assets: Assets): void {
  app.get(`${ASSETS_PATH}:file`, { config: { public: true } }, async (request, reply) => {
    const asset = assets.byHashedName((request.params as { file: string }).file);
    if (!asset) return sendProblem(reply, 404, 'no such asset (asset names carry a hash of their content)');
    return reply.header('Cache-Control', 'public, max-age=31536000, immutable').type(asset.type).send(asset.body);
  });
}
