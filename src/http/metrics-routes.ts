// GET /metrics: the Prometheus exposition of the whole server, from wherever
// the caller gets it (this process, or the supervisor of the workers).

import type { RoutePlugin } from './app.ts';
import { sendProblem } from './problem.ts';

export interface Exposition {
  contentType: string;
  text: string;
}

export function metricsRoutes(exposition: () => Promise<Exposition>, onError: (err: Error) => void): RoutePlugin {
  return async (app) => {
    app.get('/metrics', async (_request, reply) => {
      let out: Exposition;
      try {
        out = await exposition();
      } catch (err) {
        // Half the server's counters would read as a reset: no answer is better than a partial one.
        onError(err as Error);
        return sendProblem(reply, 503, `metrics unavailable: ${(err as Error).message}`);
      }
      return reply.code(200).type(out.contentType).send(out.text);
    });
  };
}
