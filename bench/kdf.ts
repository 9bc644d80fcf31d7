// What the KDF alone allows: N threads (default: one per CPU) each verifying
// PINs with the store's scrypt parameters, nothing else running. The PIN+TOTP
// workload is judged against this rate.

import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { DEFAULT_PIN_PARAMS, hashPin } from '../src/store/pin-hash.ts';
import type { KdfResult } from './results.ts';

export async function measureKdf(threads: number, durationMs: number): Promise<KdfResult> {
  const pepper = randomBytes(32);
  const pin = '1234';
  const hash = await hashPin(pin, pepper);
  const started = performance.now();
  const results = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<{ count: number; ms: number }>((resolve, reject) => {
          const w = new Worker(new URL('./kdf-thread.ts', import.meta.url), { workerData: { pin, hash, pepper: new Uint8Array(pepper), durationMs } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const hashes = results.reduce((n, r) => n + r.count, 0);
  const { ln, r, p } = DEFAULT_PIN_PARAMS;
  return {
    threads,
    hashes,
    seconds,
    perSecond: results.reduce((n, x) => n + (x.count / x.ms) * 1000, 0),
    // CPU milliseconds per hash: all cores busy for the run, shared by the hashes.
    msPerHash: (threads * seconds * 1000) / hashes,
    params: `scrypt N=2^${ln}, r=${r}, p=${p}`,
  };
}
