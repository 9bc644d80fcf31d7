// What a message catalog holds: a text with {placeholders}, or plural forms
// chosen by the `count` parameter under the language's plural rules.

/** Plural forms by Intl.PluralRules category; `other` is always there. */
export type PluralMessage = { one?: string; two?: string; few?: string; many?: string; zero?: string; other: string };
export type Message = string | PluralMessage;
export type Catalog = Record<string, Message>;

/** The {names} a message uses, over all its plural forms. */
export function placeholders(message: Message): string[] {
  const texts = typeof message === 'string' ? [message] : Object.values(message);
  return [...new Set(texts.flatMap((text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();
}
