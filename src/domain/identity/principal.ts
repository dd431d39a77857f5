/** A robot's grant: (resource, action) within a project namespace, or "*" for every project. */
export interface RobotGrant {
  namespace: string;
  resource: string;
  action: string;
}

/** Who is asking. Every permission decision starts from one of these. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; id: number; name: string; sysadmin: boolean }
  | { kind: 'robot'; id: number; name: string; level: 'system' | 'project'; grants: RobotGrant[] };

export const anonymous: Principal = { kind: 'anonymous' };

export function principalName(p: Principal): string {
  return p.kind === 'anonymous' ? 'anonymous' : p.name;
}

export function isSysadmin(p: Principal): boolean {
  return p.kind === 'user' && p.sysadmin;
}
