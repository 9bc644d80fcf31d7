import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cpuBetween, parseCpuLine, parseStat, parseStatus, processTree, ticksPerSecond } from '../../bench/procstat.ts';

describe('/proc parsers', () => {
  test('parseStat counts fields after the last ")", so a command name with spaces and parentheses does not shift them', () => {
    const line = '4242 (node (worker) 1) S 4241 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 1000 0 0';
    assert.deepEqual(parseStat(line), { pid: 4242, ppid: 4241, ticks: 325 });
    assert.throws(() => parseStat('garbage'), /no "\(comm\)"/);
    assert.throws(() => parseStat('1 (x) S'), /unexpected fields/);
  });

  test('parseStatus reads resident, peak, private and file-backed memory', () => {
    const text = 'Name:\tnode\nVmHWM:\t  200000 kB\nVmRSS:\t  150000 kB\nRssAnon:\t  100000 kB\nRssFile:\t   50000 kB\n';
    assert.deepEqual(parseStatus(text), { rssKb: 150000, peakKb: 200000, anonKb: 100000, fileKb: 50000 });
    assert.throws(() => parseStatus('Name:\tnode\n'), /no VmRSS line/);
  });

  test('parseCpuLine: idle includes iowait', () => {
    assert.deepEqual(parseCpuLine('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n'), { total: 1000, idle: 850 });
    assert.throws(() => parseCpuLine('intr 1 2'), /expected a "cpu" line first/);
  });

  test('cpuBetween: percent of one core for server, bench and host; each server process busiest first', () => {
    const hz = ticksPerSecond();
    // pid 11 started during the interval (a replaced worker): no share of its own, but counted in the total.
    const a = {
      at: 0,
      serverTicks: 0,
      processTicks: new Map([
        [10, 0],
        [12, 0],
        [13, 0],
      ]),
      system: { total: 0, idle: 0 },
      self: { user: 0, system: 0 },
    };
    const b = {
      at: 2000,
      serverTicks: 3 * hz,
      processTicks: new Map([
        [10, 0.1 * hz],
        [11, 0.2 * hz],
        [12, 1 * hz],
        [13, 1.7 * hz],
      ]),
      system: { total: 400, idle: 100 },
      self: { user: 500_000, system: 500_000 },
    };
    const use = cpuBetween(a, b, 2);
    assert.equal(Math.round(use.server), 150);
    assert.deepEqual(
      use.processes.map((p) => [p.pid, Math.round(p.percent)]),
      [
        [13, 85],
        [12, 50],
        [10, 5],
      ],
    );
    assert.equal(Math.round(use.bench), 50);
    assert.equal(Math.round(use.host), 150);
  });

  test('processTree of this process finds it', () => {
    const tree = processTree(process.pid);
    assert.ok(tree.some((s) => s.pid === process.pid));
  });
});
