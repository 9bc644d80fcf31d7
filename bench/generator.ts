// A generator thread: many requests outstanding over several connected UDP
// sockets (separate source ports, so a server's reusePort workers each get a
// share), answers matched by socket and identifier. Closed loop keeps
// `concurrency` requests in flight; open loop sends at a fixed rate and
// measures latency from each request's scheduled time, so a slow answer
// cannot hide the requests that queued behind it.

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { CodeBook, currentStep, StepPlan, wrongCode } from './codes.ts';
import { AuthenticatorSource, CODE, decodeAnswer, encodeRequest, userNameAttribute } from './packets.ts';
import { Samples } from './stats.ts';
import { emptyCounts, loginOf, type Counts, type Job, type ThreadInit, type ThreadResult } from './types.ts';

interface Pending {
  /** performance.now() at send, or the scheduled time in open loop. */
  since: number;
  inWindow: boolean;
  user: number;
  /** 1, or 2 for the answer to a challenge. */
  leg: 1 | 2;
  authenticator: Buffer;
}

interface Slot {
  socket: Socket;
  pending: (Pending | undefined)[];
  inUse: number;
  nextId: number;
}

const init = workerData as ThreadInit;
const seeds = init.seeds.map((u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength));
const plan = new StepPlan(init.users.length);
const book = new CodeBook(seeds);
const authenticators = new AuthenticatorSource(randomBytes(8));

parentPort!.on('message', (job: Job) => {
  run(job).then(
    (result) => parentPort!.postMessage({ result }, [result.latencies.buffer as ArrayBuffer]),
    (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

async function openSlots(job: Job): Promise<Slot[]> {
  return Promise.all(
    Array.from({ length: job.sockets }, () => {
      const socket = createSocket('udp4');
      return new Promise<Slot>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(job.port, job.host, () => {
          socket.off('error', reject);
          resolve({ socket, pending: new Array<Pending | undefined>(256).fill(undefined), inUse: 0, nextId: 0 });
        });
      });
    }),
  );
}

function expectedCode(job: Job, leg: 1 | 2): number {
  if (job.kind === 'reject') return CODE.AccessReject;
  if (job.kind === 'challenge' && leg === 1) return CODE.AccessChallenge;
  return CODE.AccessAccept;
}

async function run(job: Job): Promise<ThreadResult> {
  const names = init.users.map((u) => userNameAttribute(loginOf(job.loginPrefix, u)));
  const slots = await openSlots(job);
  const counts: Counts = emptyCounts();
  const latencies = new Samples(1 << 14);
  let userCursor = 0;
  let slotCursor = 0;
  let outstanding = 0;
  let stopping = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const t0 = performance.now();
  const windowStart = t0 + job.warmupMs;
  const windowEnd = windowStart + job.durationMs;
  let cpuStart = process.threadCpuUsage();
  let cpuEnd = cpuStart;

  const passwordFor = (user: number, leg: 1 | 2): string | undefined => {
    const nowStep = currentStep(Date.now());
    switch (job.kind) {
      case 'status':
        return undefined;
      case 'pap':
        return job.password;
      case 'reject':
        return job.pin + wrongCode(book.code(user, nowStep));
      case 'challenge':
        if (leg === 1) return job.pin;
        return book.code(user, job.steps === 'unique' ? plan.take(user, nowStep) : nowStep);
      case 'accept':
        return job.pin + book.code(user, job.steps === 'unique' ? plan.take(user, nowStep) : nowStep);
    }
  };

  /** Sends one request; false when no identifier was free. */
  const send = (since: number, user: number, leg: 1 | 2, state?: Buffer, counted?: boolean): boolean => {
    let slot: Slot | undefined;
    for (let i = 0; i < slots.length && !slot; i++) {
      const s = slots[slotCursor++ % slots.length]!;
      if (s.inUse < 256) slot = s;
    }
    if (!slot) return false;
    while (slot.pending[slot.nextId] !== undefined) slot.nextId = (slot.nextId + 1) & 0xff;
    const identifier = slot.nextId;
    slot.nextId = (slot.nextId + 1) & 0xff;
    const authenticator = authenticators.next();
    const password = passwordFor(user, leg);
    const bytes = encodeRequest(
      {
        code: job.kind === 'status' ? CODE.StatusServer : CODE.AccessRequest,
        identifier,
        authenticator,
        ...(job.kind === 'status' ? {} : { userName: names[user]! }),
        ...(password !== undefined ? { password } : {}),
        ...(state ? { state } : {}),
        messageAuthenticator: job.messageAuthenticator || job.kind === 'status',
      },
      job.secret,
    );
    const inWindow = counted ?? (since >= windowStart && since < windowEnd);
    if (inWindow && leg === 1) counts.sent++;
    slot.pending[identifier] = { since, inWindow, user, leg, authenticator };
    slot.inUse++;
    outstanding++;
    // No callback: a send error arrives as the socket's 'error' event, counted below.
    slot.socket.send(bytes);
    return true;
  };

  const nextUser = (): number => {
    const u = userCursor;
    userCursor = (userCursor + 1) % names.length;
    return u;
  };

  /** A new session (request, or challenge pair) unless the run is over. */
  const startOne = (since: number): boolean => (stopping ? false : send(since, nextUser(), 1));

  const settle = (slot: Slot, identifier: number): void => {
    slot.pending[identifier] = undefined;
    slot.inUse--;
    outstanding--;
    if (stopping && outstanding === 0) finish();
  };

  const onAnswer = (slot: Slot, msg: Buffer): void => {
    const identifier = msg[1];
    const p = identifier === undefined ? undefined : slot.pending[identifier];
    if (!p || identifier === undefined) return;
    const answer = decodeAnswer(msg, p.authenticator, job.secret);
    if (!answer?.authentic) {
      if (p.inWindow) counts.inauthentic++;
      return;
    }
    const now = performance.now();
    settle(slot, identifier);
    if (p.inWindow) {
      latencies.push(now - p.since);
      if (answer.code === CODE.AccessAccept) counts.accepts++;
      else if (answer.code === CODE.AccessReject) counts.rejects++;
      else if (answer.code === CODE.AccessChallenge) counts.challenges++;
      else counts.other++;
      if (answer.code !== expectedCode(job, p.leg)) counts.unexpected++;
    }
    if (job.kind === 'challenge' && p.leg === 1 && answer.code === CODE.AccessChallenge && answer.state) {
      // The answer to the challenge belongs to the same session: sent at once, in the same window.
      if (send(now, p.user, 2, answer.state, p.inWindow) || job.rate > 0) return;
    }
    if (job.rate === 0) startOne(now);
  };

  for (const slot of slots) {
    slot.socket.on('message', (msg) => onAnswer(slot, msg));
    // Connected UDP sockets report ICMP errors (nothing listening) here.
    slot.socket.on('error', () => counts.sendErrors++);
  }

  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const slot of slots) {
      if (slot.inUse === 0) continue;
      for (let id = 0; id < 256; id++) {
        const p = slot.pending[id];
        if (!p || now - p.since < job.timeoutMs) continue;
        if (p.inWindow) counts.timeouts++;
        settle(slot, id);
        if (job.rate === 0) startOne(now);
      }
    }
  }, 20);

  let ticker: NodeJS.Timeout | undefined;
  if (job.rate > 0) {
    let issued = 0;
    const interval = 1000 / job.rate;
    ticker = setInterval(() => {
      const due = Math.floor((performance.now() - t0) / interval);
      for (; issued < due && !stopping; issued++) {
        if (!startOne(t0 + issued * interval)) {
          const at = t0 + issued * interval;
          if (at >= windowStart && at < windowEnd) counts.skipped++;
        }
      }
    }, 1);
  } else {
    for (let i = 0; i < job.concurrency; i++) startOne(t0);
  }

  setTimeout(() => (cpuStart = process.threadCpuUsage()), job.warmupMs);
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      cpuEnd = process.threadCpuUsage();
      stopping = true;
      if (ticker) clearInterval(ticker);
      resolve();
    }, job.warmupMs + job.durationMs),
  );
  if (outstanding > 0) await done;
  clearInterval(sweeper);
  await Promise.all(slots.map((s) => new Promise<void>((resolve) => s.socket.close(() => resolve()))));
  return {
    ...counts,
    latencies: latencies.toArray(),
    windowMs: job.durationMs,
    cpuMs: (cpuEnd.user - cpuStart.user + cpuEnd.system - cpuStart.system) / 1000,
    stepLead: job.kind === 'accept' || job.kind === 'challenge' ? plan.lead(currentStep(Date.now())) : 0,
  };
}
