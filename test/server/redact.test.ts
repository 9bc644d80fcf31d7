import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { pino } from 'pino';
import { CENSOR, createLogger, redactSecrets } from '../../src/server/logging.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

test('an event without secrets is passed on as the same object, not copied', () => {
  const event = { event: 'auth', user: 'alice', serial: 'TOTP0001', decision: 'accept', nested: { realm: 'default', list: [1, { a: 2 }] } };
  assert.equal(redactSecrets(event), event);
});

test('secret keys are censored at the top and nested in objects and arrays; the caller keeps its object', () => {
  const event = {
    user: 'alice',
    password: 'hunter2',
    client: { name: 'vpn', secret: 's3cret', sub: { bindPassword: 'x', keep: 1 } },
    attributes: { 'User-Password': '1234567890', 'NAS-Identifier': 'gw' },
    tokens: [{ serial: 'A', seed: 'abcd' }, { serial: 'B' }],
  };
  const before = structuredClone(event);
  const out = redactSecrets(event);
  assert.deepEqual(event, before, 'the logged object is not modified');
  assert.deepEqual(out, {
    user: 'alice',
    password: CENSOR,
    client: { name: 'vpn', secret: CENSOR, sub: { bindPassword: CENSOR, keep: 1 } },
    attributes: { 'User-Password': CENSOR, 'NAS-Identifier': 'gw' },
    tokens: [{ serial: 'A', seed: CENSOR }, { serial: 'B' }],
  });
  assert.equal(out.tokens[1], event.tokens[1], 'branches without secrets are shared, not copied');
});

test('a missing secret stays missing: null and undefined are not turned into the censor text', () => {
  assert.deepEqual(redactSecrets({ pin: null, otp: undefined, user: 'bob' }), { pin: null, otp: undefined, user: 'bob' });
});

test('a cycle or a deep structure ends the walk instead of hanging', () => {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  assert.equal(redactSecrets(a), a);
  const deep = { l1: { l2: { l3: { l4: { password: 'too deep to matter' } } } } };
  assert.equal(redactSecrets(deep), deep);
});

test('class instances (errors, buffers) are left to their serializers', () => {
  const err = Object.assign(new Error('boom'), { password: 'p' });
  const buf = Buffer.from('x');
  const event = { err, buf };
  assert.equal(redactSecrets(event), event);
});

test('a logger writes censored lines for the log object and for child bindings', () => {
  const { stream, lines } = capture();
  const logger = createLogger('info', stream as unknown as pino.DestinationStream);
  logger.child({ resolver: 'ldap', bindPassword: 'b1nd' }).info({ user: 'alice', pin: '1234', nas: { secret: 'radius-secret' } }, 'login');
  const [line] = lines();
  assert.ok(line);
  assert.equal(line.pin, CENSOR);
  assert.equal(line.bindPassword, CENSOR);
  assert.deepEqual(line.nas, { secret: CENSOR });
  assert.equal(line.user, 'alice');
  assert.equal(line.msg, 'login');
  const raw = JSON.stringify(line);
  for (const s of ['1234', 'b1nd', 'radius-secret']) assert.ok(!raw.includes(s), `${s} must not reach the log`);
});
