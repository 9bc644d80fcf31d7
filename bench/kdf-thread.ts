// One thread of the KDF-alone measurement: PIN checks back to back, exactly
// as the store verifies a token PIN (HMAC with the pepper, then scrypt).

import { parentPort, workerData } from 'node:worker_threads';
import { verifyPin } from '../src/store/pin-hash.ts';

const { pin, hash, pepper, durationMs } = workerData as { pin: string; hash: string; pepper: Uint8Array; durationMs: number };
const key = Buffer.from(pepper);
const started = performance.now();
let count = 0;
while (performance.now() - started < durationMs) {
  if (!(await verifyPin(pin, hash, key))) throw new Error('kdf: the PIN did not verify against its own hash');
  count++;
}
parentPort!.postMessage({ count, ms: performance.now() - started });
