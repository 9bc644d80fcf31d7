// Message templates: `{name}` placeholders filled at send time. Which names a
// template may use depends on where it goes; an unknown name is a config
// error, so a typo never reaches a user as literal braces.

export const MESSAGE_PLACEHOLDERS = ['otp', 'login', 'validUntil'] as const;
export const GATEWAY_PLACEHOLDERS = ['phone', 'otp', 'message', 'login', 'validUntil'] as const;

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Undefined when every placeholder is one of `allowed`, else what is wrong. */
export function templateProblem(template: string, allowed: readonly string[]): string | undefined {
  const unknown = placeholdersOf(template).filter((p) => !allowed.includes(p));
  if (unknown.length === 0) return undefined;
  return `unknown placeholder ${unknown.map((p) => `{${p}}`).join(', ')} (known: ${allowed.map((p) => `{${p}}`).join(', ')})`;
}

/** Replaces known placeholders; `escapeValue` applies to the values only (HTML bodies). */
export function fillTemplate(template: string, values: Record<string, string>, escapeValue: (v: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? escapeValue(values[name]!) : whole));
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Undefined when the IANA time zone name is known to this Node. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return undefined;
  } catch {
    return `unknown time zone "${timeZone}" (an IANA name such as Europe/Berlin or UTC)`;
  }
}

/** `2026-12-06 14:05 CET`: unambiguous in any language, with the zone a user can see. */
export function formatValidUntil(date: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    ...(timeZone !== undefined ? { timeZone } : {}),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}
