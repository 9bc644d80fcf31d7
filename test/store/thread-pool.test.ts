import assert from 'node:assert/strict';
import { closeSync, fdatasync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashPin, verifyPin } from '../../src/store/pin-hash.ts';
import { hashConcurrency, JobQueue, threadPoolSize } from '../../src/store/thread-pool.ts';

test('the pool size is read as libuv reads UV_THREADPOOL_SIZE', () => {
  assert.equal(threadPoolSize({}), 4);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '8' }), 8);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: ' 16' }), 16);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '6threads' }), 6);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '0' }), 1);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' }), 1);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '' }), 1);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' }), 1024);
  assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: '-2' }), 1024);
  assert.equal(hashConcurrency({}), 3);
  assert.equal(hashConcurrency({ UV_THREADPOOL_SIZE: '1' }), 1);
  assert.equal(hashConcurrency({ UV_THREADPOOL_SIZE: '2' }), 1);
  assert.equal(hashConcurrency({ UV_THREADPOOL_SIZE: '16' }), 15);
});

test('a job queue runs at most its limit at once, the rest in the order they came', async () => {
  const q = new JobQueue(2);
  const started: number[] = [];
  const finish: (() => void)[] = [];
  let peak = 0;
  const jobs = Array.from({ length: 6 }, (_, i) =>
    q.run(async () => {
      started.push(i);
      peak = Math.max(peak, q.running);
      await new Promise<void>((resolve) => finish.push(resolve));
      return i * 10;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(q.waiting, 4);
  // Finishing the second lets the third start, not any later one.
  finish[1]!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  while (started.length < 6 || finish.length > 0) {
    finish.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all(jobs), [0, 10, 20, 30, 40, 50]);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  assert.equal(peak, 2);
  assert.equal(q.running, 0);
  assert.equal(q.waiting, 0);
});

test('a job that fails or throws gives its place to the next one', async () => {
  const q = new JobQueue(1);
  const failing = q.run(() => Promise.reject(new Error('bad hash')));
  const throwing = q.run(() => {
    throw new Error('thrown');
  });
  const fine = q.run(async () => 'ok');
  await assert.rejects(failing, /bad hash/);
  await assert.rejects(throwing, /thrown/);
  assert.equal(await fine, 'ok');
  assert.equal(q.running, 0);
});

test('a long queue drains completely, in order', async () => {
  const q = new JobQueue(3);
  const order: number[] = [];
  await Promise.all(Array.from({ length: 5000 }, (_, i) => q.run(async () => void order.push(i))));
  assert.equal(order.length, 5000);
  assert.ok(order.every((v, i) => v === i));
  assert.equal(q.waiting, 0);
  assert.equal(q.running, 0);
});

test('while PIN hashes fill the queue, a file sync still finds a pool thread', async (t) => {
  const pepper = Buffer.alloc(32, 7);
  const stored = await hashPin('1234', pepper, { ln: 12, r: 8, p: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-pool-'));
  const fd = openSync(join(dir, 'f'), 'w');
  try {
    let verified = 0;
    const checks = Array.from({ length: 40 }, () => verifyPin('0000', stored, pepper).then(() => verified++));
    const doneAfter: number = await new Promise<number>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve(verified))));
    await Promise.all(checks);
    t.diagnostic(`the sync came back after ${doneAfter} of 40 PIN checks`);
    // Queued in the pool behind them, the sync came back after 38-39 of the 40.
    assert.ok(doneAfter <= 20, `the sync came back after ${doneAfter} of 40 PIN checks`);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
