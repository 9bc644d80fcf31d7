// `otp-radius import ...` and `otp-radius export ...` as an admin runs them
// (in-process, output captured): reports, refusals, exit codes, and the way
// out and back in again (export, then import elsewhere, gives the same tokens).

import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { exportCommand } from '../../src/cli/export.ts';
import { importCommand } from '../../src/cli/import.ts';
import { reportError } from '../../src/cli/errors.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openServices } from '../../src/server/services.ts';
import type { NewToken } from '../../src/model/token.ts';
import { dump, tempDir, writeConfig } from './helpers.ts';
import { ENC_KEY, sampleRows, writeSqlite } from './linotp-fixture.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as main.ts does: the exit code, and everything written to stdout and stderr. */
async function run(command: (args: string[]) => Promise<number>, args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await command(args);
  } catch (e) {
    code = reportError(e);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}

async function setup(name: string, tokens: NewToken[] = []): Promise<{ dir: string; config: string }> {
  const dir = await tempDir();
  const config = await writeConfig(dir, `${name}.yaml`, `${name}.db`);
  const s = await openServices(loadConfig(config).config, pino({ level: 'silent' }), { create: true });
  try {
    for (const t of tokens) await s.store.createToken(t);
  } finally {
    await s.close();
  }
  return { dir, config };
}

async function storeOf(config: string): Promise<Record<string, unknown>[]> {
  const s = await openServices(loadConfig(config).config, pino({ level: 'silent' }), {});
  try {
    return (await dump(s.store)) as Record<string, unknown>[];
  } finally {
    await s.close();
  }
}

const SEED = Buffer.from('12345678901234567890');
const TOKENS: NewToken[] = [
  {
    serial: 'H1',
    type: 'hotp',
    seed: SEED,
    otpLength: 6,
    algorithm: 'sha1',
    timeStep: 30,
    window: 10,
    syncWindow: 100,
    maxFail: 10,
    counter: 42,
    description: 'fob & co <1>',
    owner: { realm: 'corp', resolver: 'local', userId: '1001', login: 'alice' },
  },
  {
    serial: 'T1',
    type: 'totp',
    seed: Buffer.alloc(32, 7),
    otpLength: 8,
    algorithm: 'sha256',
    timeStep: 60,
    window: 180,
    syncWindow: 40,
    maxFail: 10,
    counter: 29_000_000,
    drift: -120,
    validFrom: 1_700_000_000,
    validUntil: 1_900_000_000,
  },
  {
    serial: 'O1',
    type: 'ocra',
    seed: Buffer.alloc(20, 3),
    otpLength: 8,
    algorithm: 'sha256',
    timeStep: 30,
    window: 10,
    syncWindow: 100,
    maxFail: 10,
    counter: 5,
    info: { ocrasuite: 'OCRA-1:HOTP-SHA256-8:C-QN08' },
  },
];

/** What an export carries over: the token's identity and OTP parameters. */
function portable(t: Record<string, unknown>): unknown {
  const info = t.info as Record<string, string>;
  return [t.serial, t.type, t.seed, t.otpLength, t.algorithm, t.type === 'totp' ? t.timeStep : null, t.counter, t.drift, info.ocrasuite ?? null, t.validFrom, t.validUntil, t.description];
}

describe('export and import again', () => {
  for (const [name, exportArgs, importArgs] of [
    ['pskc, pre-shared key', ['--psk', '00112233445566778899aabbccddeeff'], ['--psk', '00112233445566778899AABBCCDDEEFF']],
    ['pskc, password (PBKDF2)', ['--password', 'correct horse'], ['--password', 'correct horse']],
    ['pskc, plain', ['--plain'], []],
  ] as const) {
    test(name, async () => {
      const a = await setup('a', TOKENS);
      const b = await setup('b');
      const file = join(a.dir, 'out.pskc');
      const exported = await run(exportCommand, ['pskc', ...exportArgs, '--out', file, '--config', a.config]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.equal(((await stat(file)).mode & 0o777).toString(8), '600');
      const xml = await readFile(file, 'utf8');
      assert.equal(xml.includes(SEED.toString('base64')), name.endsWith('plain'), 'seeds in clear only with --plain');
      const imported = await run(importCommand, ['pskc', file, ...importArgs, '--config', b.config]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /^imported 3 tokens \(3 new, 0 updated\) from .*out\.pskc into sqlite:.*b\.db\n$/);
      assert.deepEqual((await storeOf(b.config)).map(portable), (await storeOf(a.config)).map(portable));
    });
  }

  test('pskc without a key or password is encrypted with a new key printed on stderr', async () => {
    const a = await setup('a', TOKENS);
    const b = await setup('b');
    const file = join(a.dir, 'out.pskc');
    const exported = await run(exportCommand, ['pskc', '--out', file, '--config', a.config]);
    const key = /encrypted with the pre-shared key ([0-9a-f]{32}) \(import with --psk\)/.exec(exported.stderr)?.[1];
    assert.ok(key, exported.stderr);
    assert.equal((await run(importCommand, ['pskc', file, '--config', b.config])).code, 1);
    const keyFile = join(a.dir, 'psk');
    await writeFile(keyFile, `${key}\n`);
    assert.equal((await run(importCommand, ['pskc', file, '--psk-file', keyFile, '--config', b.config])).code, 0);
    assert.deepEqual((await storeOf(b.config)).map(portable), (await storeOf(a.config)).map(portable));
  });

  test('oath-csv needs --plain; with --users the owners come back too', async () => {
    const a = await setup('a', TOKENS);
    const b = await setup('b');
    const refused = await run(exportCommand, ['oath-csv', '--config', a.config]);
    assert.deepEqual([refused.code, refused.stderr], [2, 'otp-radius: export oath-csv: the file holds the seeds in clear; give --plain to confirm, or export pskc (encrypted)\n']);
    const file = join(a.dir, 'out.csv');
    assert.equal((await run(exportCommand, ['oath-csv', '--plain', '--users', '--out', file, '--config', a.config])).code, 0);
    assert.match(await readFile(file, 'utf8'), /^# version: 2\n# otp-radius export, seeds in clear: .*\nH1,3132333435363738393031323334353637383930,alice,local,corp,hotp,6,42,sha1\n/);
    const again = await run(exportCommand, ['oath-csv', '--plain', '--out', file, '--config', a.config]);
    assert.match(again.stderr, /export: --out .*out\.csv: already exists \(not overwritten\)/);
    const imported = await run(importCommand, ['oath-csv', file, '--config', b.config]);
    assert.equal(imported.code, 0, imported.stderr);
    const tokens = await storeOf(b.config);
    // The TOTP column carries the time step, not the next usable step: that one only PSKC keeps (as Time).
    assert.deepEqual(
      tokens.map((t) => [t.serial, t.counter, t.timeStep, (t.owner as { login: string } | null)?.login ?? null]),
      [
        ['H1', 42, 30, 'alice'],
        ['O1', 5, 30, null],
        ['T1', 0, 60, null],
      ],
    );
  });
});

describe('otp-radius import', () => {
  test('linotp: the report, the not-imported list, warnings; --dry-run writes nothing', async () => {
    const b = await setup('b');
    const db = join(b.dir, 'linotp.db');
    await writeSqlite(db, sampleRows(Math.floor(Date.now() / 1000)));
    const encKey = join(b.dir, 'encKey');
    await writeFile(encKey, ENC_KEY);
    const args = ['linotp', '--db', `sqlite:${db}`, '--enckey', encKey, '--realm-map', 'MyRealm=corp', '--config', b.config];
    const dry = await run(importCommand, [...args, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: would import 7 tokens \(7 new, 0 updated\) from sqlite:.*linotp\.db into sqlite:.*b\.db; nothing written\n/);
    assert.deepEqual(await storeOf(b.config), []);
    const r = await run(importCommand, args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.split('\n').slice(1).join('\n'),
      ['by type: hotp 2, totp 1, ocra 1, email 1, sms 1, spass 1', 'not imported (1):', '  PUSH0006: token type "push" has no equivalent here; owner 1001 (resolver local)', ''].join('\n'),
    );
    assert.match(r.stderr, /^warning: HOTP0005: owner 4711 not found in resolver "local"/m);
    assert.equal((await storeOf(b.config)).length, 7);
  });

  test('linotp: usage errors and the problems of a failed run', async () => {
    const b = await setup('b');
    assert.deepEqual(await run(importCommand, ['linotp', '--enckey', 'x', '--config', b.config]), {
      code: 2,
      stdout: '',
      stderr: 'otp-radius: import linotp: --db is required (sqlite:PATH, postgres://..., mysql://...)\n',
    });
    assert.match((await run(importCommand, ['linotp', '--db', 'sqlite:x', '--enckey', '/nonexistent/encKey'])).stderr, /import linotp: --enckey: cannot read \/nonexistent\/encKey: no such file/);
    assert.match((await run(importCommand, ['linotp', '--db', 'sqlite:x', '--enckey', 'k', '--realm-map', 'nope'])).stderr, /--realm-map: expected OLD=NEW, got "nope"/);
    const db = join(b.dir, 'linotp.db');
    await writeSqlite(db, [
      { id: 1, serial: 'X1', keyEnc: 'abcd', keyIv: '00'.repeat(16) },
      { id: 2, serial: 'X2', info: '[]' },
    ]);
    const encKey = join(b.dir, 'encKey');
    await writeFile(encKey, ENC_KEY);
    const r = await run(importCommand, ['linotp', '--db', `sqlite:${db}`, '--enckey', encKey, '--config', b.config]);
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr:
        'token X1: LinOtpKeyEnc: ciphertext must be a non-empty multiple of 16 bytes, got 2\ntoken X2: LinOtpTokenInfo: expected a JSON object\notp-radius: import linotp: 2 problems above; nothing imported\n',
    });
  });

  test('pskc and oath-csv: files that cannot be imported, unknown sources', async () => {
    const b = await setup('b');
    const csv = join(b.dir, 'bad.csv');
    await writeFile(csv, 'A, 12zz\n');
    assert.deepEqual(await run(importCommand, ['oath-csv', csv, '--config', b.config]), {
      code: 1,
      stdout: '',
      stderr: `${csv}:1: seed: not valid hex (character 'z' at 2)\notp-radius: import oath-csv: the problem above; nothing imported\n`,
    });
    const pskc = join(b.dir, 'pin-only.pskc');
    await writeFile(
      pskc,
      '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"><KeyPackage><Key Id="p" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:pin"><Data><Secret><PlainValue>MTIzNA==</PlainValue></Secret></Data></Key></KeyPackage></KeyContainer>',
    );
    assert.match(
      (await run(importCommand, ['pskc', pskc, '--config', b.config])).stderr,
      /pin-only\.pskc: no key in it can be imported \(KeyPackage 1: a PIN key \(the PIN of another key\), not a token\)/,
    );
    assert.match((await run(importCommand, ['pskc', pskc, '--psk', 'abc'])).stderr, /import pskc: --psk: expected 32, 48 or 64 hex digits \(an AES-128\/192\/256 key\), got 3 characters/);
    assert.match((await run(importCommand, ['pskc', pskc, '--psk', '00'.repeat(16), '--password', 'x'])).stderr, /import pskc: give one of --psk, --password/);
    assert.match((await run(importCommand, ['oath-csv'])).stderr, /import oath-csv: give the FILE to import/);
    assert.deepEqual(await run(importCommand, ['yubikey']), { code: 2, stdout: '', stderr: 'otp-radius: import: unknown source "yubikey" (expected: linotp, oath-csv, pskc, freeradius-clients)\n' });
    assert.equal((await run(importCommand, [])).code, 2);
    assert.match((await run(importCommand, ['--help'])).stdout, /^usage: otp-radius import linotp --db URL --enckey FILE/);
  });

  test('freeradius-clients prints YAML, notes on stderr; errors and nothing on stdout', async () => {
    const dir = await tempDir();
    const conf = join(dir, 'clients.conf');
    await writeFile(conf, 'client vpn {\n  ipaddr = 192.0.2.1\n  secret = "abc def"\n  nas_type = cisco\n}\n');
    const r = await run(importCommand, ['freeradius-clients', conf]);
    assert.deepEqual(r, {
      code: 0,
      stdout: `# NAS clients converted from ${conf} by otp-radius import freeradius-clients\nclients:\n  - name: vpn\n    address: 192.0.2.1\n    secret: abc def\n    requireMessageAuthenticator: auto\n`,
      stderr: `note: ${conf}:4: client vpn: nas_type is not converted\n`,
    });
    await writeFile(conf, 'client vpn {\n  ipaddr = vpn.example.org\n  secret = x\n}\n');
    assert.deepEqual(await run(importCommand, ['freeradius-clients', conf]), {
      code: 1,
      stdout: '',
      stderr: `${conf}:2: client vpn: ipaddr: "vpn.example.org" is not an IPv4 or IPv6 address (host names are not resolved here; give the address)\notp-radius: import freeradius-clients: the problem above; nothing converted\n`,
    });
  });
});
