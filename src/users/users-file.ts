// Parsing and validating a users file:
//
//   users:
//     - login: alice
//       id: "1001"            # optional, defaults to the login
//       password: $6$...      # optional hash; without one the user has no password
//       email: alice@example.org
//       phone: "+49 30 1234567"
//       givenName: Alice
//       surname: Example
//       groups: [vpn-users]
//       attributes: { department: IT }
//
// Every problem is reported as `file:line: users[i].key: message`, all at
// once, so an administrator fixes the file in one pass.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import { checkPasswordHash } from './password-hash.ts';
import { ResolverConfigError, type User } from './types.ts';

export interface FileUserEntry {
  /** The user without `resolver` (the resolver fills it in). */
  user: Omit<User, 'resolver'>;
  passwordHash: string | undefined;
  line: number | undefined;
}

export interface UsersFileOptions {
  /** Logins differing only in case are one login (and so must not both appear). */
  caseInsensitive?: boolean;
}

const STRING_KEYS = ['login', 'id', 'password', 'email', 'phone', 'givenName', 'surname'] as const;
const KNOWN_KEYS = [...STRING_KEYS, 'groups', 'attributes'];

/** The key under which logins are compared, given the case sensitivity. */
export function loginKey(login: string, caseInsensitive: boolean | undefined): string {
  return caseInsensitive ? login.toLowerCase() : login;
}

class Problems {
  readonly #found: { line: number; text: string }[] = [];
  readonly file: string;
  readonly lines: LineCounter;

  constructor(file: string, lines: LineCounter) {
    this.file = file;
    this.lines = lines;
  }

  lineOf(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  add(node: Node | null | undefined, path: string, message: string): void {
    const line = this.lineOf(node);
    this.#found.push({ line: line ?? 0, text: `${line === undefined ? this.file : `${this.file}:${line}`}: ${path}: ${message}` });
  }

  get count(): number {
    return this.#found.length;
  }

  /** In file order (the sort is stable, so problems on one line keep their order). */
  get list(): string[] {
    return [...this.#found].sort((a, b) => a.line - b.line).map((f) => f.text);
  }
}

function describe(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'an empty value';
    if (typeof node.value === 'string') return `"${node.value}"`;
    // The source text, not the parsed value: 0301234 would otherwise show as 301234.
    return `the ${typeof node.value} ${node.source ?? String(node.value)}`;
  }
  // Only an alias that resolved to nothing is still an alias here (see aliasTargets).
  if (isAlias(node)) return `*${node.source}, an alias with no &${node.source} anchor before it`;
  return 'something else';
}

function isEmpty(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null);
}

/** A non-empty string without leading/trailing white space or control characters, or undefined after recording why not. */
function text(node: Node, path: string, p: Problems): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string') {
    const hint = isScalar(node) && node.value !== null ? ' (put it in quotes to make it a string)' : '';
    p.add(node, path, `expected a non-empty string, got ${describe(node)}${hint}`);
    return undefined;
  }
  const v = node.value;
  if (v.length === 0) p.add(node, path, 'expected a non-empty string');
  else if (v.trim() !== v) p.add(node, path, 'has leading or trailing white space');
  else if (/\p{Cc}/u.test(v)) p.add(node, path, 'contains a control character');
  else return v;
  return undefined;
}

function stringList(node: Node, path: string, p: Problems, deref: (n: Node) => Node): string[] | undefined {
  if (isScalar(node)) {
    const one = text(node, path, p);
    return one === undefined ? undefined : [one];
  }
  if (!isSeq(node)) {
    p.add(node, path, `expected a string or a list of strings, got ${describe(node)}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  node.items.forEach((raw, i) => {
    const v = text(deref(raw as Node), `${path}[${i}]`, p);
    if (v === undefined) ok = false;
    else out.push(v);
  });
  return ok ? out : undefined;
}

/** Validates one `users[i]` mapping; undefined when it has problems (already recorded). */
async function entry(item: Node, path: string, p: Problems, deref: (n: Node) => Node): Promise<FileUserEntry | undefined> {
  if (!isMap(item)) {
    p.add(item, path, `expected a mapping with at least a login, got ${describe(item)}`);
    return undefined;
  }
  const before = p.count;
  const values = new Map<string, Node>();
  for (const pair of item.items) {
    const keyNode = pair.key as Node;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined || !KNOWN_KEYS.includes(key)) {
      p.add(keyNode, `${path}.${key ?? '?'}`, `unknown key (expected ${KNOWN_KEYS.join(', ')})`);
      continue;
    }
    const value = pair.value === null ? undefined : deref(pair.value as Node);
    if (!isEmpty(value)) values.set(key, value as Node);
  }

  const strings: Partial<Record<(typeof STRING_KEYS)[number], string>> = {};
  for (const key of STRING_KEYS) {
    const node = values.get(key);
    if (node === undefined) continue;
    const v = text(node, `${path}.${key}`, p);
    if (v !== undefined) strings[key] = v;
  }
  if (!values.has('login')) p.add(item, `${path}.login`, 'required, a non-empty string');

  const email = values.get('email');
  if (strings.email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(strings.email)) {
    p.add(email, `${path}.email`, `"${strings.email}" is not an e-mail address (expected name@domain)`);
  }
  const passwordNode = values.get('password');
  if (strings.password !== undefined) {
    const problem = await checkPasswordHash(strings.password);
    // Never echo the value: it might be a plain-text password.
    if (problem !== undefined) p.add(passwordNode, `${path}.password`, problem);
  }

  const groupsNode = values.get('groups');
  const groups = groupsNode === undefined ? [] : stringList(groupsNode, `${path}.groups`, p, deref);

  const attributes: Record<string, string | string[]> = {};
  const attrNode = values.get('attributes');
  if (attrNode !== undefined) {
    if (!isMap(attrNode)) {
      p.add(attrNode, `${path}.attributes`, `expected a mapping of names to strings or lists of strings, got ${describe(attrNode)}`);
    } else {
      for (const pair of attrNode.items) {
        const keyNode = pair.key as Node;
        const name = isScalar(keyNode) && typeof keyNode.value === 'string' && keyNode.value !== '' ? keyNode.value : undefined;
        if (name === undefined) {
          p.add(keyNode, `${path}.attributes`, 'attribute names must be non-empty strings');
          continue;
        }
        const valueNode = pair.value === null ? undefined : deref(pair.value as Node);
        if (valueNode === undefined || isEmpty(valueNode)) {
          p.add(keyNode, `${path}.attributes.${name}`, 'expected a string or a list of strings, got an empty value');
          continue;
        }
        const v = isScalar(valueNode) ? text(valueNode, `${path}.attributes.${name}`, p) : stringList(valueNode, `${path}.attributes.${name}`, p, deref);
        if (v !== undefined) attributes[name] = v;
      }
    }
  }

  if (p.count > before || strings.login === undefined || groups === undefined) return undefined;
  const user: Omit<User, 'resolver'> = { id: strings.id ?? strings.login, login: strings.login, groups, attributes };
  if (strings.email !== undefined) user.email = strings.email;
  if (strings.phone !== undefined) user.phone = strings.phone;
  if (strings.givenName !== undefined) user.givenName = strings.givenName;
  if (strings.surname !== undefined) user.surname = strings.surname;
  return { user, passwordHash: strings.password, line: p.lineOf(item) };
}

/** Records a problem for each login or id already used by an earlier entry. */
function checkUnique(entries: (FileUserEntry & { index: number; idNode: Node | undefined; loginNode: Node | undefined })[], p: Problems, caseInsensitive: boolean): void {
  const logins = new Map<string, (typeof entries)[number]>();
  const ids = new Map<string, (typeof entries)[number]>();
  for (const e of entries) {
    const lk = loginKey(e.user.login, caseInsensitive);
    const firstLogin = logins.get(lk);
    const loginTaken = firstLogin !== undefined;
    if (firstLogin) {
      const how = firstLogin.user.login === e.user.login ? '' : ` as "${firstLogin.user.login}"; logins are case-insensitive here`;
      p.add(e.loginNode, `users[${e.index}].login`, `"${e.user.login}" is already the login of users[${firstLogin.index}] (line ${firstLogin.line ?? '?'})${how}`);
    } else {
      logins.set(lk, e);
    }
    const firstId = ids.get(e.user.id);
    // An id defaulted from a duplicate login would only repeat the message above.
    if (firstId && !(loginTaken && e.idNode === undefined)) {
      const whose = e.idNode === undefined ? ' (the id defaults to the login)' : '';
      p.add(e.idNode ?? e.loginNode, `users[${e.index}].id`, `"${e.user.id}" is already the id of users[${firstId.index}] (line ${firstId.line ?? '?'})${whose}`);
    } else {
      ids.set(e.user.id, e);
    }
  }
}

/**
 * What each alias of the document stands for: the last node before it that
 * carries its anchor, as YAML defines it. yaml's own Alias.resolve walks the
 * document from its start for every alias, so a file of thousands of users
 * sharing one anchored group list took minutes to load.
 */
function aliasTargets(doc: Document): Map<Alias, Node> {
  const latest = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = latest.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) {
        latest.set(node.anchor, node);
      }
    },
  });
  return targets;
}

function fail(problems: string[]): never {
  throw new ResolverConfigError(problems);
}

/**
 * Parses and validates the text of a users file. `file` is the name used in
 * messages. Throws ResolverConfigError listing every problem found.
 */
export async function parseUsersFile(source: string, file: string, options: UsersFileOptions = {}): Promise<FileUserEntry[]> {
  const lines = new LineCounter();
  const doc: Document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    fail(doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: YAML syntax: ${e.message.split('\n')[0]}`));
  }
  const p = new Problems(file, lines);
  const targets = aliasTargets(doc);
  const deref = (n: Node): Node => (isAlias(n) ? (targets.get(n) ?? n) : n);
  const root = doc.contents as Node | null;
  if (root === null || !isMap(root)) {
    p.add(root, '(top level)', `expected a mapping with a "users" list, got ${root === null ? 'an empty file' : describe(root)}`);
    fail(p.list);
  }
  let usersNode: Node | undefined;
  for (const pair of root.items) {
    const keyNode = pair.key as Node;
    if (isScalar(keyNode) && keyNode.value === 'users') usersNode = pair.value === null ? undefined : deref(pair.value as Node);
    else p.add(keyNode, isScalar(keyNode) ? String(keyNode.value) : '?', 'unknown key (expected users)');
  }
  if (usersNode === undefined || !isSeq(usersNode)) {
    const got = usersNode === undefined ? 'nothing' : describe(usersNode);
    p.add(usersNode ?? root, 'users', `required, a list of users (write "users: []" for none), got ${got}`);
    fail(p.list);
  }

  const entries: Parameters<typeof checkUnique>[0] = [];
  for (const [index, raw] of usersNode.items.entries()) {
    const item = deref(raw as Node);
    const e = await entry(item, `users[${index}]`, p, deref);
    if (e && isMap(item)) entries.push({ ...e, index, idNode: item.get('id', true) as Node | undefined, loginNode: item.get('login', true) as Node | undefined });
  }
  checkUnique(entries, p, options.caseInsensitive ?? false);
  if (p.count > 0) fail(p.list);
  return entries.map(({ user, passwordHash, line }) => ({ user, passwordHash, line }));
}
