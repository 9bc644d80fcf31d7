// The pages' languages: t(key, params) over a catalog, with plural forms and
// numbers in the language's own way, and the language a request asks for
// (the switch's cookie, else Accept-Language, else English).

import { placeholders, type Catalog, type Message } from './catalog.ts';
import { de } from './de.ts';
import { en, type MessageKey } from './en.ts';

export type { MessageKey } from './en.ts';
export { placeholders };

export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's own name, for the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch' };

export const CATALOGS: Record<Language, Catalog> = { en, de };

export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

function pick(message: Message, count: unknown, rules: Intl.PluralRules): string {
  if (typeof message === 'string') return message;
  const form = typeof count === 'number' ? rules.select(count) : 'other';
  return message[form] ?? message.other;
}

const translators = new Map<Language, Translate>();

/** t() of a language; a key missing from its catalog falls back to English. */
export function translator(lang: Language): Translate {
  let t = translators.get(lang);
  if (!t) {
    const catalog = CATALOGS[lang];
    const rules = new Intl.PluralRules(lang);
    const numbers = new Intl.NumberFormat(lang);
    t = (key, params = {}) => {
      const text = pick(catalog[key] ?? en[key], params.count, rules);
      return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const v = params[name];
        return v === undefined ? whole : typeof v === 'number' ? numbers.format(v) : v;
      });
    };
    translators.set(lang, t);
  }
  return t;
}

/**
 * The language of a request: a valid cookie value, else the first language
 * of Accept-Language (by q) that we have, else English.
 */
export function negotiate(cookie: string | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(cookie)) return cookie;
  const wanted = (acceptLanguage ?? '')
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = rest.map((r) => /^\s*q=([\d.]+)\s*$/.exec(r)?.[1]).find((x) => x !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return wanted.map((w) => w.lang).find(isLanguage) ?? 'en';
}
