// The networks allowed to call a listener: everyone else gets 403 before any
// route runs. Replaced on SIGHUP without a restart.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { addressBytes, cidrContains, type Cidr } from '../net/cidr.ts';
import { sendProblem, type HttpRefusal } from './problem.ts';

export interface AllowList {
  set(networks: Cidr[]): void;
}

export function installAllowList(app: FastifyInstance, initial: Cidr[], logger: Logger, onRefused: (cause: HttpRefusal) => void): AllowList {
  let networks = initial;
  app.addHook('onRequest', async (request, reply) => {
    const remote = request.raw.socket.remoteAddress ?? '';
    const bytes = addressBytes(remote);
    if (bytes !== undefined && networks.some((n) => cidrContains(n, bytes))) return;
    logger.warn({ remote, path: request.url.split('?')[0]?.slice(0, 200) }, 'HTTP request from an address outside http.allow refused');
    onRefused('forbidden');
    return sendProblem(reply, 403, 'this address may not use this listener');
  });
  return {
    set(next) {
      networks = next;
    },
  };
}
