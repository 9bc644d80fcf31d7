// When something given on the command line ends: a duration from now
// (90d, 12h, 30m) or a date (2027-01-31, midnight UTC).

import { CliError, EXIT_USAGE } from './errors.ts';

const UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };

/** Unix seconds. */
export function parseExpiry(command: string, text: string, now: number): number {
  const duration = /^(\d{1,6})([mhdw])$/.exec(text);
  if (duration) {
    const seconds = Number(duration[1]) * UNITS[duration[2]!]!;
    if (seconds === 0) throw new CliError(`${command}: --expires: a duration of 0 would expire at once`, EXIT_USAGE);
    return Math.floor(now) + seconds;
  }
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?$/.test(text)) {
    const at = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text.endsWith('Z') ? text : `${text}Z`);
    if (Number.isFinite(at)) {
      if (at / 1000 <= now) throw new CliError(`${command}: --expires: ${text} is in the past`, EXIT_USAGE);
      return Math.floor(at / 1000);
    }
  }
  throw new CliError(`${command}: --expires: expected a duration (90d, 12h, 30m, 2w) or a date (2027-01-31), got "${text}"`, EXIT_USAGE);
}
