// What the native admin routes work with.

import type { AdminContext, AdminLogin } from '../../../auth/admin.ts';

export interface AdminRouteDeps {
  admin: AdminContext;
  login: AdminLogin;
}

/** Seconds since the epoch as the API writes times: ISO 8601 in UTC, whole seconds. */
export function isoSeconds(unix: number | null): string | null {
  return unix === null ? null : new Date(unix * 1000).toISOString().replace('.000Z', 'Z');
}

/** An ISO 8601 time from a request as unix seconds; null stays null. */
export function unixSeconds(iso: string | null): number | null {
  return iso === null ? null : Math.floor(Date.parse(iso) / 1000);
}
