// The pages' plumbing over HTTP, with an area of its own (a second kind of
// session, as the self-service portal will bring): hashed assets, page
// headers and the no-store flag, the login redirect (and htmx's), role
// checks, the CSRF rule before and after a login, the language, safe
// return paths, error pages; over TLS, Secure cookies and HSTS.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Agent, fetch as fetchWith } from 'undici';
import { HttpListeners } from '../../src/http/listeners.ts';
import { parseCidr } from '../../src/net/cidr.ts';
import type { Actor } from '../../src/model/actor.ts';
import type { WebArea } from '../../src/web/area.ts';
import { sessionOf, webOf } from '../../src/web/context.ts';
import { flash } from '../../src/web/flash.ts';
import { fragment, page, seeOther } from '../../src/web/page.ts';
import { webRoutes } from '../../src/web/plugin.ts';
import type { WebSession } from '../../src/web/session.ts';
import { captureLogs } from '../helpers/radius.ts';
import { makeTestCa } from '../helpers/test-ca.ts';
import { startConsoleStack } from './fixture.ts';
import { startStack } from '../helpers/stack.ts';

/** Sessions kept in memory, one per cookie value: the shape a portal's user sessions take. */
function memorySessions(): WebArea['sessions'] & { open(actor: Actor): string; closed: string[] } {
  const live = new Map<string, WebSession>();
  const closed: string[] = [];
  return {
    closed,
    open(actor) {
      const id = randomBytes(16).toString('hex');
      live.set(id, {
        name: actor.name,
        role: actor.role,
        csrf: randomBytes(16).toString('hex'),
        actor,
        close: async () => {
          live.delete(id);
          closed.push(actor.name);
        },
      });
      return id;
    },
    async find(request) {
      const id = request.cookies.test_session;
      if (id === undefined) return undefined;
      return live.get(id) ?? 'unknown';
    },
    clear(_request, reply) {
      reply.clearCookie('test_session', { path: '/' });
    },
  };
}

const sessions = memorySessions();

const area: WebArea = {
  service: 'self',
  prefix: '/self',
  home: '/self/',
  loginPath: '/self/login',
  name: 'area.console',
  sessions,
  nav: [
    { path: '/self/', label: 'nav.dashboard' },
    { path: '/self/audit', label: 'dashboard.reasons', may: 'audit.read' },
  ],
  async pages(app: FastifyInstance) {
    app.get('/login', { config: { public: true } }, async (request, reply) => page(request, reply, 'error', { message: 'the login page', home: '/self/' }, { title: 'Login' }));
    app.post('/login', { config: { public: true } }, async (request, reply) => {
      flash(request, reply, { kind: 'ok', key: 'logout.done' });
      return seeOther(request, reply, '/self/');
    });
    app.get('/', async (request, reply) => page(request, reply, 'error', { message: `hello ${sessionOf(request).name}`, home: '/self/' }, { title: webOf(request).t('dashboard.title') }));
    app.get('/secret', async (request, reply) => page(request, reply, 'error', { message: 'SEED', home: '/self/' }, { title: 'Secret', noStore: true }));
    app.get('/part', async (request, reply) => fragment(request, reply, 'partials/csrf', {}));
    app.get('/audit', { config: { may: 'audit.read' } }, async (request, reply) => page(request, reply, 'error', { message: 'audit', home: '/self/' }, { title: 'Audit' }));
    app.post('/change', async (_request, reply) => reply.code(204).send());
    app.get('/boom', async () => {
      throw new Error('a bug');
    });
    app.get('/reserved', async (request, reply) => page(request, reply, 'error', { t: 1, message: '', home: '' }, { title: 'x' }));
  },
};

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  cookies: string[];
}

async function get(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(base + path, { redirect: 'manual', ...init });
  return { status: r.status, headers: r.headers, text: await r.text(), cookies: r.headers.getSetCookie() };
}

function cookieOf(answer: Answer, name: string): string | undefined {
  return answer.cookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`));
}

function tokenIn(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}

const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});

describe('pages over HTTP', () => {
  const logs = captureLogs('info');
  let server: HttpListeners;
  let base: string;
  const admin = () => `test_session=${sessions.open({ via: 'self-service', name: 'boss', role: 'admin' })}`;
  const desk = () => `test_session=${sessions.open({ via: 'self-service', name: 'desk', role: 'helpdesk' })}`;

  before(async () => {
    const web = webRoutes({ areas: [area], cookieSecret: 'a test secret of enough length', logger: logs.logger, onRefused: () => undefined });
    const listener = { name: 'pages', address: '127.0.0.1', port: 0, allow: [parseCidr('127.0.0.0/8')], serve: ['self' as const, 'console' as const], allowPlaintext: false };
    server = new HttpListeners({ listeners: [listener], maxBodyBytes: 16384, requestTimeoutSeconds: 10 }, { self: [web], console: [web] }, { logger: logs.logger, onRefused: () => undefined });
    await server.start();
    base = `http://127.0.0.1:${server.port()}`;
  });
  after(() => server.stop());

  test('assets: the hashed name is cached for good; the plain name, a wrong hash or an unknown file are 404', async () => {
    const html = (await get(base, '/self/login')).text;
    const css = /href="(\/assets\/app\.([0-9a-f]{8})\.css)"/.exec(html);
    assert.ok(css, 'the layout links app.css by a hashed name');
    const asset = await get(base, css[1]!);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(/src="(\/assets\/htmx\.min\.[0-9a-f]{8}\.js)"/.exec(html)?.[1] ?? '', /htmx/, 'htmx comes from its npm package');
    for (const path of ['/assets/app.css', '/assets/app.00000000.css', '/assets/nothing.12345678.js', `${css[1]}x`]) {
      assert.equal((await get(base, path)).status, 404, path);
    }
  });

  test('a page: HTML with the CSP, kept only privately; the no-store flag for secrets; a fragment without the layout', async () => {
    const cookie = admin();
    const home = await get(base, '/self/', { headers: { cookie } });
    assert.equal(home.status, 200);
    assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(home.headers.get('cache-control'), 'private, no-cache');
    assert.match(home.headers.get('content-security-policy') ?? '', /script-src 'self';.*frame-ancestors 'none'/);
    assert.equal(home.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
    assert.match(home.text, /<html lang="en">/);
    assert.match(home.text, /hello boss/);
    assert.equal((await get(base, '/self/secret', { headers: { cookie } })).headers.get('cache-control'), 'no-store');
    const part = await get(base, '/self/part', { headers: { cookie } });
    assert.doesNotMatch(part.text, /<html/);
    assert.match(part.text, /<input type="hidden" name="_csrf" value="[0-9a-f]{32}">/, "a session's own token");
  });

  test('without a session: to the login page with a notice and the way back; htmx gets HX-Redirect', async () => {
    const r = await get(base, '/self/secret');
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/self/login?next=%2Fself%2Fsecret');
    const notice = cookieOf(r, 'otp_radius_flash')!;
    assert.ok(notice);
    assert.match((await get(base, '/self/login', { headers: { cookie: notice } })).text, /Please log in first\./);
    const hx = await get(base, '/self/', { headers: { 'hx-request': 'true' } });
    assert.equal(hx.status, 200);
    assert.equal(hx.headers.get('hx-redirect'), '/self/login');
    const gone = await get(base, '/self/', { headers: { cookie: 'test_session=forgotten' } });
    assert.match((await get(base, '/self/login', { headers: { cookie: cookieOf(gone, 'otp_radius_flash')! } })).text, /Your session has ended\./);
  });

  test('roles: a page naming an action answers 403 to a role without it, and the navigation hides its link', async () => {
    const helpdesk = desk();
    const refused = await get(base, '/self/audit', { headers: { cookie: helpdesk } });
    assert.equal(refused.status, 403);
    assert.match(refused.text, /<h1>Not allowed<\/h1>/);
    assert.doesNotMatch((await get(base, '/self/', { headers: { cookie: helpdesk } })).text, /href="\/self\/audit"/);
    const boss = admin();
    assert.equal((await get(base, '/self/audit', { headers: { cookie: boss } })).status, 200);
    assert.match((await get(base, '/self/', { headers: { cookie: boss } })).text, /href="\/self\/audit"/);
  });

  test("CSRF with a session: the session's token as a field or header; none, or another session's, is 403", async () => {
    const cookie = admin();
    const token = tokenIn((await get(base, '/self/', { headers: { cookie } })).text);
    assert.equal((await get(base, '/self/change', form({ _csrf: token }, cookie))).status, 204);
    assert.equal((await get(base, '/self/change', { method: 'POST', headers: { cookie, 'x-csrf-token': token } })).status, 204);
    const none = await get(base, '/self/change', form({}, cookie));
    assert.equal(none.status, 403);
    assert.match(none.text, /The form was not accepted/);
    const other = tokenIn((await get(base, '/self/', { headers: { cookie: admin() } })).text);
    assert.equal((await get(base, '/self/change', form({ _csrf: other }, cookie))).status, 403);
    assert.ok(logs.lines.some((l) => l.msg === 'page request refused: CSRF token'));
  });

  test('CSRF before a login: a token bound to a signed cookie of this browser', async () => {
    const first = await get(base, '/self/login');
    const formCookie = cookieOf(first, 'otp_radius_form')!;
    assert.match(first.cookies.find((c) => c.startsWith('otp_radius_form='))!, /; Path=\/; HttpOnly; SameSite=Strict$/);
    const token = tokenIn(first.text);
    const ok = await get(base, '/self/login', form({ _csrf: token }, formCookie));
    assert.equal(ok.status, 303);
    assert.equal((await get(base, '/self/login', form({ _csrf: token }))).status, 403, 'no cookie');
    const stranger = cookieOf(await get(base, '/self/login'), 'otp_radius_form')!;
    assert.equal((await get(base, '/self/login', form({ _csrf: token }, stranger))).status, 403, "another browser's cookie");
    const forged = `otp_radius_form=${formCookie.split('=')[1]!.split('.')[0]}.forged`;
    assert.equal((await get(base, '/self/login', form({ _csrf: token }, forged))).status, 403, 'a cookie we did not sign');
  });

  test('language: the cookie, then Accept-Language; the switch goes back only to a page of the area', async () => {
    assert.match((await get(base, '/self/login', { headers: { 'accept-language': 'de-CH, en;q=0.5' } })).text, /<html lang="de">/);
    const first = await get(base, '/self/login');
    const cookie = cookieOf(first, 'otp_radius_form')!;
    const token = tokenIn(first.text);
    const back = await get(base, '/self/language', form({ _csrf: token, lang: 'de', back: '/self/secret' }, cookie));
    assert.equal(back.headers.get('location'), '/self/secret');
    const lang = cookieOf(back, 'otp_radius_lang')!;
    assert.equal(lang, 'otp_radius_lang=de');
    assert.match((await get(base, '/self/login', { headers: { cookie: lang, 'accept-language': 'en' } })).text, /<html lang="de">/);
    for (const away of ['https://evil.example/', '//evil.example/', '/console/', '/self/../x', 'javascript:alert(1)']) {
      assert.equal((await get(base, '/self/language', form({ _csrf: token, lang: 'en', back: away }, cookie))).headers.get('location'), '/self/', away);
    }
  });

  test('errors: an unknown page of the area is a 404 page; elsewhere problem+json; a failing page is a logged 500 page', async () => {
    const missing = await get(base, '/self/nothing');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /<h1>Page not found<\/h1>/);
    const outside = await get(base, '/nothing');
    assert.equal(outside.headers.get('content-type'), 'application/problem+json');
    const boom = await get(base, '/self/boom', { headers: { cookie: admin() } });
    assert.equal(boom.status, 500);
    assert.match(boom.text, /<h1>Something went wrong<\/h1>/);
    assert.doesNotMatch(boom.text, /a bug/);
    assert.ok(logs.lines.some((l) => l.msg === 'page failed' && (l.err as { message: string }).message === 'a bug'));
    assert.equal((await get(base, '/self/reserved', { headers: { cookie: admin() } })).status, 500, 'page data may not shadow a name of the layout');
  });

  test('logout: the session ends and its cookie goes', async () => {
    const cookie = admin();
    const token = tokenIn((await get(base, '/self/', { headers: { cookie } })).text);
    const out = await get(base, '/self/logout', form({ _csrf: token }, cookie));
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/self/login');
    assert.ok(out.cookies.some((c) => c.startsWith('test_session=;')));
    assert.equal((await get(base, '/self/', { headers: { cookie } })).status, 303);
  });
});

describe('the console over TLS', () => {
  test('Secure cookies and HSTS on its pages', async () => {
    const ca = makeTestCa();
    const certFile = join(ca.dir, 'cert.pem');
    const keyFile = join(ca.dir, 'key.pem');
    writeFileSync(certFile, ca.certPem);
    writeFileSync(keyFile, ca.keyPem);
    const stack = await startStack({ yaml: `http:\n  listeners:\n    - { name: tls, address: 127.0.0.1, port: 0, tls: { certFile: ${certFile}, keyFile: ${keyFile} }, serve: [console] }\n` });
    const dispatcher = new Agent({ connect: { ca: ca.caPem, servername: 'localhost' } });
    try {
      const r = await fetchWith(`https://127.0.0.1:${stack.running.http!.port('tls')}/console/login`, { dispatcher });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('strict-transport-security'), 'max-age=31536000');
      assert.match(r.headers.getSetCookie().find((c) => c.startsWith('otp_radius_form='))!, /; Secure/);
    } finally {
      await dispatcher.close();
      await stack.stop();
      rmSync(ca.dir, { recursive: true, force: true });
    }
  });

  test('a console login over HTTP sets the admin session cookie as the API does, and is throttled as the API is', async () => {
    const s = await startConsoleStack();
    try {
      const first = await get(s.base, '/console/login');
      const cookie = cookieOf(first, 'otp_radius_form')!;
      const r = await get(s.base, '/console/login', form({ _csrf: tokenIn(first.text), username: 'boss', password: 'a long enough password', next: '/console/' }, cookie));
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/console/');
      const session = r.cookies.find((c) => c.startsWith('otp_radius_session='))!;
      assert.match(session, /; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
      const api = await get(s.base, '/api/v1/session', { headers: { cookie: session.split(';')[0]! } });
      assert.equal(JSON.parse(api.text).account, 'boss');

      // The login's throttle: a few failures from one address are told so; then the address waits.
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const wrong = await get(s.base, '/console/login', form({ _csrf: tokenIn(first.text), username: 'boss', password: 'wrong' }, cookie));
        statuses.push(wrong.status);
        if (wrong.status === 429) assert.match(wrong.text, /Too many failed logins\./);
        else assert.match(wrong.text, /The user name, password or one-time password is wrong\./);
      }
      assert.deepEqual(statuses.slice(0, 5), [422, 422, 422, 422, 422]);
      assert.equal(statuses.at(-1), 429);
    } finally {
      await s.stop();
    }
  });
});
