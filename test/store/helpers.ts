import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { NewToken } from '../../src/model/token.ts';

/** A fresh directory under the OS temp dir, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-store-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const SEED = Buffer.from('12345678901234567890');

export function newToken(serial: string, extra: Partial<NewToken> = {}): NewToken {
  return {
    serial,
    type: 'hotp',
    seed: SEED,
    otpLength: 6,
    algorithm: 'sha1',
    timeStep: 30,
    window: 10,
    syncWindow: 100,
    maxFail: 3,
    ...extra,
  };
}

export const OWNER = { realm: 'corp', resolver: 'ldap1', userId: 'uid-1', login: 'alice' };
