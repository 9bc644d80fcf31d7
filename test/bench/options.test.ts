import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions, parseWorkloads, selected } from '../../bench/options.ts';

describe('bench options', () => {
  test('defaults: 10 s per workload, 10,000 users, as many tokens, 64 outstanding, Message-Authenticator on', () => {
    const o = parseOptions([]);
    assert.equal(o.durationS, 10);
    assert.equal(o.warmupS, 1);
    assert.equal(o.users, 10_000);
    assert.equal(o.tokens, 10_000);
    assert.equal(o.concurrency, 64);
    assert.equal(o.workers, undefined, "the server's own default");
    assert.equal(o.messageAuthenticator, true);
    assert.equal(o.vsFreeradius, false);
    assert.equal(o.lookupTokens, 1_000_000);
  });

  test('every option is read', () => {
    const o = parseOptions([
      '--duration',
      '2.5',
      '--workers',
      '3',
      '--clients',
      '1',
      '--concurrency',
      '8',
      '--only',
      'totp,status',
      '--users',
      '50',
      '--tokens',
      '100000',
      '--out',
      'x.json',
      '--vs-freeradius',
      '--no-msg-auth',
      '--timeout',
      '500',
      '--dir',
      '/dev/shm',
      '--keep',
    ]);
    assert.equal(o.durationS, 2.5);
    assert.equal(o.workers, 3);
    assert.equal(o.clients, 1);
    assert.equal(o.concurrency, 8);
    assert.deepEqual(o.only, ['totp', 'status']);
    assert.equal(o.tokens, 100_000);
    assert.equal(o.out, 'x.json');
    assert.equal(o.vsFreeradius, true);
    assert.equal(o.messageAuthenticator, false);
    assert.equal(o.timeoutMs, 500);
    assert.equal(o.dir, '/dev/shm');
    assert.equal(o.keep, true);
  });

  test('bad values are refused with the option and what was expected', () => {
    assert.throws(() => parseOptions(['--users', '0']), /--users: expected 1 to 999999, got 0/);
    assert.throws(() => parseOptions(['--users', 'ten']), /--users: expected a whole number, got "ten"/);
    assert.throws(() => parseOptions(['--users', '100', '--tokens', '50']), /--tokens \(50\) must be at least --users \(100\)/);
    assert.throws(() => parseOptions(['--duration', '0']), /--duration: expected seconds from 1 to 3600, got "0"/);
    assert.throws(() => parseOptions(['--duration', '-5']), /--duration/);
    assert.throws(() => parseOptions(['--clients', '4', '--concurrency', '2']), /--concurrency \(2\) must be at least --clients \(4\)/);
    assert.throws(() => parseOptions(['--only', 'fr-pap']), /fr-\* workloads need --vs-freeradius/);
    assert.throws(() => parseOptions(['--bogus']), /Unknown option '--bogus'/);
  });

  test('workload lists: known names only, duplicates dropped', () => {
    assert.deepEqual(parseWorkloads('totp, totp,kdf'), ['totp', 'kdf']);
    assert.throws(() => parseWorkloads('totp,nope'), /unknown workload "nope"/);
    assert.throws(() => parseWorkloads(' , '), /at least one workload/);
  });

  test('selected: everything but FreeRADIUS by default; --only narrows', () => {
    assert.equal(selected({ only: undefined, vsFreeradius: false }, 'totp'), true);
    assert.equal(selected({ only: undefined, vsFreeradius: false }, 'fr-pap'), false);
    assert.equal(selected({ only: undefined, vsFreeradius: true }, 'fr-pap'), true);
    assert.equal(selected({ only: ['status'], vsFreeradius: true }, 'totp'), false);
    assert.equal(selected({ only: ['status'], vsFreeradius: true }, 'status'), true);
  });
});
