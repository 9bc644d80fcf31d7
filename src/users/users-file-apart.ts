// A large users file is parsed in a short-lived child process. The yaml
// library builds a syntax tree of the whole file before the users are
// checked, and V8 keeps the heap pages that took for the life of the
// process; the parse would also hold the event loop, at start and at every
// SIGHUP, in every worker at once. A child gives the memory back when it
// exits, and the worker keeps answering meanwhile; it only decodes the
// checked users as JSON.
//
// Same outcome as parseUsersFile either way: the users, or a
// ResolverConfigError listing every problem with its line. If the child
// itself fails (cannot be started, crashes, times out), the file is parsed
// here instead and the cause is logged: more memory, but the users are there.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ResolverConfigError } from './types.ts';
import { parseUsersFile, type FileUserEntry, type UsersFileOptions } from './users-file.ts';

/** Files at least this long (in UTF-16 units, ~bytes) go to a child; a smaller parse costs less than starting a process. */
export const APART_MIN_LENGTH = 32 * 1024;

const CHILD_TIMEOUT_MS = 60_000;
const STDERR_KEEP = 4096;

/** The child script next to this module: .ts when running from the sources (tests), .js from dist/. */
const CHILD_SCRIPT = fileURLToPath(new URL(`./users-file-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** What the child writes on stdout: exactly one of the two. */
export interface ChildOutcome {
  entries?: FileUserEntry[];
  problems?: string[];
}

/** A child that did not deliver an outcome: the reason, for the log. */
export class ChildParseError extends Error {
  override name = 'ChildParseError';
}

export interface LoadUsersFileOptions extends UsersFileOptions {
  /** Receives a warning when the child fails and the file is parsed in this process instead. */
  logger?: Logger | undefined;
  /** Another child script (tests of the failure paths). */
  childScript?: string;
  /** Aborting kills the child and rejects with the signal's reason; nothing is parsed here then. */
  signal?: AbortSignal | undefined;
}

/** Parses `source` (the text of `file`) in a child when it is large, here when it is small or the child fails. */
export async function loadUsersFile(source: string, file: string, options: LoadUsersFileOptions = {}): Promise<FileUserEntry[]> {
  const { logger, childScript, signal, ...parseOptions } = options;
  if (source.length < APART_MIN_LENGTH) return parseUsersFile(source, file, parseOptions);
  try {
    return await parseUsersFileApart(source, file, parseOptions, { script: childScript, signal });
  } catch (err) {
    if (!(err instanceof ChildParseError)) throw err;
    logger?.warn({ usersFile: file, err: err.message }, 'cannot parse the users file in a child process; parsing it in this one (it keeps the memory)');
    return parseUsersFile(source, file, parseOptions);
  }
}

/**
 * Runs users-file-child.ts on `source`. Throws ResolverConfigError for a
 * file with problems, ChildParseError when the child gives no outcome, and
 * the signal's reason when `signal` aborts it.
 */
export function parseUsersFileApart(
  source: string,
  file: string,
  options: UsersFileOptions = {},
  { script = CHILD_SCRIPT, signal }: { script?: string | undefined; signal?: AbortSignal | undefined } = {},
): Promise<FileUserEntry[]> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const child = spawn(process.execPath, [script, file, options.caseInsensitive ? 'case-insensitive' : 'case-sensitive'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: childEnv(process.env),
    });
    const out: Buffer[] = [];
    let err = '';
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (why: string): void => {
      if (finish()) reject(new ChildParseError(why));
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      if (finish()) reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // A huge file gets more than the minute a stuck child gets, in proportion to its size.
    const timeoutMs = CHILD_TIMEOUT_MS + Math.ceil(source.length / 100);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    }, timeoutMs);
    child.on('error', (e) => fail(`cannot start ${process.execPath}: ${e.message}`));
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (err = (err + chunk).slice(-STDERR_KEEP)));
    // A child that died early closes its stdin; its exit status tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(source, 'utf8');
    child.on('close', (code, killedBy) => {
      if (settled) return;
      if (code !== 0) {
        const last = err
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .pop();
        fail(`the child process ended with ${killedBy ?? `exit code ${code}`}${last ? `: ${last.trim()}` : ''}`);
        return;
      }
      let outcome: unknown;
      try {
        outcome = JSON.parse(Buffer.concat(out).toString('utf8'));
      } catch {
        fail('the child process wrote no JSON');
        return;
      }
      finish();
      const checked = checkOutcome(outcome);
      if (typeof checked === 'string') reject(new ChildParseError(checked));
      else if (checked.problems) reject(new ResolverConfigError(checked.problems));
      else resolve(checked.entries);
    });
  });
}

/** The child is no cluster worker and has no IPC channel, whatever this process is. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_UNIQUE_ID: _id, NODE_CHANNEL_FD: _fd, NODE_CHANNEL_SERIALIZATION_MODE: _mode, ...rest } = env;
  return rest;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** The child's output, checked enough that a broken child cannot hand the resolver something that is not a user list. */
function checkOutcome(v: unknown): { problems: string[]; entries?: undefined } | { entries: FileUserEntry[]; problems?: undefined } | string {
  if (typeof v !== 'object' || v === null) return 'the child process wrote no outcome';
  const o = v as ChildOutcome;
  if (o.problems !== undefined) return isStrings(o.problems) && o.problems.length > 0 ? { problems: o.problems } : 'the child process wrote malformed problems';
  if (!Array.isArray(o.entries)) return 'the child process wrote neither users nor problems';
  const entries: FileUserEntry[] = [];
  for (const e of o.entries as unknown[]) {
    const entry = toEntry(e);
    if (!entry) return 'the child process wrote a malformed user';
    entries.push(entry);
  }
  return { entries };
}

function toEntry(e: unknown): FileUserEntry | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { user, passwordHash, line } = e as Record<string, unknown>;
  if (typeof user !== 'object' || user === null) return undefined;
  const u = user as Record<string, unknown>;
  if (typeof u.id !== 'string' || typeof u.login !== 'string' || !isStrings(u.groups)) return undefined;
  if (typeof u.attributes !== 'object' || u.attributes === null || Array.isArray(u.attributes)) return undefined;
  for (const a of Object.values(u.attributes)) if (typeof a !== 'string' && !isStrings(a)) return undefined;
  for (const k of ['email', 'phone', 'givenName', 'surname'] as const) if (u[k] !== undefined && typeof u[k] !== 'string') return undefined;
  if (passwordHash !== undefined && typeof passwordHash !== 'string') return undefined;
  if (line !== undefined && typeof line !== 'number') return undefined;
  return { user: user as FileUserEntry['user'], passwordHash, line };
}
