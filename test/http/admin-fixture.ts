// The whole server with an HTTP listener serving validate and admin on a
// loopback port, admin accounts of every role logged in over HTTP, and a
// client that speaks to the admin API with a session cookie (and its CSRF
// token) or an API key. The clock can be moved ahead to end sessions.

import { addAccount, createApiKey } from '../../src/auth/admin.ts';
import type { Actor, Role } from '../../src/model/actor.ts';
import { startStack, type Stack } from '../helpers/stack.ts';

export const PASSWORD = 'a long enough password';
export const CLI: Actor = { via: 'cli', name: 'root', role: 'admin' };

export type Creds = { session: { cookie: string; csrf: string } } | { key: string } | undefined;

export interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
  headers: Headers;
}

export interface AdminStack {
  stack: Stack;
  base: string;
  /** Seconds the server's clock is ahead of the real one. */
  ahead: { seconds: number };
  /** Sessions of accounts with each role, and of a helpdesk limited to realm lab. */
  as: Record<Role | 'labdesk', Creds>;
  login(username: string, password: string, otp?: string, address?: string): Promise<{ answer: Answer; creds: Creds }>;
  call(creds: Creds, method: string, path: string, body?: unknown, options?: { csrf?: string | null; contentType?: string }): Promise<Answer>;
  apiKey(role: Role, realms?: string[]): Promise<{ key: string; id: string }>;
  /** New sessions in `as` (after the clock moved past the old ones). */
  relogin(): Promise<void>;
  stop(): Promise<void>;
}

/** Users alice and bob in realms default and lab (one users file). */
export const USERS = (dir: string): string => `resolvers:\n  local: { type: file, path: ${dir}/users.yaml }\nrealms:\n  default: { resolvers: [local], default: true }\n  lab: { resolvers: [local] }`;

/** `serve`: the services of the one listener, as YAML list items; `users`: resolvers and realms other than USERS. */
export async function startAdminStack(yaml = '', serve = 'validate, admin, health', users = USERS): Promise<AdminStack> {
  const ahead = { seconds: 0 };
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'otp-radius-admin-http-'));
  const stack = await startStack({
    dir,
    users: users(dir),
    now: () => Date.now() / 1000 + ahead.seconds,
    yaml: `http:\n  listeners:\n    - { name: main, address: 127.0.0.1, port: 0, serve: [${serve}] }\n${yaml}`,
  });
  const base = `http://127.0.0.1:${stack.running.http!.port('main')}`;

  const call: AdminStack['call'] = async (creds, method, path, body, options = {}) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (creds && 'key' in creds) headers.authorization = `Bearer ${creds.key}`;
    if (creds && 'session' in creds) {
      headers.cookie = creds.session.cookie;
      if (options.csrf !== null) headers['x-csrf-token'] = options.csrf ?? creds.session.csrf;
    }
    const r = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON: the test looks at text
    }
    return { status: r.status, json, text, headers: r.headers };
  };

  const login: AdminStack['login'] = async (username, password, otp) => {
    const answer = await call(undefined, 'POST', '/api/v1/session', { username, password, ...(otp ? { otp } : {}) });
    const cookie = answer.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { answer, creds: answer.status === 200 ? { session: { cookie, csrf: answer.json.csrfToken as string } } : undefined };
  };

  const admin = stack.running.services.admin;
  const as = {} as Record<Role | 'labdesk', Creds>;
  const accounts = [
    ['boss', 'admin'],
    ['desk', 'helpdesk'],
    ['audit', 'auditor'],
    ['labdesk', 'helpdesk', ['lab']],
  ] as [string, Role, string[]?][];
  const relogin = async (): Promise<void> => {
    for (const [name, role] of accounts) {
      const { creds } = await login(name, PASSWORD);
      if (!creds) throw new Error(`could not log in as ${name}`);
      as[name === 'labdesk' ? 'labdesk' : role] = creds;
    }
  };
  for (const [name, role, realms] of accounts) await addAccount(admin, CLI, { name, role, password: PASSWORD, otp: 'none', ...(realms ? { realms } : {}) });
  await relogin();

  return {
    stack,
    base,
    ahead,
    as,
    login,
    call,
    relogin,
    async apiKey(role, realms) {
      const created = await createApiKey(admin, CLI, { role, ...(realms ? { realms } : {}) });
      return { key: created.secret, id: created.key.id };
    },
    async stop() {
      await stack.stop();
      const { rm } = await import('node:fs/promises');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
