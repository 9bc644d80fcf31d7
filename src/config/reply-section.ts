// Config section `reply`: rules that add RADIUS attributes to Access-Accept.
// Attribute names are checked against the shipped dictionaries at start-up,
// and fixed values are encoded once so a bad value stops the start, not a login.

import { isMap, isScalar, isSeq } from 'yaml';
import type { ReplyRule } from '../auth/reply-rules.ts';
import { placeholdersOf } from '../auth/reply-rules.ts';
import { AttributeValueError, encodeAttribute, findAttribute } from '../radius/codec.ts';
import { INVALID, list, object, optional, str, type Check } from './schema.ts';

const scalarOrList: Check<string[]> = (node, ctx, path) => {
  if (node && isSeq(node)) {
    const out: string[] = [];
    node.items.forEach((item, i) => {
      if (isScalar(item) && item.value !== null && typeof item.value !== 'object') out.push(String(item.value));
      else ctx.error(item as never, `${path}[${i}]`, 'expected a value (text or number)');
    });
    return out;
  }
  if (node && isScalar(node) && node.value !== null && typeof node.value !== 'object') return [String(node.value)];
  ctx.error(node, path, node ? 'expected a value or a list of values' : 'required, a value');
  return INVALID;
};

const attributes: Check<{ name: string; values: string[] }[]> = (node, ctx, path) => {
  if (!node || !isMap(node) || node.items.length === 0) {
    ctx.error(node, path, 'expected a mapping of RADIUS attribute names to values, e.g. Class: admins');
    return INVALID;
  }
  const out: { name: string; values: string[] }[] = [];
  let ok = true;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const at = `${path}.${key}`;
    // FreeRADIUS writes a tagged attribute as Name:tag (RFC 2868), e.g. Tunnel-Type:1.
    const tagged = /^(.+):(\d+)$/.exec(key);
    const base = tagged ? tagged[1]! : key;
    const def = findAttribute(base);
    if (!def) {
      ctx.error(pair.key as never, at, `unknown RADIUS attribute "${base}" (not in dictionaries/; names are as in FreeRADIUS, e.g. Class, Filter-Id, Fortinet-Group-Name)`);
      ok = false;
      continue;
    }
    if (tagged && (!def.hasTag || Number(tagged[2]) < 1 || Number(tagged[2]) > 31)) {
      ctx.error(pair.key as never, at, def.hasTag ? `tag: expected 1 to 31, got ${tagged[2]}` : `${def.name} takes no tag (only attributes with has_tag, e.g. Tunnel-Type:1)`);
      ok = false;
      continue;
    }
    const name = tagged ? `${def.name}:${tagged[2]}` : def.name;
    const values = scalarOrList(pair.value as never, ctx, at);
    if (values === INVALID) {
      ok = false;
      continue;
    }
    for (const v of values) {
      if (placeholdersOf(v).length > 0) continue;
      try {
        encodeAttribute(name, v);
      } catch (e) {
        ctx.error(pair.value as never, at, e instanceof AttributeValueError ? e.detail : (e as Error).message);
        ok = false;
      }
    }
    out.push({ name, values });
  }
  return ok ? out : INVALID;
};

const rule = object({
  group: optional(str({ nonEmpty: true })),
  realm: optional(str({ nonEmpty: true })),
  attributes,
});

export const replySection: Check<ReplyRule[] | undefined> = (node, ctx, path) => {
  if (node === undefined) return undefined;
  const rules = list(rule)(node, ctx, path);
  if (rules === INVALID) return INVALID;
  return rules.map((r) => ({
    ...(r.group !== undefined ? { group: r.group } : {}),
    ...(r.realm !== undefined ? { realm: r.realm.toLowerCase() } : {}),
    attributes: r.attributes,
  }));
};
