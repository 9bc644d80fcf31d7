// FreeRADIUS clients.conf to our `clients:` YAML. Each block
//
//   client NAME {
//       ipaddr = 192.0.2.0/24          (or ipv4addr / ipv6addr, "*" for any; netmask = N)
//       secret = "..."
//       require_message_authenticator = yes | no | auto
//       shortname = NAME
//   }
//
// becomes one entry: name (shortname, else the block name), address, secret
// and requireMessageAuthenticator. A client that does not say becomes
// `auto`, so a NAS that never sends Message-Authenticator keeps working and
// one that does is held to it (BlastRADIUS). Old-style blocks named by their
// address (`client 10.0.0.0/8 { ... }`) are understood. Other settings and
// nested sections (limit, coa_server) have no equivalent and are listed.
// Hostnames, ${variables} and $INCLUDE are errors: FreeRADIUS resolves them
// at its start, this converter cannot.

import { stringify } from 'yaml';
import { hasHostBits, networkText, parseCidr } from '../net/cidr.ts';
import { ImportError, Problems } from './errors.ts';

export interface ConvertedClient {
  name: string;
  address: string;
  secret: string;
  requireMessageAuthenticator: boolean | 'auto';
}

export interface ClientsConversion {
  clients: ConvertedClient[];
  /** Settings that were not converted, by line. */
  notes: string[];
  yaml: string;
}

interface Tok {
  kind: 'word' | 'string' | '{' | '}' | '=';
  text: string;
  line: number;
}

/** The tokens, and the problems met on the way (an unclosed quote ends at its line, so reading goes on). */
function tokenize(text: string, file: string, problems: Problems): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '{' || ch === '}' || ch === '=') {
      toks.push({ kind: ch, text: ch, line });
      i++;
    } else if (ch === '"' || ch === "'") {
      let s = '';
      i++;
      while (i < text.length && text[i] !== ch && text[i] !== '\n') {
        if (text[i] === '\\' && ch === '"' && i + 1 < text.length && text[i + 1] !== '\n') i++;
        s += text[i];
        i++;
      }
      if (text[i] === ch) i++;
      else problems.add(`${file}:${line}: a quoted string is not closed on its line`);
      toks.push({ kind: 'string', text: s, line });
    } else {
      let s = '';
      while (i < text.length && !/[\s{}=#"']/.test(text[i]!)) {
        // A ${variable} stays one word, so it can be named as what it is.
        if (text[i] === '$' && text[i + 1] === '{') {
          const end = text.indexOf('}', i);
          if (end > 0 && !text.slice(i, end).includes('\n')) {
            s += text.slice(i, end + 1);
            i = end + 1;
            continue;
          }
        }
        s += text[i++];
      }
      toks.push({ kind: 'word', text: s, line });
    }
  }
  return toks;
}

interface Block {
  name: string;
  line: number;
  pairs: { key: string; value: Tok }[];
  sections: { name: string; line: number }[];
}

class Reader {
  #i = 0;
  readonly #toks: Tok[];
  readonly file: string;
  constructor(toks: Tok[], file: string) {
    this.#toks = toks;
    this.file = file;
  }
  peek(ahead = 0): Tok | undefined {
    return this.#toks[this.#i + ahead];
  }
  next(): Tok | undefined {
    return this.#toks[this.#i++];
  }
  fail(line: number, msg: string): never {
    throw new ImportError([`${this.file}:${line}: ${msg}`]);
  }
  expect(kind: Tok['kind'], after: Tok): Tok {
    const t = this.next();
    if (!t || t.kind !== kind) this.fail(t?.line ?? after.line, `expected "${kind === 'word' ? 'a name' : kind}"${t ? `, got "${t.text}"` : ' before the end of the file'}`);
    return t;
  }
  /** Skips a nested section whose "{" was just read. */
  skipSection(open: Tok): void {
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (!t) this.fail(open.line, 'this section is not closed with "}"');
      if (t.kind === '{') depth++;
      if (t.kind === '}') depth--;
    }
  }
}

function readClient(r: Reader, head: Tok): Block {
  const name = r.expect('word', head);
  const open = r.expect('{', name);
  const block: Block = { name: name.text, line: head.line, pairs: [], sections: [] };
  for (;;) {
    const t = r.next();
    if (!t) return r.fail(open.line, `client ${name.text}: not closed with "}"`);
    if (t.kind === '}') return block;
    if (t.kind !== 'word') r.fail(t.line, `expected a setting name, got "${t.text}"`);
    const after = r.next();
    if (after?.kind === '=') {
      const value = r.next();
      if (!value || (value.kind !== 'word' && value.kind !== 'string')) r.fail(t.line, `${t.text}: no value after "="`);
      block.pairs.push({ key: t.text, value });
    } else if (after?.kind === '{') {
      block.sections.push({ name: t.text, line: t.line });
      r.skipSection(after);
    } else if (after?.kind === 'word' && r.peek()?.kind === '{') {
      block.sections.push({ name: `${t.text} ${after.text}`, line: t.line });
      r.skipSection(r.next()!);
    } else {
      r.fail(t.line, `${t.text}: expected "= value" or a "{ ... }" section`);
    }
  }
}

const ADDRESS_KEYS = ['ipaddr', 'ipv4addr', 'ipv6addr'];
const KNOWN = new Set([...ADDRESS_KEYS, 'netmask', 'secret', 'require_message_authenticator', 'shortname']);

function convert(b: Block, file: string, notes: string[]): ConvertedClient {
  const where = `${file}:${b.line}: client ${b.name}`;
  const get = (key: string) => b.pairs.find((p) => p.key === key)?.value;
  const fail = (line: number, msg: string): never => {
    throw new ImportError([`${file}:${line}: client ${b.name}: ${msg}`]);
  };
  for (const p of b.pairs) {
    if (/\$\{|\$INCLUDE/.test(p.value.text)) fail(p.value.line, `${p.key}: FreeRADIUS variables (\${...}) are not expanded here; write the value itself`);
    if (!KNOWN.has(p.key)) notes.push(`${file}:${p.value.line}: client ${b.name}: ${p.key} is not converted`);
  }
  for (const s of b.sections) notes.push(`${file}:${s.line}: client ${b.name}: section "${s.name}" is not converted`);

  const given = b.pairs.filter((p) => ADDRESS_KEYS.includes(p.key));
  if (given.length > 1) fail(given[1]!.value.line, `give one of ipaddr, ipv4addr, ipv6addr, not ${given.map((g) => g.key).join(' and ')}`);
  const addr = given[0];
  let text = addr ? addr.value.text : b.name;
  const line = addr ? addr.value.line : b.line;
  if (text === '*') text = addr?.key === 'ipv6addr' ? '::/0' : '0.0.0.0/0';
  const mask = get('netmask');
  if (mask) {
    if (text.includes('/')) fail(mask.line, `netmask together with a /prefix in the address`);
    if (!/^\d{1,3}$/.test(mask.text)) fail(mask.line, `netmask: expected a prefix length like 24, got "${mask.text}"`);
    text = `${text}/${mask.text}`;
  }
  let address: string;
  try {
    const cidr = parseCidr(text);
    address = cidr.text;
    // FreeRADIUS clears the host bits; the config refuses them, so the network is written as FreeRADIUS used it.
    if (hasHostBits(text)) {
      address = networkText(cidr);
      notes.push(`${file}:${line}: client ${b.name}: ${text} has host bits set, written as ${address}`);
    }
  } catch (err) {
    return fail(
      line,
      addr
        ? `${addr.key}: ${(err as Error).message}${/^[A-Za-z]/.test(text) ? ' (host names are not resolved here; give the address)' : ''}`
        : `no ipaddr, ipv4addr or ipv6addr, and the client name is not an address`,
    );
  }

  const secret = get('secret');
  if (!secret || secret.text === '') fail(b.line, 'no secret');
  const rma = get('require_message_authenticator');
  let require: boolean | 'auto' = 'auto';
  if (rma) {
    const v = rma.text.toLowerCase();
    if (['yes', 'true', 'on', '1'].includes(v)) require = true;
    else if (['no', 'false', 'off', '0'].includes(v)) require = false;
    else if (v !== 'auto') fail(rma.line, `require_message_authenticator: expected yes, no or auto, got "${rma.text}"`);
  }
  const rawName = get('shortname')?.text || b.name;
  const name = rawName.replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'client';
  if (name !== rawName) notes.push(`${where}: name "${rawName}" written as "${name}"`);
  return { name, address, secret: secret!.text, requireMessageAuthenticator: require };
}

/** Problems in file order ("file:line: ..."), whatever order they were found in. */
function byLine(problems: readonly string[]): string[] {
  const line = (p: string): number => Number(/^[^:]*:(\d+):/.exec(p)?.[1] ?? 0);
  return [...problems].sort((a, b) => line(a) - line(b));
}

interface State {
  file: string;
  problems: Problems;
  notes: string[];
  clients: ConvertedClient[];
  names: Map<string, number>;
  networks: Map<string, string>;
}

/** Another top-level section (a server block, say): named as a problem and skipped, so the clients after it are still checked. */
function skipOther(r: Reader, t: Tok, st: State): void {
  const second = r.peek();
  let open: Tok | undefined;
  if (second?.kind === '{') open = r.next();
  else if (second?.kind === 'word' && r.peek(1)?.kind === '{') {
    r.next();
    open = r.next();
  }
  if (t.kind !== 'word' || !open) r.fail(t.line, `expected "client NAME {", got "${t.text}"`);
  st.problems.add(`${st.file}:${t.line}: section "${t.text}" is not a client`);
  r.skipSection(open);
}

function addClient(block: Block, c: ConvertedClient, st: State): void {
  const net = parseCidr(c.address);
  const key = `${net.bytes.toString('hex')}/${net.prefix}`;
  const taken = st.networks.get(key);
  if (taken !== undefined) return st.problems.add(`${st.file}:${block.line}: client ${block.name}: ${c.address} is already the address of client ${taken}`);
  st.networks.set(key, c.name);
  const n = (st.names.get(c.name) ?? 0) + 1;
  st.names.set(c.name, n);
  if (n > 1) {
    st.notes.push(`${st.file}:${block.line}: client ${block.name}: name "${c.name}" is taken, written as "${c.name}-${n}"`);
    c.name = `${c.name}-${n}`;
  }
  st.clients.push(c);
}

function readAll(r: Reader, st: State): void {
  for (let t = r.next(); t; t = r.next()) {
    if (t.kind === 'word' && t.text.startsWith('$')) {
      st.problems.add(`${st.file}:${t.line}: ${t.text} is not followed; convert that file separately`);
      while (r.peek()?.line === t.line) r.next();
    } else if (t.kind !== 'word' || t.text !== 'client') {
      skipOther(r, t, st);
    } else {
      const block = readClient(r, t);
      const c = st.problems.guard('', () => convert(block, st.file, st.notes));
      if (c) addClient(block, c, st);
    }
  }
}

export function convertClientsConf(text: string, file: string): ClientsConversion {
  const st: State = { file, problems: new Problems(), notes: [], clients: [], names: new Map(), networks: new Map() };
  try {
    readAll(new Reader(tokenize(text, file, st.problems), file), st);
  } catch (err) {
    // A syntax error ends the reading; it is reported with what was found before it.
    if (!(err instanceof ImportError)) throw err;
    for (const p of err.problems) st.problems.add(p);
  }
  if (st.problems.list.length > 0) throw new ImportError(byLine(st.problems.list));
  if (st.clients.length === 0) throw new ImportError([`${file}: no client blocks`]);
  const yaml = `# NAS clients converted from ${file} by otp-radius import freeradius-clients\n${stringify({ clients: st.clients })}`;
  return { clients: st.clients, notes: st.notes, yaml };
}
