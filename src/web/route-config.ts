// What a page route says about itself in Fastify's route config, besides
// `public` (open without a session, declared by the HTTP layer).

import type { Action } from '../auth/admin.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role must allow this admin action, or the page answers 403 (the operation checks again). */
    may?: Action;
  }
}
