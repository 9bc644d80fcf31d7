// The HTTP listeners of one process: an app per configured listener, started
// and stopped together. SIGHUP swaps each listener's certificate and allow
// list in place; other changes wait for a restart.

import type { AddressInfo } from 'node:net';
import type { Server as HttpsServer } from 'node:https';
import { createHttpApp, type HttpApp, type HttpAppDeps, type HttpRoutes } from './app.ts';
import type { HttpListenerOptions, HttpOptions } from './options.ts';

interface Running extends HttpApp {
  listener: HttpListenerOptions;
}

function sameSocket(a: HttpListenerOptions, b: HttpListenerOptions): boolean {
  return a.address === b.address && a.port === b.port && (a.tls === undefined) === (b.tls === undefined) && a.serve.join() === b.serve.join();
}

export class HttpListeners {
  private readonly options: HttpOptions;
  private readonly routes: HttpRoutes;
  private readonly deps: HttpAppDeps;
  private running: Running[] = [];

  constructor(options: HttpOptions, routes: HttpRoutes, deps: HttpAppDeps) {
    this.options = options;
    this.routes = routes;
    this.deps = deps;
  }

  async start(): Promise<void> {
    try {
      for (const listener of this.options.listeners) {
        const made = await createHttpApp(listener, this.options, this.routes, this.deps);
        this.running.push({ ...made, listener });
        await made.app.listen({
          host: listener.address,
          port: listener.port,
          listenTextResolver: (address) => `HTTP listener ${listener.name} serving ${listener.serve.join(', ')} on ${address}`,
        });
      }
    } catch (err) {
      await this.stop(0);
      throw err;
    }
  }

  /** The bound port of the listener called `name`, or of the first; 0 when not listening. */
  port(name?: string): number {
    const r = name === undefined ? this.running[0] : this.running.find((x) => x.listener.name === name);
    return (r?.app.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Stops accepting; requests in flight get up to graceMs. */
  async stop(graceMs = 5000): Promise<void> {
    const running = this.running;
    this.running = [];
    await Promise.all(
      running.map(async ({ app }) => {
        const server = app.server;
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        // A keep-alive connection turns idle when its last request is answered; close it then, not at keepAliveTimeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearTimeout(timer);
          clearInterval(sweep);
        }
      }),
    );
  }

  /** SIGHUP: new certificates and allow lists for the listeners that keep their name and socket. */
  reload(next: HttpOptions | undefined): void {
    const { logger } = this.deps;
    if (!next) {
      if (this.running.length > 0) logger.warn('the http section was removed; the HTTP listeners stop after a restart');
      return;
    }
    if (next.maxBodyBytes !== this.options.maxBodyBytes || next.requestTimeoutSeconds !== this.options.requestTimeoutSeconds) {
      logger.warn('http.maxBodyBytes or http.requestTimeoutSeconds changed; they take effect after a restart');
    }
    for (const r of this.running) {
      const n = next.listeners.find((l) => l.name === r.listener.name);
      if (!n || !sameSocket(r.listener, n)) {
        logger.warn({ http: r.listener.name }, 'HTTP listener address, port, TLS on/off or services changed; they take effect after a restart');
        continue;
      }
      r.allow.set(n.allow);
      if (n.tls) {
        (r.app.server as unknown as HttpsServer).setSecureContext({ cert: n.tls.cert, key: n.tls.key });
        logger.info({ http: n.name, certFile: n.tls.certFile }, 'HTTP listener certificate reloaded');
      }
    }
    for (const n of next.listeners) {
      if (!this.running.some((r) => r.listener.name === n.name)) logger.warn({ http: n.name }, 'new HTTP listener; it starts after a restart');
    }
  }
}
