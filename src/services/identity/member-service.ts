import { principalName, type Principal } from '../../domain/identity/principal.js';
import { roleIds } from '../../domain/identity/roles.js';
import type { MemberRow, MemberStore } from '../../db/members.js';
import type { UserStore } from '../../db/users.js';
import { AppError } from '../../platform/errors.js';
import type { IdentityCache } from '../../auth/identity-cache.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from './project-service.js';

export interface MemberView {
  id: number;
  project_id: number;
  entity_name: string;
  role_name: string;
  role_id: number;
  entity_id: number;
  entity_type: 'u';
}

function toView(m: MemberRow): MemberView {
  return {
    id: m.id,
    project_id: m.projectId,
    entity_name: m.username,
    role_name: roleIds[m.roleId] ?? 'unknown',
    role_id: m.roleId,
    entity_id: m.userId,
    entity_type: 'u',
  };
}

function checkRole(roleId: number): void {
  if (!roleIds[roleId]) throw new AppError('BAD_REQUEST', 'role_id must be 1 (projectAdmin), 2 (developer), 3 (guest), 4 (maintainer) or 5 (limitedGuest)');
}

export function createMemberService(deps: { members: MemberStore; users: UserStore; projects: ProjectService; audit: AuditLog; identity: Pick<IdentityCache, 'forgetMembers'> }) {
  const { members, users, projects, audit, identity } = deps;

  function record(actor: Principal, projectId: number, operation: string, resource: string, ip: string) {
    audit.record({ projectId, operation, resourceType: 'project_member', resource, username: principalName(actor), clientIp: ip, success: true });
  }

  return {
    async list(actor: Principal, ref: string, byName: boolean, entityName: string | undefined, page: { offset: number; limit: number }): Promise<{ items: MemberView[]; total: number }> {
      const { project } = await projects.resolve(actor, ref, byName, 'member', 'list');
      const { rows, total } = await members.page(project.id, entityName || undefined, page);
      return { items: rows.map(toView), total };
    },

    async get(actor: Principal, ref: string, byName: boolean, memberId: number) {
      const { project } = await projects.resolve(actor, ref, byName, 'member', 'read');
      const m = await members.byId(project.id, memberId);
      if (!m) throw new AppError('NOT_FOUND', `member ${memberId} not found in project ${project.name}`);
      return toView(m);
    },

    async add(actor: Principal, ref: string, byName: boolean, req: { role_id: number; member_user?: { user_id?: number | undefined; username?: string | undefined } | undefined }, ip: string): Promise<number> {
      const { project } = await projects.resolve(actor, ref, byName, 'member', 'create');
      checkRole(req.role_id);
      const u = req.member_user?.user_id !== undefined
        ? await users.byId(req.member_user.user_id)
        : req.member_user?.username
          ? await users.byName(req.member_user.username)
          : null;
      if (!u) throw new AppError('NOT_FOUND', 'member_user must name an existing user (user_id or username)');
      if ((await members.roleOf(project.id, u.id)) !== null) throw new AppError('CONFLICT', `${u.username} is already a member of ${project.name}`);
      const id = await members.add(project.id, u.id, req.role_id);
      await identity.forgetMembers(project.id);
      record(actor, project.id, 'create', `${project.name}/${u.username}:${roleIds[req.role_id]}`, ip);
      return id;
    },

    async update(actor: Principal, ref: string, byName: boolean, memberId: number, roleId: number, ip: string) {
      const { project } = await projects.resolve(actor, ref, byName, 'member', 'update');
      checkRole(roleId);
      const m = await members.byId(project.id, memberId);
      if (!m) throw new AppError('NOT_FOUND', `member ${memberId} not found in project ${project.name}`);
      if (actor.kind === 'user' && m.userId === actor.id) throw new AppError('FORBIDDEN', 'you cannot change your own role');
      await members.setRole(project.id, memberId, roleId);
      await identity.forgetMembers(project.id);
      record(actor, project.id, 'update', `${project.name}/${m.username}:${roleIds[roleId]}`, ip);
    },

    async remove(actor: Principal, ref: string, byName: boolean, memberId: number, ip: string) {
      const { project } = await projects.resolve(actor, ref, byName, 'member', 'delete');
      const m = await members.byId(project.id, memberId);
      if (!m) throw new AppError('NOT_FOUND', `member ${memberId} not found in project ${project.name}`);
      if (actor.kind === 'user' && m.userId === actor.id) throw new AppError('FORBIDDEN', 'you cannot remove yourself');
      await members.remove(project.id, memberId);
      await identity.forgetMembers(project.id);
      record(actor, project.id, 'delete', `${project.name}/${m.username}`, ip);
    },
  };
}

export type MemberService = ReturnType<typeof createMemberService>;
