import { z } from 'zod';
import { idParam, jsonBody, listQuery, pagingQuery, projectRefParams, queryBool } from './common.js';
import { resourceList } from './quotas.js';

/** Harbor's ProjectReq; a field Harbor does not have is refused, never silently dropped. */
export const projectReq = jsonBody(
  z.strictObject({
    project_name: z.string().max(255).optional(),
    public: z.boolean().optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    storage_limit: z.number().int().nullable().optional(),
    registry_id: z.number().nullable().optional(),
    cve_allowlist: z.unknown().optional(),
  }).meta({ id: 'ProjectReq' }),
);

export const projectListQuery = listQuery.extend({ name: z.string().optional(), public: queryBool, owner: z.string().max(255).optional(), with_detail: queryBool });
export const projectHeadQuery = z.object({ project_name: z.string().default('') });
export const permissionsQuery = z.object({ scope: z.string().optional(), relative: queryBool });

/** Harbor's Project. */
export const project = z.strictObject({
  project_id: z.number().int(),
  owner_id: z.number().int(),
  owner_name: z.string().optional(),
  name: z.string(),
  creation_time: z.string(),
  update_time: z.string(),
  deleted: z.boolean(),
  togglable: z.boolean(),
  current_user_role_id: z.number().int(),
  current_user_role_ids: z.array(z.number().int()),
  repo_count: z.number().int(),
  metadata: z.record(z.string(), z.string()).optional(),
}).meta({ id: 'Project' });

/** Harbor's ProjectDeletable. */
export const projectDeletable = z.strictObject({ deletable: z.boolean(), message: z.string() }).meta({ id: 'ProjectDeletable' });


/** Harbor's ProjectSummary; the member counts only for those who may list members. */
export const projectSummary = z.strictObject({
  repo_count: z.number().int(),
  artifact_count: z.number().int(),
  project_admin_count: z.number().int().optional(),
  maintainer_count: z.number().int().optional(),
  developer_count: z.number().int().optional(),
  guest_count: z.number().int().optional(),
  limited_guest_count: z.number().int().optional(),
  quota: z.strictObject({ hard: resourceList, used: resourceList }).meta({ id: 'ProjectSummaryQuota' }).optional(),
}).meta({ id: 'ProjectSummary' });

/** Harbor's Permission. */
export const permission = z.strictObject({ resource: z.string(), action: z.string() }).meta({ id: 'Permission' });

export const memberParams = projectRefParams.extend({ mid: idParam });
export const memberListQuery = pagingQuery.extend({ entityname: z.string().optional() });

/** Harbor's ProjectMember (users only: Haven has no groups). */
export const memberReq = jsonBody(
  z.object({
    role_id: z.number().int(),
    member_user: z.object({ user_id: z.number().int().optional(), username: z.string().max(255).optional() }).optional(),
    member_group: z.unknown().optional(),
  }).meta({ id: 'ProjectMember' }),
);
/** Harbor's RoleRequest. */
export const roleReq = jsonBody(z.object({ role_id: z.number().int() }).meta({ id: 'RoleRequest' }));

/** Harbor's ProjectMemberEntity. */
export const memberEntity = z.strictObject({
  id: z.number().int(),
  project_id: z.number().int(),
  entity_name: z.string(),
  role_name: z.string(),
  role_id: z.number().int(),
  entity_id: z.number().int(),
  entity_type: z.literal('u'),
}).meta({ id: 'ProjectMemberEntity' });
