// A resolver that does not answer, seen from the admin API: the call is
// answered 503 problem+json with Retry-After and names the resolver, never
// its address (LinOTP's /admin/* in its own envelope); the operation's audit
// event says "resolver unavailable"; the realms whose resolvers answer go on
// as before.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freeTcpPort } from '../helpers/ports.ts';
import { startAdminStack, USERS, type AdminStack } from './admin-fixture.ts';

describe('admin API during a resolver outage', () => {
  let a: AdminStack;
  let port: number;
  before(async () => {
    // Nothing listens there: every connection is refused at once.
    port = await freeTcpPort();
    const dark = `  dark: { type: ldap, uri: "ldap://127.0.0.1:${port}", baseDn: "dc=example,dc=org", timeout: 1 }\n`;
    const users = (dir: string): string => `${USERS(dir).replace('resolvers:\n', `resolvers:\n${dark}`)}\n  dark: { resolvers: [dark] }`;
    a = await startAdminStack('', 'validate, admin, health', users);
  });
  after(async () => a.stop());

  test('503 problem+json with Retry-After, the resolver by name and no address; audited as "resolver unavailable"', async () => {
    const answer = await a.call(a.as.admin, 'POST', '/api/v1/tokens', { type: 'totp', user: 'mallory', realm: 'dark' });
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    assert.equal(answer.headers.get('retry-after'), '30');
    assert.equal(answer.json.detail, 'resolver unavailable: resolver "dark" is not answering; try again shortly (the server log has the cause)');
    assert.doesNotMatch(answer.text, new RegExp(String(port)), 'the address stays in the log');
    const audited = a.stack.logs.lines.filter((l) => l.event === 'admin' && l.action === 'token.enroll' && l.user === 'mallory');
    assert.equal(audited.length, 1, JSON.stringify(audited));
    assert.equal(audited[0]!.result, 'refused');
    assert.equal(audited[0]!.detail, 'resolver unavailable');
    assert.equal(audited[0]!.realm, 'dark');
    const logged = a.stack.logs.lines.find((l) => l.msg === 'HTTP request failed: resolver unavailable');
    assert.match(String(logged?.err), /resolver "dark"/, 'the cause is in the log');
  });

  test("LinOTP's /admin/init for a user of the dark realm: 503 in LinOTP's failure envelope", async () => {
    const { key } = await a.apiKey('admin');
    const r = await fetch(`${a.base}/admin/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ type: 'hmac', genkey: '1', user: 'mallory', realm: 'dark' }),
    });
    const body = (await r.json()) as { result: { status: boolean; error?: { message: string } } };
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '30');
    assert.equal(body.result.status, false);
    assert.equal(body.result.error?.message, 'resolver unavailable: resolver "dark" is not answering; try again shortly');
  });

  test('a user page of the dark realm is 503; the realm whose resolver answers is served', async () => {
    const dark = await a.call(a.as.helpdesk, 'GET', '/api/v1/users/dark/mallory');
    assert.equal(dark.status, 503, dark.text);
    const fine = await a.call(a.as.helpdesk, 'POST', '/api/v1/tokens', { type: 'totp', user: 'bob' });
    assert.equal(fine.status, 201, fine.text);
  });
});
