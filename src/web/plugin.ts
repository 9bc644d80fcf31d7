// The pages of a listener as one route plugin: cookies (signed with a key
// derived from the store's key file, so every worker and server reads
// them), form bodies, the hashed assets, and the areas (the console, the
// portal) whose service the listener serves. Registered once per listener
// however many of those services it lists.

import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { RoutePlugin, RoutePluginOptions } from '../http/app.ts';
import type { HttpRefusal } from '../http/problem.ts';
import { registerArea, type WebArea } from './area.ts';
import { assetRoutes, loadAssets } from './assets.ts';
import type { WebShared } from './context.ts';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export interface WebOptions {
  areas: WebArea[];
  /** Signs the pages' cookies; the same on every process that shares the store. */
  cookieSecret: string;
  logger: Logger;
  onRefused: (cause: HttpRefusal) => void;
}

export function webRoutes(options: WebOptions): RoutePlugin {
  // Read once per process, not per listener or request.
  const assets = loadAssets();
  const shared: WebShared = { assets, version: pkg.version, logger: options.logger };
  return async (app: FastifyInstance, { serve }: RoutePluginOptions) => {
    await app.register(cookie, { secret: options.cookieSecret });
    await app.register(formbody);
    assetRoutes(app, assets);
    for (const area of options.areas) {
      if (serve.includes(area.service)) await registerArea(app, area, shared, options.onRefused);
    }
  };
}
