// `--only timing`: does the answer time tell why a login failed? One
// request at a time, the reject paths taken in turn (so a slow second of
// the machine falls on every path alike): unknown user, no token, disabled
// token, locked token, throttled source, wrong PIN, wrong OTP, against the
// default policy (token PIN, challenge-response on). Each path's median and
// p90, and its median over the slowest one's: the target is every median
// within 25% of the others.

import { randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TOKENS } from '../src/model/token-defaults.ts';
import { buildRequest, RadiusClient } from '../src/radius/client.ts';
import { ATTR, CODE, rawAttribute } from '../src/radius/packet.ts';
import { openStore } from '../src/store/index.ts';
import { buildToken } from '../src/tokens/index.ts';
import type { BenchOptions } from './options.ts';
import { table, type Machine } from './report.ts';
import { percentile } from './stats.ts';
import { freePort, SECRET } from './setup.ts';
import { startServer } from './server.ts';

const SAMPLES = 150;
const PIN = '1234';
/** The target: the fastest path's median at least this share of the slowest one's. */
export const TIMING_TARGET = 0.8;

interface Path {
  name: string;
  user: string;
  /** Calling-Station-Id: this and a sample number, fresh per sample to keep the throttle out of every path but its own; or this alone. */
  station: string;
  fixedStation?: boolean;
  password: () => string;
}

const stationOf = (path: Path, i: number): string => (path.fixedStation ? path.station : `${path.station}-${i}`);

const sixDigits = (): string => String(randomInt(1_000_000)).padStart(6, '0');

const PATHS: readonly Path[] = [
  { name: 'unknown user', user: 'nobody', station: 'unknown', password: () => `${PIN}${sixDigits()}` },
  { name: 'no token', user: 'no-token', station: 'no-token', password: () => `${PIN}${sixDigits()}` },
  { name: 'disabled token', user: 'disabled', station: 'disabled', password: () => `${PIN}${sixDigits()}` },
  { name: 'locked token', user: 'locked', station: 'locked', password: () => `${PIN}${sixDigits()}` },
  { name: 'throttled source', user: 'active', station: 'throttled-station', fixedStation: true, password: () => `9999${sixDigits()}` },
  { name: 'wrong PIN', user: 'active', station: 'wrong-pin', password: () => `9999${sixDigits()}` },
  { name: 'wrong OTP', user: 'active', station: 'wrong-otp', password: () => `${PIN}${sixDigits()}` },
];

export interface TimingPath {
  name: string;
  samples: number;
  reasons: string[];
  medianMs: number;
  p90Ms: number;
  /** Median over the slowest path's median. */
  ratio: number;
}

async function setUp(dir: string, port: number): Promise<string> {
  const users = join(dir, 'users.yaml');
  await writeFile(users, `users:\n${['no-token', 'disabled', 'locked', 'active'].map((u) => `  - { login: ${u}, id: ${u} }`).join('\n')}\n`);
  const config = join(dir, 'otp-radius.yaml');
  await writeFile(
    config,
    `listen: { address: 127.0.0.1, port: ${port} }
clients:
  - { name: bench, address: 127.0.0.1, secret: ${SECRET}, requireMessageAuthenticator: false }
log: { level: info, audit: ${JSON.stringify(join(dir, 'audit.log'))} }
store:
  sqlite: { path: ${JSON.stringify(join(dir, 'tokens.db'))} }
  keyFile: ${JSON.stringify(join(dir, 'tokens.key'))}
resolvers:
  local: { type: file, path: ${JSON.stringify(users)} }
realms:
  default: { resolvers: [local], default: true }
`,
  );
  const store = await openStore({ sqlite: { path: join(dir, 'tokens.db') }, keyFile: join(dir, 'tokens.key') });
  try {
    const pinHash = await store.pins.hash(PIN);
    // Wrong OTPs on 'active' count toward its lock: a max fail no run reaches.
    const defaults = { ...DEFAULT_TOKENS, maxFail: 1_000_000 };
    for (const [user, patch] of [
      ['disabled', { active: false }],
      ['locked', { locked: true }],
      ['active', {}],
    ] as const) {
      const owner = { realm: 'default', resolver: 'local', userId: user, login: user };
      await store.createToken(buildToken({ type: 'totp', serial: `TIMING-${user}`, owner, pinHash }, defaults).token);
      if (Object.keys(patch).length > 0) await store.updateToken(`TIMING-${user}`, patch);
    }
    // The throttled source: more wrong PINs than the free ones, just now, so it waits minutes.
    for (let i = 0; i < 12; i++) await store.recordThrottleFailure({ realm: 'default', login: 'active', source: 'station:throttled-station' }, Date.now() / 1000, 3600);
  } finally {
    await store.close();
  }
  return config;
}

export async function runTiming(o: BenchOptions, machine: Machine, log: (line: string) => void): Promise<{ text: string; paths: TimingPath[] }> {
  const dir = await mkdtemp(join(o.dir, 'otp-radius-timing-'));
  const port = await freePort();
  const config = await setUp(dir, port);
  const server = await startServer({ configFile: config, port, secret: SECRET, workers: o.workers });
  const client = new RadiusClient('127.0.0.1', port);
  const times = PATHS.map(() => new Float64Array(SAMPLES));
  const reasons = PATHS.map(() => new Set<string>());
  try {
    log(`timing: ${PATHS.length} reject paths, ${SAMPLES} samples each, one request at a time, interleaved`);
    for (let i = 0; i < SAMPLES; i++) {
      for (const [p, path] of PATHS.entries()) {
        const request = buildRequest({
          identifier: (i * PATHS.length + p) % 256,
          secret: SECRET,
          userName: path.user,
          password: path.password(),
          attributes: [rawAttribute(ATTR.CallingStationId, Buffer.from(stationOf(path, i)))],
        });
        const t0 = performance.now();
        const answer = await client.send(request, SECRET, 5000);
        times[p]![i] = performance.now() - t0;
        if (answer?.packet.code !== CODE.AccessReject) throw new Error(`timing: ${path.name} got ${answer ? `code ${answer.packet.code}` : 'no answer'}, expected Access-Reject`);
      }
    }
  } finally {
    client.close();
    await server.stop();
  }
  // The reasons the server audited, to show each path took the way it is named after.
  for (const line of (await readFile(join(dir, 'audit.log'), 'utf8')).split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { callingStationId?: string; reason: string };
    const p = PATHS.findIndex((path) => (path.fixedStation ? event.callingStationId === path.station : event.callingStationId?.startsWith(`${path.station}-`)));
    if (p >= 0) reasons[p]!.add(event.reason);
  }
  if (!o.keep) await rm(dir, { recursive: true, force: true });
  const medians = times.map((t) => percentile(t.slice().sort(), 50)!);
  const slowest = Math.max(...medians);
  const paths: TimingPath[] = PATHS.map((path, p) => ({
    name: path.name,
    samples: SAMPLES,
    reasons: [...reasons[p]!],
    medianMs: medians[p]!,
    p90Ms: percentile(times[p]!.slice().sort(), 90)!,
    ratio: medians[p]! / slowest,
  }));
  const fastest = Math.min(...paths.map((p) => p.ratio));
  const rows = [['path', 'audited as', 'median ms', 'p90 ms', 'median / slowest'], ...paths.map((p) => [p.name, p.reasons.join(', '), p.medianMs.toFixed(2), p.p90Ms.toFixed(2), p.ratio.toFixed(2)])];
  const text =
    `${table(rows)}\n` +
    `every median within 25% of the others (fastest / slowest >= ${TIMING_TARGET})   ${fastest.toFixed(2)}   ${fastest >= TIMING_TARGET ? 'yes' : 'NO'}\n` +
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.kernel}\n`;
  return { text, paths };
}
