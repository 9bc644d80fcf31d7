// Config section `selfService`: the portal's sessions, the PIN rule, how
// long enrollment codes last, and per realm who may do what. `defaults`
// applies to every realm; an entry under `realms` changes only the keys it
// gives.

import { isMap, isScalar, type Node } from 'yaml';
import { DEFAULT_REALM_SELF_SERVICE, DEFAULT_SELF_SERVICE, ENROLL_RULES, MAX_ENROLLMENT_CODE_HOURS, SELF_TYPES, type RealmSelfService, type SelfServicePolicy } from '../model/self-service.ts';
import { bool, INVALID, int, list, nodeAt, object, oneOf, optional, record, str, withDefault, type Check, type Ctx } from './schema.ts';

const realmShape = object({
  enabled: optional(bool()),
  enroll: optional(oneOf(ENROLL_RULES)),
  group: optional(str({ nonEmpty: true })),
  maxTokens: optional(int({ min: 1, max: 20 })),
  types: optional(list(oneOf(SELF_TYPES), { minItems: 1 })),
  enrollmentCode: optional(bool()),
  deleteLast: optional(bool()),
});

type RealmKeys = Exclude<ReturnType<typeof realmShape>, typeof INVALID>;

const shape = object({
  sessionIdleMinutes: withDefault(int({ min: 1, max: 24 * 60 }), DEFAULT_SELF_SERVICE.sessionIdleSeconds / 60),
  sessionMaxHours: withDefault(int({ min: 1, max: 24 * 7 }), DEFAULT_SELF_SERVICE.sessionMaxSeconds / 3600),
  userCheckSeconds: withDefault(int({ min: 0, max: 3600 }), DEFAULT_SELF_SERVICE.userCheckSeconds),
  pinMinLength: withDefault(int({ min: 1, max: 64 }), DEFAULT_SELF_SERVICE.pinMinLength),
  enrollmentCodeHours: withDefault(int({ min: 1, max: MAX_ENROLLMENT_CODE_HOURS }), DEFAULT_SELF_SERVICE.enrollmentCodeHours),
  defaults: optional(realmShape),
  realms: optional(record(realmShape)),
});

/** `keys` over `base`; the types listed twice, or enroll: group without a group, are errors at `node`. */
function merged(base: RealmSelfService, keys: RealmKeys, node: Node | undefined, ctx: Ctx, path: string): RealmSelfService | typeof INVALID {
  const given = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as Partial<RealmSelfService>;
  const policy: RealmSelfService = { ...base, ...given };
  if (policy.enroll !== 'group') delete policy.group;
  let ok = true;
  if (new Set(policy.types).size !== policy.types.length) {
    ctx.error(nodeAt(node, ['types']), `${path}.types`, 'a type is listed twice');
    ok = false;
  }
  if (policy.enroll === 'group' && policy.group === undefined) {
    ctx.error(nodeAt(node, ['enroll']) ?? node, `${path}.group`, 'required with enroll: group, the directory group whose members may enroll');
    ok = false;
  }
  if (keys.group !== undefined && policy.enroll !== 'group') {
    ctx.error(nodeAt(node, ['group']), `${path}.group`, `applies with enroll: group only (enroll is ${policy.enroll})`);
    ok = false;
  }
  return ok ? policy : INVALID;
}

export const selfServiceSection: Check<SelfServicePolicy> = (node, ctx, path) => {
  if (node === undefined) return DEFAULT_SELF_SERVICE;
  const v = shape(node, ctx, path);
  if (v === INVALID) return INVALID;
  if (v.sessionIdleMinutes * 60 > v.sessionMaxHours * 3600)
    ctx.error(nodeAt(node, ['sessionIdleMinutes']), `${path}.sessionIdleMinutes`, `must not be longer than sessionMaxHours (${v.sessionMaxHours} h)`);
  const defaults = v.defaults ? merged(DEFAULT_REALM_SELF_SERVICE, v.defaults, nodeAt(node, ['defaults']), ctx, `${path}.defaults`) : DEFAULT_REALM_SELF_SERVICE;
  if (defaults === INVALID) return INVALID;
  const realms: Record<string, RealmSelfService> = {};
  let ok = true;
  for (const [name, keys] of Object.entries(v.realms ?? {})) {
    const lower = name.toLowerCase();
    const at = nodeAt(node, ['realms', name]);
    if (lower in realms) {
      ctx.error(at, `${path}.realms.${name}`, 'realm names are case-insensitive, and this realm is given twice');
      ok = false;
      continue;
    }
    const policy = merged(defaults, keys, at, ctx, `${path}.realms.${name}`);
    if (policy === INVALID) ok = false;
    else realms[lower] = policy;
  }
  if (!ok) return INVALID;
  return {
    sessionIdleSeconds: v.sessionIdleMinutes * 60,
    sessionMaxSeconds: v.sessionMaxHours * 3600,
    userCheckSeconds: v.userCheckSeconds,
    pinMinLength: v.pinMinLength,
    enrollmentCodeHours: v.enrollmentCodeHours,
    defaults,
    realms,
  };
};

/** The realms `selfService.realms` names must exist; called once the realms are known. */
export function checkSelfServiceRealms(policy: SelfServicePolicy, realms: Record<string, unknown>, root: Node | undefined, ctx: Ctx): void {
  const section = nodeAt(root, ['selfService', 'realms']);
  for (const name of Object.keys(policy.realms)) {
    if (name in realms) continue;
    const pair = isMap(section) ? section.items.find((p) => isScalar(p.key) && String(p.key.value).toLowerCase() === name) : undefined;
    ctx.error((pair?.key as Node | undefined) ?? section, `selfService.realms.${name}`, `unknown realm "${name}" (realms: ${Object.keys(realms).join(', ') || 'none'})`);
  }
}
