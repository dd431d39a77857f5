/**
 * What a project robot may be granted: Harbor's project-scope robot permissions
 * (PoliciesMap[ScopeProject] in src/common/rbac/const.go), in its order, limited to the pairs
 * Haven's permission matrix knows (the API refuses any other).
 */
export const robotPermissions: ReadonlyArray<readonly [resource: string, actions: readonly string[]]> = [
  ['repository', ['pull', 'push', 'delete', 'list', 'read', 'update']],
  ['artifact', ['read', 'create', 'list', 'delete']],
  ['tag', ['create', 'list', 'delete']],
  ['artifact-label', ['create', 'delete']],
  ['accessory', ['list']],
  ['artifact-addition', ['read']],
  ['scan', ['create', 'read', 'stop']],
  ['sbom', ['create', 'read', 'stop']],
  ['label', ['read', 'create', 'delete', 'list', 'update']],
  ['immutable-tag', ['create', 'delete', 'list', 'update']],
  ['tag-retention', ['read', 'create', 'delete', 'list', 'update']],
  ['notification-policy', ['read', 'create', 'delete', 'list', 'update']],
  ['preheat-policy', ['read', 'create', 'delete', 'list', 'update']],
  ['metadata', ['read', 'create', 'delete', 'update']],
  ['log', ['list']],
  ['quota', ['read']],
];

/** Every action any resource has, in the order the picker's columns show them. */
export const robotActions = ['pull', 'push', 'read', 'list', 'create', 'update', 'delete', 'stop'] as const;

export const permissionKey = (resource: string, action: string) => `${resource}:${action}`;
