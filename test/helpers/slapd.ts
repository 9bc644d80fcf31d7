// A throwaway OpenLDAP server for tests: Debian's slapd with a slapd.conf in
// a temp dir, an mdb database beside it, the memberof overlay, a self-signed
// certificate (made with the openssl CLI) for StartTLS and ldaps, and a
// small directory of people and groups loaded through the protocol so that
// the overlay fills in memberOf. It listens on 127.0.0.1 only. stop() and
// start() keep the data and the ports, so a test can take the directory away
// and bring it back; pause() freezes the process (a server that accepts TCP
// but never answers). Servers still running at exit are killed.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { freeTcpPort } from './ports.ts';

export const BASE_DN = 'dc=example,dc=org';
export const ADMIN_DN = `cn=admin,${BASE_DN}`;
export const ADMIN_PASSWORD = 'admin-secret';
export const SERVICE_DN = `cn=otp-service,ou=services,${BASE_DN}`;
export const SERVICE_PASSWORD = 'service-secret';

/** objectGUID of dave, in the byte order Active Directory stores it. */
export const DAVE_GUID_BYTES = Buffer.from('0403020106050807090a0b0c0d0e0f10', 'hex');
export const DAVE_GUID = '01020304-0506-0708-090a-0b0c0d0e0f10';

export interface TestPerson {
  uid: string;
  password: string;
  cn: string;
  givenName?: string;
  sn: string;
  mail?: string;
  telephoneNumber?: string;
  /** Under ou=people by default. */
  ou?: string;
  /** Active Directory-like attributes (test schema). */
  ad?: { sAMAccountName: string; userPrincipalName: string; objectGUID: Buffer };
}

export const PEOPLE: TestPerson[] = [
  { uid: 'alice', password: 'alice-pw', cn: 'Alice Archer', givenName: 'Alice', sn: 'Archer', mail: 'alice@example.org', telephoneNumber: '+15550100' },
  { uid: 'bob', password: 'bob-pw', cn: 'Bob Baker', givenName: 'Bob', sn: 'Baker', mail: 'bob@example.org' },
  { uid: 'carol', password: 'carol-pw', cn: 'Carol Cole', sn: 'Cole' },
  {
    uid: 'dave',
    password: 'dave-pw',
    cn: 'Dave Dunn',
    givenName: 'Dave',
    sn: 'Dunn',
    mail: 'dave@corp.example.org',
    ad: { sAMAccountName: 'DDunn', userPrincipalName: 'dave.dunn@corp.example.org', objectGUID: DAVE_GUID_BYTES },
  },
  // The same login twice in the tree: a lookup must refuse to pick one.
  { uid: 'twin', password: 'twin-pw', cn: 'Twin One', sn: 'One' },
  { uid: 'twin', password: 'twin-pw', cn: 'Twin Two', sn: 'Two', ou: 'contractors' },
];

/** Group name -> member uids (groupOfNames with member DNs). */
export const GROUPS: Record<string, string[]> = {
  'vpn-admins': ['alice'],
  staff: ['alice', 'bob', 'dave'],
};

export interface Slapd {
  /** ldap://127.0.0.1:PORT (StartTLS available). */
  url: string;
  /** ldaps://127.0.0.1:PORT2 */
  ldapsUrl: string;
  port: number;
  ldapsPort: number;
  /** PEM of the self-signed server certificate (its own CA). */
  caFile: string;
  dir: string;
  /** DN of a test person by uid (and ou when the uid is not unique). */
  dnOf(uid: string, ou?: string): string;
  /** Terminates slapd and waits for it to exit; data and ports are kept. */
  stop(): Promise<void>;
  /** Starts slapd again on the same ports. */
  start(): Promise<void>;
  /** SIGSTOP, waiting until every thread has stopped: connections are accepted by the kernel but nothing answers. */
  pause(): Promise<void>;
  resume(): void;
  /** Stops slapd and removes its files. Harmless twice. */
  destroy(): Promise<void>;
}

/** The users section of a server config: resolver and default realm "corp" over this slapd, as the service account, with StartTLS and no cache. */
export function corpLdapUsers(slapd: Pick<Slapd, 'url' | 'caFile'>): string {
  return `resolvers:
  corp:
    type: ldap
    uri: ${slapd.url}
    startTls: true
    caFile: ${slapd.caFile}
    bindDn: "${SERVICE_DN}"
    bindPassword: ${SERVICE_PASSWORD}
    baseDn: "${BASE_DN}"
    timeout: 2
    cacheTtl: 0
realms:
  corp: { resolvers: [corp], default: true }`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

const AD_SCHEMA = `
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.99999.1.1 NAME 'otpTestAdUser' AUXILIARY MAY ( objectGUID $ sAMAccountName $ userPrincipalName ) )
`;

function slapdConf(dir: string): string {
  return `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include ${join(dir, 'ad.schema')}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
pidfile ${join(dir, 'slapd.pid')}
TLSCertificateFile ${join(dir, 'cert.pem')}
TLSCertificateKeyFile ${join(dir, 'key.pem')}
database mdb
suffix "${BASE_DN}"
rootdn "${ADMIN_DN}"
rootpw ${ADMIN_PASSWORD}
directory ${join(dir, 'db')}
maxsize 16777216
index objectClass,uid,mail,cn,entryUUID eq
overlay memberof
access to attrs=userPassword by self read by anonymous auth by * none
access to * by * read
`;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** True when every thread of `pid` is in state T (stopped), from /proc. */
function allStopped(pid: number): boolean {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    return (
      tasks.length > 0 &&
      tasks.every((t) => {
        const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
        // The state follows the parenthesised command name, which may itself hold spaces.
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
      })
    );
  } catch {
    return false;
  }
}

function need(bin: string): void {
  if (!existsSync(bin)) throw new Error(`${bin} not found: install the Debian packages slapd and ldap-utils (.ci/run does this) to run the LDAP tests`);
}

async function load(url: string): Promise<void> {
  const client = new Client({ url, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await client.bind(ADMIN_DN, ADMIN_PASSWORD);
    await client.add(BASE_DN, { objectClass: ['dcObject', 'organization'], dc: 'example', o: 'Example' });
    for (const ou of ['people', 'contractors', 'groups', 'services']) {
      await client.add(`ou=${ou},${BASE_DN}`, { objectClass: 'organizationalUnit', ou });
    }
    await client.add(SERVICE_DN, { objectClass: ['applicationProcess', 'simpleSecurityObject'], cn: 'otp-service', userPassword: ssha(SERVICE_PASSWORD) });
    for (const p of PEOPLE) {
      const attrs: Record<string, string | string[]> = {
        objectClass: p.ad ? ['inetOrgPerson', 'otpTestAdUser'] : ['inetOrgPerson'],
        uid: p.uid,
        cn: p.cn,
        sn: p.sn,
        userPassword: ssha(p.password),
      };
      if (p.givenName) attrs.givenName = p.givenName;
      if (p.mail) attrs.mail = p.mail;
      if (p.telephoneNumber) attrs.telephoneNumber = p.telephoneNumber;
      if (p.ad) {
        attrs.sAMAccountName = p.ad.sAMAccountName;
        attrs.userPrincipalName = p.ad.userPrincipalName;
      }
      const dn = `uid=${p.uid},ou=${p.ou ?? 'people'},${BASE_DN}`;
      await client.add(dn, attrs);
      // A Buffer value goes on the wire as raw octets; add() takes strings only in its record form.
      if (p.ad) {
        await client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'objectGUID', values: [p.ad.objectGUID] }) }));
      }
    }
    // A non-person entry with a uid: the default user filter must not find it.
    await client.add(`uid=printer,ou=services,${BASE_DN}`, { objectClass: ['account', 'simpleSecurityObject'], uid: 'printer', userPassword: ssha('printer-pw') });
    for (const [cn, members] of Object.entries(GROUPS)) {
      await client.add(`cn=${cn},ou=groups,${BASE_DN}`, { objectClass: 'groupOfNames', cn, member: members.map((m) => `uid=${m},ou=people,${BASE_DN}`) });
    }
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Starts a fresh slapd with the test directory loaded; about half a second. */
export async function startSlapd(): Promise<Slapd> {
  need('/usr/sbin/slapd');
  need('/usr/bin/openssl');
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'otp-radius-slapd-'));
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'ad.schema'), AD_SCHEMA);
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'pipe' },
  );

  let child: ChildProcess | undefined;
  let port = 0;
  let ldapsPort = 0;
  let stderr = '';

  const launch = async (): Promise<void> => {
    stderr = '';
    const c = spawn('/usr/sbin/slapd', ['-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${ldapsPort}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child = c;
    running.add(c);
    let exited = false;
    c.once('exit', () => {
      exited = true;
      running.delete(c);
    });
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port)) || !(await canConnect(ldapsPort))) {
      if (exited) throw new Error(`slapd exited at start: ${stderr.trim().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`slapd did not listen within 10 s: ${stderr.trim().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  try {
    for (let attempt = 1; ; attempt++) {
      port = await freeTcpPort();
      ldapsPort = await freeTcpPort();
      try {
        await launch();
        break;
      } catch (err) {
        await stop();
        // Another process may have taken a port between our probe and slapd's bind.
        if (attempt >= 3 || !/bind|in use/i.test((err as Error).message)) throw err;
      }
    }
    await load(`ldap://127.0.0.1:${port}`);
  } catch (err) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  let destroyed = false;
  return {
    url: `ldap://127.0.0.1:${port}`,
    ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`,
    port,
    ldapsPort,
    caFile: join(dir, 'cert.pem'),
    dir,
    dnOf: (uid, ou = 'people') => `uid=${uid},ou=${ou},${BASE_DN}`,
    stop,
    async start() {
      if (destroyed) throw new Error('slapd: start() after destroy()');
      if (child) return;
      await launch();
    },
    async pause() {
      const c = child;
      if (!c?.pid) return;
      c.kill('SIGSTOP');
      // The signal is delivered asynchronously; a thread still running could answer one more request.
      const deadline = Date.now() + 5000;
      while (!allStopped(c.pid)) {
        if (Date.now() > deadline) throw new Error('slapd did not stop on SIGSTOP');
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
