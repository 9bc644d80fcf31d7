// Writes the seed corpus of every fuzz target from real examples:
// radclient's packets (captured on a loopback socket), the shipped
// dictionaries, config/ and docs/configuration.md, the users file, and the
// RFC 6030 figures the importer tests use. `node test/fuzz/seeds.ts`
// replaces the seed-* files; regression cases (regress-*) stay as they are.

import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAttribute, loadDictionaries } from '../../src/radius/codec.ts';
import { ATTRIBUTE_TYPES, type AttributeDef } from '../../src/radius/dictionary.ts';
import { CORPUS_DIR, saveInput } from './engine/corpus.ts';
import { FIGURES } from '../import/rfc6030.ts';

const ROOT = join(CORPUS_DIR, '../../..');

function reset(target: string): string {
  const dir = join(CORPUS_DIR, target);
  try {
    for (const n of readdirSync(dir)) if (n.startsWith('seed-')) rmSync(join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return dir;
}

function write(target: string, inputs: Buffer[]): void {
  const dir = reset(target);
  for (const input of inputs) saveInput(dir, 'seed', input);
  process.stdout.write(`${target}: ${inputs.length} seeds\n`);
}

/** The datagram radclient sends for `input`, caught on a socket that never answers. */
async function radclientPacket(command: 'auth' | 'acct' | 'status', secret: string, input: string): Promise<Buffer> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const got = new Promise<Buffer>((resolve) => socket.once('message', (msg) => resolve(msg)));
  const child = execFile('radclient', ['-r', '1', '-t', '0.3', `127.0.0.1:${socket.address().port}`, command, secret], () => undefined);
  child.stdin?.end(input);
  const packet = await got;
  child.kill();
  socket.close();
  return packet;
}

const SECRET_A = 'fuzz-secret-a';
const SECRET_B = 'fuzz-secret-b';
const RADCLIENT_REQUESTS: ['auth' | 'acct' | 'status', string][] = [
  ['auth', 'User-Name = "alice"\nUser-Password = "1234 567890"\n'],
  [
    'auth',
    'User-Name = "bob@example"\nUser-Password = "1234567890"\nMessage-Authenticator = 0x00\nNAS-Identifier = "vpn-gw"\nCalling-Station-Id = "198.51.100.7"\nNAS-Port-Type = Virtual\nNAS-IP-Address = 192.0.2.10\n',
  ],
  ['auth', 'User-Name = "carol"\nUser-Password = "287082"\nState = 0x30313233343536373839616263646566\nProxy-State = 0x01\nProxy-State = 0x0203\nMessage-Authenticator = 0x00\n'],
  ['auth', 'User-Name = "dave"\nCHAP-Password = "123456"\nCisco-AVPair = "shell:priv-lvl=15"\n'],
  ['auth', 'User-Name = "erin"\nEAP-Message = 0x0201000a0165726e69\nMessage-Authenticator = 0x00\n'],
  ['status', 'Message-Authenticator = 0x00\n'],
  ['acct', 'User-Name = "alice"\nAcct-Status-Type = Start\nAcct-Session-Id = "4D2"\nFramed-IP-Address = 10.0.0.7\n'],
];

async function radiusRequestSeeds(): Promise<{ requests: Buffer[]; packets: Buffer[] }> {
  const packets: Buffer[] = [];
  for (const [command, input] of RADCLIENT_REQUESTS) packets.push(await radclientPacket(command, SECRET_A, input));
  const forNet10 = await radclientPacket('auth', SECRET_B, RADCLIENT_REQUESTS[1]![1]);
  const requests = packets.map((p, i) => Buffer.concat([Buffer.from([RADCLIENT_REQUESTS[i]![0] === 'acct' ? 0x20 : 0, i % 3]), p]));
  requests.push(Buffer.concat([Buffer.from([1, 0]), forNet10]), Buffer.concat([Buffer.from([0x40, 2]), packets[0]!]), Buffer.concat([Buffer.from([3, 1]), packets[1]!]));
  // Signed and hidden by the target: User-Password carries its clear text here.
  const clear = Buffer.concat([packets[0]!.subarray(0, 20), Buffer.from([1, 7]), Buffer.from('alice'), Buffer.from([2, 8]), Buffer.from('123456')]);
  clear.writeUInt16BE(clear.length, 2);
  requests.push(Buffer.concat([Buffer.from([0x18, 0]), clear]), Buffer.concat([Buffer.from([0x59, 2]), clear]));
  // Sent twice: from another source port, and signed anew with another Identifier.
  requests.push(Buffer.concat([Buffer.from([0x58, 0x04]), clear]), Buffer.concat([Buffer.from([0x48, 0x08]), packets[1]!]));
  return { requests, packets };
}

/** One attribute of each type the codec knows, standard and vendor, with a value of that type. */
const SAMPLE: Record<string, string> = {
  string: 'hello',
  octets: '0x00ff10',
  ipaddr: '192.0.2.1',
  ipv4prefix: '192.0.2.0/24',
  ipv6addr: '2001:db8::1',
  ipv6prefix: '2001:db8::/32',
  ifid: '211:22ff:fe33:4455',
  'combo-ip': '2001:db8::2',
  integer: '7',
  byte: '7',
  short: '7',
  signed: '-7',
  integer64: '18446744073709551615',
  date: '2030-01-31T12:00:00Z',
  time: '2030-01-31T12:00:00Z',
  ether: '00:11:22:aa:bb:cc',
  abinary: '0x01',
  vsa: '0x000000090105616263',
};

function codecSeeds(packets: Buffer[]): Buffer[] {
  const dict = loadDictionaries();
  const defs: AttributeDef[] = [...dict.attributes()].sort((a, b) => (a.vendorId ?? 0) - (b.vendorId ?? 0) || a.id - b.id);
  const picked: AttributeDef[] = [];
  for (const type of ATTRIBUTE_TYPES) {
    for (const vendor of [false, true]) {
      const def = defs.find((d) => d.type === type && (d.vendorId !== undefined) === vendor && !d.encrypted);
      if (def) picked.push(def);
    }
  }
  for (const def of defs.filter((d) => d.hasTag && !d.encrypted).slice(0, 2)) picked.push(def);
  const seeds = packets.map((p) => Buffer.concat([Buffer.from([0]), p.subarray(20)]));
  const encoded = picked.map((d) => encodeAttribute(d.hasTag ? `${d.name}:1` : d.name, SAMPLE[d.type]!));
  seeds.push(Buffer.concat([Buffer.from([0]), ...encoded]));
  for (const d of picked) {
    const head = Buffer.alloc(4);
    head[0] = 1;
    head.writeUInt16BE(defs.indexOf(d), 1);
    head[3] = d.hasTag ? 0x81 : 0;
    seeds.push(Buffer.concat([head, Buffer.from(SAMPLE[d.type]!)]));
  }
  return seeds;
}

function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

async function main(): Promise<void> {
  const { requests, packets } = await radiusRequestSeeds();
  write('radius-request', requests);
  write('radius-codec', codecSeeds(packets));

  const usersExample = readFileSync(join(ROOT, 'config/users.yaml'));
  const users =
    'users:\n  - login: bob\n    id: "1002"\n    groups: &g [vpn, wifi]\n    attributes: { dept: IT, rooms: [a, b] }\n  - login: Carol\n    groups: *g\n    phone: "+49 30 1234567"\n  - login: dave\n    password: "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g3Q0Rk"\n';
  write('users-file', [Buffer.concat([Buffer.from([0]), usersExample]), Buffer.from(`\x01${users}`), Buffer.from('\x00users: []\n')]);

  const psk = ['figure6'];
  const password = ['figure7'];
  write(
    'pskc',
    Object.entries(FIGURES).map(([name, xml]) => Buffer.from(`${psk.includes(name) ? '\x01' : password.includes(name) ? '\x02' : '\x00'}${xml}`)),
  );

  const sha1 = '3132333435363738393031323334353637383930';
  write('oath-csv', [
    Buffer.from(
      `# serial, key, type, otplen, timestep\nHOTP-1, ${sha1}\nHOTP-2, ${sha1}, hotp, 8, 17\nTOTP-1, ${sha1}${sha1.slice(0, 24)}, TOTP, 8, 60\nTOTP-3, ${sha1}, totp, 6, 30, sha256\nOCRA-1, ${sha1}, ocra2, OCRA-1:HOTP-SHA256-8:C-QN08, 3\n`,
    ),
    Buffer.from(`# version: 2\nU-1, ${sha1}, alice, local, corp, hotp, 6\nU-2, ${sha1}, bob@corp, , , totp, 6, 30\n"U,3", "${sha1}", , , , hotp\n`),
  ]);

  const docs = yamlBlocks(readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8'));
  write('config', [readFileSync(join(ROOT, 'config/otp-radius.yaml')), ...docs.map((d) => Buffer.from(d))]);
}

await main();
