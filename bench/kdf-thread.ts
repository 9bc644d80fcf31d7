// One thread of the KDF-alone measurement: PIN checks exactly as the store
// verifies a token PIN (HMAC with the pepper, then scrypt on libuv's pool),
// two in flight so the pool never waits for this thread to hand it the next.

import { parentPort, workerData } from 'node:worker_threads';
import { verifyPin } from '../src/store/pin-hash.ts';

const IN_FLIGHT = 2;
const { pin, hash, pepper, durationMs } = workerData as { pin: string; hash: string; pepper: Uint8Array; durationMs: number };
const key = Buffer.from(pepper);
const started = performance.now();
let count = 0;

async function loop(): Promise<void> {
  while (performance.now() - started < durationMs) {
    if (!(await verifyPin(pin, hash, key))) throw new Error('kdf: the PIN did not verify against its own hash');
    count++;
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
parentPort!.postMessage({ count, ms: performance.now() - started });
