// What the console's routes share for reading forms and query strings:
// schema pieces that let the empty fields a plain form sends through, and
// turning those fields into the admin operations' optional values. Fastify
// checks each field against the route's schema before a handler runs.

import { AdminError } from '../../auth/admin.ts';

/** A text field of at most `max` characters; an empty one is allowed (a form sends every field). */
export const field = (max: number) => ({ type: 'string', maxLength: max }) as const;

/** One of `values`, or empty for "any". */
export const choice = (values: readonly string[]) => ({ type: 'string', enum: ['', ...values] }) as const;

/** A time as <input type="datetime-local"> sends it, read as UTC (the pages say so), or empty. */
export const UTC_MINUTE = { type: 'string', pattern: '^(?:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2})?)?$' } as const;

/** A date as <input type="date"> sends it, or empty. */
export const DAY = { type: 'string', pattern: '^(?:\\d{4}-\\d{2}-\\d{2})?$' } as const;

/** Serials of a form's checkboxes: one value or several (the schema coerces one to a list). */
export const SERIALS = { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 128 } } as const;

/** The object schema of a form or query string: these fields, the CSRF field and nothing that is not a string. */
export function form(properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return { type: 'object', properties: { _csrf: field(200), ...properties }, required };
}

/** A trimmed field, or undefined when it is empty or absent. */
export function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

/** A UTC_MINUTE field as unix milliseconds, or undefined when empty. */
export function utcMillis(value: string | undefined, what: string): number | undefined {
  const v = given(value);
  if (v === undefined) return undefined;
  const ms = Date.parse(`${v.length === 16 ? `${v}:00` : v}Z`);
  if (Number.isNaN(ms)) throw new AdminError('invalid', `${what}: not a date and time`);
  return ms;
}

/** A DAY field as unix seconds at the start of that day (UTC), or undefined when empty. */
export function daySeconds(value: string | undefined, what: string): number | undefined {
  const v = given(value);
  if (v === undefined) return undefined;
  const ms = Date.parse(`${v}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new AdminError('invalid', `${what}: not a date`);
  return ms / 1000;
}

/** A query string of the non-empty values, for links that keep a filter (the next page, the export). */
export function queryOf(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** A time in UTC as the console's tables and exports write it: 2026-12-06 20:12:55. */
export function utcText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
