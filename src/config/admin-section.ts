// Config sections `admin` (sessions, directory admins, import size) and
// `audit` (the audit table and its retention).

import type { Node } from 'yaml';
import { ROLES } from '../model/actor.ts';
import { DEFAULT_ADMIN_POLICY, DEFAULT_AUDIT_POLICY, type AdminPolicy, type AuditPolicy, type DirectoryAdmin } from '../model/admin-policy.ts';
import { bool, INVALID, int, list, nodeAt, object, oneOf, optional, str, withDefault, type Check, type Ctx } from './schema.ts';

const directoryEntry = object({
  realm: str({ nonEmpty: true }),
  group: str({ nonEmpty: true }),
  role: oneOf(ROLES),
  realms: optional(list(str({ nonEmpty: true }), { minItems: 1 })),
});

const adminShape = object({
  sessionIdleMinutes: withDefault(int({ min: 1, max: 24 * 60 }), DEFAULT_ADMIN_POLICY.sessionIdleSeconds / 60),
  sessionMaxHours: withDefault(int({ min: 1, max: 24 * 30 }), DEFAULT_ADMIN_POLICY.sessionMaxSeconds / 3600),
  directory: withDefault(list(directoryEntry), []),
  maxImportBytes: withDefault(int({ min: 1024, max: 256 * 1024 * 1024 }), DEFAULT_ADMIN_POLICY.maxImportBytes),
});

export const adminSection: Check<AdminPolicy> = (node, ctx, path) => {
  if (node === undefined) return DEFAULT_ADMIN_POLICY;
  const v = adminShape(node, ctx, path);
  if (v === INVALID) return INVALID;
  if (v.sessionIdleMinutes * 60 > v.sessionMaxHours * 3600)
    ctx.error(nodeAt(node, ['sessionIdleMinutes']), `${path}.sessionIdleMinutes`, `must not be longer than sessionMaxHours (${v.sessionMaxHours} h)`);
  const directory: DirectoryAdmin[] = v.directory.map((d) => ({
    realm: d.realm.toLowerCase(),
    group: d.group,
    role: d.role,
    ...(d.realms ? { realms: d.realms.map((r) => r.toLowerCase()) } : {}),
  }));
  return { sessionIdleSeconds: v.sessionIdleMinutes * 60, sessionMaxSeconds: v.sessionMaxHours * 3600, directory, maxImportBytes: v.maxImportBytes };
};

/** The realms `admin.directory` names must exist; called once the realms are known. */
export function checkDirectoryRealms(admin: AdminPolicy, realms: Record<string, unknown>, root: Node | undefined, ctx: Ctx): void {
  admin.directory.forEach((d, i) => {
    if (!(d.realm in realms)) ctx.error(nodeAt(root, ['admin', 'directory', i, 'realm']), `admin.directory[${i}].realm`, `unknown realm "${d.realm}"`);
    (d.realms ?? []).forEach((r, j) => {
      if (!(r in realms)) ctx.error(nodeAt(root, ['admin', 'directory', i, 'realms', j]), `admin.directory[${i}].realms[${j}]`, `unknown realm "${r}"`);
    });
  });
}

const auditShape = object({
  table: withDefault(bool(), DEFAULT_AUDIT_POLICY.table),
  retentionDays: withDefault(int({ min: 1, max: 3650 }), DEFAULT_AUDIT_POLICY.retentionDays),
});

export const auditSection: Check<AuditPolicy> = (node, ctx, path) => (node === undefined ? DEFAULT_AUDIT_POLICY : auditShape(node, ctx, path));
