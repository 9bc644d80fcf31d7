// Reply rules: attributes for Access-Accept from who the user is. A rule may
// require a group and/or a realm; its values may name user data in braces.
// `{group}` in a rule without a group condition gives one attribute per group.

import type { User } from '../users/types.ts';
import type { ReplyAttribute } from '../model/decision.ts';

export interface ReplyRule {
  /** Only users in this group (compared case-insensitively). */
  group?: string;
  /** Only users of this realm (lower case). */
  realm?: string;
  attributes: { name: string; values: string[] }[];
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_.-]*)\}/g;

/** The placeholder names a value uses, for config checks. */
export function placeholdersOf(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function userValue(user: User, realm: string, name: string): string | undefined {
  switch (name) {
    case 'login':
      return user.login;
    case 'realm':
      return realm;
    case 'email':
      return user.email;
    case 'phone':
      return user.phone;
    case 'givenName':
      return user.givenName;
    case 'surname':
      return user.surname;
    default: {
      const v = user.attributes[name];
      return Array.isArray(v) ? v[0] : v;
    }
  }
}

/** Fills a value; undefined when the user lacks a datum it names (the attribute is then left out). */
function expand(value: string, user: User, realm: string, group: string | undefined): string | undefined {
  let missing = false;
  const out = value.replace(PLACEHOLDER, (_m, name: string) => {
    const v = name === 'group' ? group : userValue(user, realm, name);
    if (v === undefined || v === '') missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

export function replyAttributes(rules: readonly ReplyRule[], user: User, realm: string): ReplyAttribute[] {
  const out: ReplyAttribute[] = [];
  const groups = new Map(user.groups.map((g) => [g.toLowerCase(), g]));
  for (const rule of rules) {
    if (rule.realm !== undefined && rule.realm !== realm) continue;
    let matchedGroup: string | undefined;
    if (rule.group !== undefined) {
      matchedGroup = groups.get(rule.group.toLowerCase());
      if (matchedGroup === undefined) continue;
    }
    for (const { name, values } of rule.attributes) {
      for (const value of values) {
        const perGroup = matchedGroup === undefined && value.includes('{group}') ? user.groups : [matchedGroup];
        for (const g of perGroup) {
          const v = expand(value, user, realm, g);
          if (v !== undefined) out.push({ name, value: v });
        }
      }
    }
  }
  return out;
}
