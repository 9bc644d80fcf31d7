// A slapd for the ldap resolver tests: started before a test file's tests,
// destroyed after, with a resolver factory whose resolvers are closed then.

import { after, before } from 'node:test';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { BASE_DN, SERVICE_DN, SERVICE_PASSWORD, startSlapd, type Slapd } from '../helpers/slapd.ts';
import { LdapResolver } from '../../src/users/ldap-resolver.ts';
import type { LdapResolverOptions } from '../../src/users/ldap-options.ts';

export interface LdapFixture {
  readonly slapd: Slapd;
  /** A resolver "corp" bound as the service account, with short timeouts; closed after the file. */
  resolver(extra?: Partial<LdapResolverOptions>, logger?: Logger): LdapResolver;
}

export function useSlapd(): LdapFixture {
  let slapd: Slapd | undefined;
  const open: LdapResolver[] = [];
  before(async () => {
    slapd = await startSlapd();
  });
  after(async () => {
    for (const r of open) await r.close();
    await slapd?.destroy();
  });
  const fixture: LdapFixture = {
    get slapd(): Slapd {
      if (!slapd) throw new Error('slapd is not started yet');
      return slapd;
    },
    resolver(extra = {}, logger) {
      const r = new LdapResolver(
        'corp',
        {
          uri: fixture.slapd.url,
          bindDn: SERVICE_DN,
          bindPassword: SERVICE_PASSWORD,
          baseDn: BASE_DN,
          timeout: 2,
          connectTimeout: 1,
          ...extra,
        },
        { logger },
      );
      open.push(r);
      return r;
    },
  };
  return fixture;
}

/** A TCP server that accepts connections and never says a word. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('no address');
  return {
    port: addr.port,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** How long `f` took and how it ended. */
export async function elapsed<T>(f: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const t0 = performance.now();
  const [result] = await Promise.allSettled([f()]);
  return { ms: performance.now() - t0, result: result! };
}
