// The connection URL: what makes one acceptable, checked the same way by the
// store and by the config section, and how it is shown in logs and messages
// (never with its password).

import { StoreError } from '../errors.ts';

export const POSTGRES_URL_FORM = 'postgres://[user[:password]@]host[:port]/database';
export const URL_SYNTAX_PROBLEM = 'not a valid URL (percent-encode special characters in the user name and password)';

/** What is wrong with `url`: not a postgres:// or postgresql:// URL ('scheme'), or not parsable ('syntax'). */
export function postgresUrlProblem(url: string): 'scheme' | 'syntax' | undefined {
  if (!/^postgres(ql)?:\/\//.test(url)) return 'scheme';
  return URL.canParse(url) ? undefined : 'syntax';
}

export function checkUrl(url: unknown): string {
  const problem = typeof url === 'string' ? postgresUrlProblem(url) : 'scheme';
  if (problem === 'scheme') {
    const shown = typeof url === 'string' ? `"${url.slice(0, url.indexOf(':') + 1 || 12)}..."` : typeof url;
    throw new StoreError('invalid', `postgres url: expected ${POSTGRES_URL_FORM}, got ${shown}`);
  }
  if (problem === 'syntax') throw new StoreError('invalid', `postgres url: ${URL_SYNTAX_PROBLEM}`);
  return url as string;
}

/** The URL without password or query parameters, for logs and messages. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    const host = u.searchParams.get('host');
    return `postgres://${user}${u.host}${u.pathname}${host ? `?host=${host}` : ''}`;
  } catch {
    return 'postgres://(unparsable url)';
  }
}
