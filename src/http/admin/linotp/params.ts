// LinOTP's request parameters: the query string and a form or JSON body
// together (the body wins), names compared without case as LinOTP's
// getLowerParams does, and lists given as `name[]` fields or JSON arrays.

import { LinotpParameterError } from './envelope.ts';

export class Params {
  readonly #values = new Map<string, string[]>();

  /** `body` is a form (URLSearchParams) or a parsed JSON object. */
  constructor(query: URLSearchParams, body: unknown) {
    for (const [k, v] of query) this.#add(k, v);
    const fromBody = new Map<string, string[]>();
    const take = (k: string, v: unknown): void => {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return;
      const name = Params.#name(k);
      fromBody.set(name, [...(fromBody.get(name) ?? []), String(v)]);
    };
    if (body instanceof URLSearchParams) for (const [k, v] of body) take(k, v);
    else if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) for (const item of Array.isArray(v) ? v : [v]) take(k, item);
    }
    for (const [name, values] of fromBody) this.#values.set(name, values);
  }

  static #name(key: string): string {
    return key.toLowerCase().replace(/\[\]$/, '');
  }

  #add(key: string, value: string): void {
    const name = Params.#name(key);
    this.#values.set(name, [...(this.#values.get(name) ?? []), value]);
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  /** The last value given for `name`. */
  get(name: string): string | undefined {
    return this.#values.get(name.toLowerCase())?.at(-1);
  }

  all(name: string): string[] {
    return this.#values.get(name.toLowerCase()) ?? [];
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '') throw new LinotpParameterError(`Missing parameter: '${name}'`);
    return v;
  }

  /** A whole number, or undefined when not given. */
  int(name: string, min: number, max: number): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(v.trim()) || Number(v) < min || Number(v) > max)
      throw new LinotpParameterError(`${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 40))}`);
    return Number(v);
  }
}
