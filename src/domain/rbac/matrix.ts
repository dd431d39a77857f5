/**
 * Harbor's project permission matrix: resource x action -> the roles that hold it. Kept as one
 * table (from Harbor's rbac-matrix) so every permission decision reads the same data. Resource
 * and action names are Harbor's wire names, as robot accounts and /permissions use them.
 */
export const projectRoles = ['projectAdmin', 'maintainer', 'developer', 'guest', 'limitedGuest'] as const;
export type ProjectRole = (typeof projectRoles)[number];

type Row = readonly [resource: string, action: string, roles: string];

// roles column: one letter per role in projectRoles order (Y = granted, - = not).
const rows: readonly Row[] = [
  ['accessory', 'list', 'YYYYY'],
  ['artifact', 'create', 'YYY--'],
  ['artifact', 'delete', 'YY---'],
  ['artifact', 'list', 'YYYYY'],
  ['artifact', 'read', 'YYYYY'],
  ['artifact-addition', 'read', 'YYYYY'],
  ['artifact-label', 'create', 'YYY--'],
  ['artifact-label', 'delete', 'YYY--'],
  ['configuration', 'read', 'YYYYY'],
  ['configuration', 'update', 'Y----'],
  ['export-cve', 'create', 'YYY--'],
  ['export-cve', 'list', 'YYY--'],
  ['export-cve', 'read', 'YYY--'],
  ['immutable-tag', 'create', 'YY---'],
  ['immutable-tag', 'delete', 'YY---'],
  ['immutable-tag', 'list', 'YY---'],
  ['immutable-tag', 'update', 'YY---'],
  ['label', 'create', 'YY---'],
  ['label', 'delete', 'YY---'],
  ['label', 'list', 'YYYY-'],
  ['label', 'read', 'YYYY-'],
  ['label', 'update', 'YY---'],
  ['log', 'list', 'Y----'],
  ['member', 'create', 'Y----'],
  ['member', 'delete', 'Y----'],
  ['member', 'list', 'YYYY-'],
  ['member', 'read', 'YYYY-'],
  ['member', 'update', 'Y----'],
  ['metadata', 'create', 'Y----'],
  ['metadata', 'delete', 'Y----'],
  ['metadata', 'read', 'YY---'],
  ['metadata', 'update', 'Y----'],
  ['notification-policy', 'create', 'Y----'],
  ['notification-policy', 'delete', 'Y----'],
  ['notification-policy', 'list', 'YY---'],
  ['notification-policy', 'read', 'YY---'],
  ['notification-policy', 'update', 'Y----'],
  ['preheat-policy', 'create', 'Y----'],
  ['preheat-policy', 'delete', 'Y----'],
  ['preheat-policy', 'list', 'Y----'],
  ['preheat-policy', 'read', 'Y----'],
  ['preheat-policy', 'update', 'Y----'],
  ['quota', 'read', 'YYYYY'],
  ['repository', 'create', 'YYY--'],
  ['repository', 'delete', 'YY---'],
  ['repository', 'list', 'YYYYY'],
  ['repository', 'pull', 'YYYYY'],
  ['repository', 'push', 'YYY--'],
  ['repository', 'read', 'YYYYY'],
  ['repository', 'update', 'YYY--'],
  ['robot', 'create', 'Y----'],
  ['robot', 'delete', 'Y----'],
  ['robot', 'list', 'YYYY-'],
  ['robot', 'read', 'YYYY-'],
  ['robot', 'update', 'Y----'],
  ['sbom', 'create', 'YY---'],
  ['sbom', 'read', 'YYYYY'],
  ['sbom', 'stop', 'YY---'],
  ['scan', 'create', 'YY---'],
  ['scan', 'read', 'YYYYY'],
  ['scan', 'stop', 'YY---'],
  ['scanner', 'create', 'Y----'],
  ['scanner', 'read', 'YYYYY'],
  ['self', 'delete', 'Y----'],
  ['self', 'read', 'YYYYY'],
  ['self', 'update', 'Y----'],
  ['tag', 'create', 'YYY--'],
  ['tag', 'delete', 'YY---'],
  ['tag', 'list', 'YYYYY'],
  ['tag-retention', 'create', 'YYY--'],
  ['tag-retention', 'delete', 'YYY--'],
  ['tag-retention', 'list', 'YYY--'],
  ['tag-retention', 'operate', 'YYY--'],
  ['tag-retention', 'read', 'YYY--'],
  ['tag-retention', 'update', 'YYY--'],
];

export type Permission = `${string}:${string}`;

const grants = new Map<Permission, ReadonlySet<ProjectRole>>(
  rows.map(([resource, action, flags]) => [
    `${resource}:${action}` as Permission,
    new Set(projectRoles.filter((_, i) => flags[i] === 'Y')),
  ]),
);

/** Every (resource:action) pair the matrix knows. */
export const allPermissions: readonly Permission[] = [...grants.keys()];

export function roleAllows(role: ProjectRole, resource: string, action: string): boolean {
  return grants.get(`${resource}:${action}`)?.has(role) ?? false;
}

export function permissionsOf(role: ProjectRole): Permission[] {
  return allPermissions.filter((p) => grants.get(p)!.has(role));
}
