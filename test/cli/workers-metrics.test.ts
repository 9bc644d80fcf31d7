// /metrics of `serve --workers 2`: whichever worker takes the scrape, it
// shows the whole server — every decision of both workers, counters that
// never go backwards (not even when a worker dies), each process's runtime
// series under its own worker label, and the build info.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CODE } from '../../src/radius/packet.ts';
import { freeUdpPort } from '../helpers/radius.ts';
import { freeTcpPort } from '../helpers/ports.ts';
import { find, parseExposition, sum, type Exposition } from '../helpers/prometheus.ts';
import { askAlice, serveProcess, waitForLines } from '../helpers/serve-process.ts';
import { writeStackConfig } from '../helpers/stack.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** A GET on a connection of its own, so that the cluster hands each to the next worker. */
function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function scrape(port: number): Promise<Exposition> {
  const r = await get(port, '/metrics');
  assert.equal(r.status, 200, r.body);
  assert.equal(r.type, 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(r.body);
}

/** Every counter series of `before` is in `after` with a value at least as large. */
function notBackwards(before: Exposition, after: Exposition, what: string): void {
  for (const s of before.samples) {
    const family = s.name.replace(/_(bucket|sum|count)$/, '');
    const type = before.types.get(s.name) ?? before.types.get(family);
    if (type !== 'counter' && type !== 'histogram') continue;
    // A dead worker's runtime series go with it; the server's own counts stay.
    if (s.labels.worker !== undefined) continue;
    const now = find(after, s.name, s.labels);
    assert.ok(now !== undefined && now >= s.value, `${what}: ${s.name}${JSON.stringify(s.labels)} went from ${s.value} to ${now}`);
  }
}

describe('serve --workers 2: /metrics', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-radius-workers-metrics-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("each scrape shows both workers' decisions, counters never go backwards, runtime series per worker, build info", async () => {
    const port = await freeUdpPort();
    const httpPort = await freeTcpPort();
    const s = serveProcess(await writeStackConfig(dir, port, `http:\n  listen: { address: 127.0.0.1, port: ${httpPort} }\n`), 2);
    try {
      await waitForLines(s, (l) => l.msg === 'otp-radius started' && l.workers === 2);
      const RADIUS = 40;
      const HTTP = 10;
      for (let i = 0; i < RADIUS; i++) assert.equal(await askAlice(port, 'x'), CODE.AccessReject);
      for (let i = 0; i < HTTP; i++) assert.equal((await get(httpPort, '/validate/simplecheck?user=alice&pass=x')).body, ':-(');
      await waitForLines(s, (l) => l.event === 'auth', RADIUS + HTTP);
      const audits = s.lines().filter((l) => l.event === 'auth');
      assert.deepEqual(new Set(audits.map((l) => l.worker)), new Set([1, 2]), 'the traffic reached both workers');

      const scrapes: Exposition[] = [];
      for (let i = 0; i < 6; i++) scrapes.push(await scrape(httpPort));
      for (const [i, e] of scrapes.entries()) {
        assert.equal(sum(e, 'otp_radius_decisions_total'), RADIUS + HTTP, `scrape ${i}: every decision of the server`);
        assert.equal(sum(e, 'otp_radius_decisions_total', { front_end: 'radius' }), RADIUS, `scrape ${i}`);
        assert.equal(sum(e, 'otp_radius_decisions_total', { front_end: 'http' }), HTTP, `scrape ${i}`);
        assert.equal(find(e, 'otp_radius_decision_seconds_count', { front_end: 'radius' }), RADIUS, `scrape ${i}`);
        assert.equal(find(e, 'otp_radius_packets_received_total', {}), RADIUS, `scrape ${i}`);
        assert.equal(find(e, 'otp_radius_metrics_workers_missing', {}), 0, `scrape ${i}`);
        assert.equal(find(e, 'otp_radius_build_info', { version, node: process.version }), 1, `scrape ${i}`);
        for (const w of ['1', '2', 'supervisor']) {
          assert.ok(find(e, 'process_cpu_user_seconds_total', { worker: w })! > 0, `scrape ${i}: CPU of ${w}`);
          assert.ok(find(e, 'nodejs_heap_size_used_bytes', { worker: w })! > 0, `scrape ${i}: heap of ${w}`);
        }
        for (const x of e.samples.filter((x) => x.name.startsWith('otp_radius_'))) assert.equal(x.labels.worker, undefined, `${x.name} is one series for the server`);
        if (i > 0) notBackwards(scrapes[i - 1]!, e, `scrape ${i}`);
      }
      // Six connections, handed out in turn: both workers answered scrapes.
      assert.ok(scrapes.every((e) => e.samples.some((x) => x.name === 'process_start_time_seconds' && x.labels.worker === '2')));

      const victim = s.lines().find((l) => l.msg === 'worker started' && l.worker === 2)!.pid as number;
      process.kill(victim, 'SIGKILL');
      await waitForLines(s, (l) => l.msg === 'worker died; starting a new one');
      await waitForLines(s, (l) => l.msg === 'worker started', 3);
      await waitForLines(s, (l) => l.msg === 'worker started' && l.worker === 3);
      for (let i = 0; i < 4; i++) {
        const e = await scrape(httpPort);
        notBackwards(scrapes.at(-1)!, e, `after the restart, scrape ${i}`);
        assert.equal(sum(e, 'otp_radius_decisions_total'), RADIUS + HTTP, "the dead worker's decisions still count");
        assert.equal(find(e, 'process_cpu_user_seconds_total', { worker: '2' }), undefined, "the dead worker's runtime series are gone");
      }
      let replaced = false;
      for (let i = 0; i < 40 && !replaced; i++) replaced = find(await scrape(httpPort), 'process_cpu_user_seconds_total', { worker: '3' }) !== undefined;
      assert.ok(replaced, 'the new worker is asked once it is ready');
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
