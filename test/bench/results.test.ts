import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadOutcome } from '../../bench/load.ts';
import { formatReport, otherCpu, processSplit, reportJson, table, unevenSplit, type Report } from '../../bench/report.ts';
import { judgeTargets, ratios, toResult, type WorkloadResult } from '../../bench/results.ts';
import { emptyCounts } from '../../bench/types.ts';

const cpu = {
  server: 150,
  processes: [
    { pid: 2, percent: 76 },
    { pid: 3, percent: 72 },
    { pid: 1, percent: 2 },
  ],
  bench: 30,
  host: 200,
};

function outcome(over: Partial<LoadOutcome>): LoadOutcome {
  return { ...emptyCounts(), latencies: [Float64Array.from([1, 2, 3, 4])], windowMs: 2000, cpuMs: 500, stepLead: 0, ...over };
}

function result(name: string, perSecond: Partial<WorkloadResult['perSecond']>, p99: number | null = 5, server: WorkloadResult['server'] = 'otp-radius'): WorkloadResult {
  const r = toResult({ name, server, description: '', mode: 'closed', concurrency: 64 }, outcome({}), cpu);
  return { ...r, perSecond: { answers: 0, accepts: 0, rejects: 0, challenges: 0, ...perSecond }, latencyMs: { ...r.latencyMs, p99 } };
}

describe('toResult', () => {
  test('rates per second of the window, latency summary, generator CPU share', () => {
    const r = toResult(
      { name: 'challenge', server: 'otp-radius', description: 'd', mode: 'closed', concurrency: 8 },
      outcome({ sent: 30, accepts: 10, challenges: 10, rejects: 2, other: 1, timeouts: 7 }),
      cpu,
    );
    assert.deepEqual(r.perSecond, { answers: 11.5, accepts: 5, rejects: 1, challenges: 5 });
    assert.equal(r.counts.timeouts, 7);
    assert.equal(r.latencyMs.p50, 2);
    assert.equal(r.generatorCpu, 25);
    assert.equal(r.durationS, 2);
    assert.equal('latencies' in r, false, 'raw samples stay out of the report');
  });
});

describe('targets and ratios', () => {
  const kdf = { threads: 2, hashes: 2000, seconds: 2, perSecond: 1000, msPerHash: 2, params: 'scrypt' };
  const memory = { tokens: 100_000, workers: [{ label: 'w', pid: 1, rssMb: 120, peakMb: 140, anonMb: 80, fileMb: 40 }] };

  test('each target judged against the issue figure', () => {
    const all = [
      result('totp', { accepts: 6000, answers: 6000 }),
      result('totp-4000', { accepts: 4000, answers: 4000 }, 12),
      result('totp-80', { accepts: 4800, answers: 4800 }, 25),
      result('totp-reject', { rejects: 7000, answers: 7000 }),
      result('pin-totp', { accepts: 850, answers: 850 }),
      result('pin-reject', { rejects: 800, answers: 800 }),
      result('status', { answers: 19_999 }),
      result('fr-pap', { accepts: 10_000, answers: 10_000 }, 5, 'freeradius'),
    ];
    const v = judgeTargets(all, kdf, memory);
    const met = Object.fromEntries(v.map((x) => [x.target.split(' ')[0], x.met]));
    assert.deepEqual(
      v.map((x) => x.met),
      [true, true, false, true, true, false, false, true, true],
    );
    assert.match(v[1]!.target, /p99 ms at 4000\/s \(80% of 5000\/s\)/);
    assert.match(v[2]!.target, /80% of the measured totp rate/);
    assert.equal(v[3]!.value, 0.85);
    assert.equal(v[7]!.value, 0.6);
    assert.equal(met.peak, true);
  });

  test('a target whose workload did not run is null, not failed', () => {
    const v = judgeTargets([result('status', { answers: 25_000 })], undefined, undefined);
    assert.equal(v.filter((x) => x.met !== null).length, 1);
    assert.equal(v.find((x) => x.target.startsWith('Status'))!.met, true);
  });

  test('ratios: only pairs where both sides ran', () => {
    const r = ratios([result('totp', { accepts: 3000 }), result('fr-pap', { accepts: 12_000 }, 5, 'freeradius'), result('status', { answers: 10 })]);
    assert.equal(r.length, 1);
    assert.equal(r[0]!.ratio, 0.25);
    assert.match(r[0]!.what, /FreeRADIUS PAP/);
  });
});

describe('report', () => {
  test('table aligns columns, numbers to the right', () => {
    assert.equal(
      table([
        ['name', 'n'],
        ['a', '5'],
        ['long', '100'],
      ]),
      'name  n\na       5\nlong  100',
    );
  });

  test('other CPU is what neither the server nor the bench used, never negative', () => {
    assert.equal(otherCpu(result('x', {})), 20);
    assert.equal(otherCpu({ ...result('x', {}), cpu: { ...cpu, server: 100, bench: 100, host: 150 } }), 0);
  });

  test('split by process: busiest first, above 1%; uneven when busy processes differ by more than a quarter', () => {
    const even = result('x', {});
    assert.equal(processSplit(even), '76/72/2');
    assert.equal(unevenSplit(even), false, 'the idle supervisor is not a worker');
    const uneven = {
      ...even,
      cpu: {
        ...cpu,
        processes: [
          { pid: 2, percent: 85 },
          { pid: 3, percent: 53 },
          { pid: 1, percent: 0.5 },
        ],
      },
    };
    assert.equal(processSplit(uneven), '85/53');
    assert.equal(unevenSplit(uneven), true);
    assert.equal(unevenSplit({ ...even, cpu: { ...cpu, processes: [{ pid: 9, percent: 94 }] } }), false, 'one process (FreeRADIUS) cannot be uneven');
  });

  test('formatReport shows machine, command, workloads, targets and notes; JSON rounds to 3 decimals', () => {
    const report: Report = {
      startedAt: '2025-01-01T00:00:00.000Z',
      command: 'npm run bench',
      machine: { cpus: 2, cpuModel: 'Test CPU', memoryGb: 4, node: 'v24', kernel: 'Linux' },
      settings: {},
      workloads: [result('totp', { accepts: 1234.5678, answers: 1234.5678 })],
      targets: judgeTargets([result('totp', { accepts: 1234.5678 })], undefined, undefined),
      ratios: [],
      notes: ['a note'],
    };
    const text = formatReport(report);
    assert.match(text, /2 CPUs, Test CPU/);
    assert.match(text, /command: npm run bench/);
    assert.match(text, /^totp\s+otp-radius\s+c=64\s+1235\s+1235/m);
    assert.match(text, /TOTP accepts\/s without the KDF \(otppin none\)\s+1235\s+>= 5000\s+NO/);
    assert.match(text, /note: a note/);
    assert.match(reportJson(report), /"accepts": 1234\.568/);
  });
});
