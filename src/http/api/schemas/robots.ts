import { z } from 'zod';
import { idParam, jsonBody, listQuery, pagingQuery } from './common.js';

const access = z.object({
  resource: z.string().max(64),
  action: z.string().max(64),
  effect: z.string().max(16).optional(),
});
const permission = z.object({
  kind: z.string().max(32),
  namespace: z.string().max(255),
  access: z.array(access).max(200),
});
const robotCreateFields = {
  name: z.string().max(255),
  description: z.string().max(1024).optional(),
  secret: z.string().max(128).optional(),
  level: z.string().max(16),
  disable: z.boolean().optional(),
  duration: z.number().int().optional(),
  permissions: z.array(permission).max(100),
};

/** Harbor's RobotCreate. */
export const robotCreate = jsonBody(z.object(robotCreateFields).meta({ id: 'RobotCreate' }));

/** RobotCreate under /projects/{p}/robots: the level is "project" and permissions default to pull. */
export const projectRobotCreate = jsonBody(
  z.object({ ...robotCreateFields, level: z.string().max(16).optional(), permissions: z.array(permission).max(100).optional() }).meta({ id: 'ProjectRobotCreate' }),
);

/** Harbor's Robot, as PUT takes it (read-only fields such as id or creation_time are ignored). */
export const robotUpdate = jsonBody(
  z.object({
    name: z.string().max(255).optional(),
    description: z.string().max(1024).optional(),
    level: z.string().max(16).optional(),
    disable: z.boolean().optional(),
    duration: z.number().int().nullable().optional(),
    permissions: z.array(permission).max(100).optional(),
  }).meta({ id: 'RobotUpdate' }),
);

/** Harbor's RobotSec. */
export const robotSec = jsonBody(z.object({ secret: z.string().max(128).optional() }).meta({ id: 'RobotSecReq' }));

export const robotParams = z.object({ robot_id: idParam });
export const robotListQuery = listQuery;
export const projectRobotListQuery = pagingQuery;

/** Harbor's Robot. */
export const robot = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  level: z.enum(['system', 'project']),
  duration: z.number().int(),
  editable: z.boolean(),
  disable: z.boolean(),
  expires_at: z.number().int(),
  permissions: z.array(
    z.strictObject({
      kind: z.literal('project'),
      namespace: z.string(),
      access: z.array(z.strictObject({ resource: z.string(), action: z.string(), effect: z.literal('allow') })),
    }),
  ),
  creator_type: z.string(),
  creator_ref: z.number().int(),
  creation_time: z.string(),
  update_time: z.string(),
}).meta({ id: 'Robot' });

/** Harbor's RobotCreated: the only answer that carries the secret. */
export const robotCreated = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  secret: z.string(),
  creation_time: z.string(),
  expires_at: z.number().int(),
}).meta({ id: 'RobotCreated' });

/** Harbor's RobotSec answer: the generated secret, or nothing when the caller chose it. */
export const robotSecResp = z.strictObject({ secret: z.string().optional() }).meta({ id: 'RobotSec' });
