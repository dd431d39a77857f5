import { z } from 'zod';
import { idParam, jsonBody, listQuery, pagingQuery } from './common.js';

export const userParams = z.object({ user_id: idParam });

/** Harbor's UserCreationReq. */
export const userCreation = jsonBody(
  z.object({
    username: z.string().min(1).max(255),
    password: z.string().min(1).max(128),
    email: z.string().max(255).optional(),
    realname: z.string().max(255).optional(),
    comment: z.string().max(1024).optional(),
  }).meta({ id: 'UserCreationReq' }),
);

/** Harbor's UserProfile. */
export const userProfile = jsonBody(
  z.object({ email: z.string().max(255).optional(), realname: z.string().max(255).optional(), comment: z.string().max(1024).optional() }).meta({ id: 'UserProfile' }),
);

/** Harbor's PasswordReq. */
export const passwordReq = jsonBody(z.object({ old_password: z.string().max(128).optional(), new_password: z.string().min(1).max(128) }).meta({ id: 'PasswordReq' }));

/** Harbor's UserSysAdminFlag. */
export const sysadminReq = jsonBody(z.object({ sysadmin_flag: z.boolean() }).meta({ id: 'UserSysAdminFlag' }));

export const userListQuery = listQuery;
export const userSearchQuery = pagingQuery.extend({ username: z.string().optional() });

/** Harbor's UserResp. */
export const userResp = z.strictObject({
  user_id: z.number().int(),
  username: z.string(),
  email: z.string(),
  realname: z.string(),
  comment: z.string(),
  sysadmin_flag: z.boolean(),
  admin_role_in_auth: z.boolean(),
  creation_time: z.string(),
  update_time: z.string(),
}).meta({ id: 'UserResp' });

/** Harbor's UserSearchRespItem. */
export const userSearchItem = z.strictObject({ user_id: z.number().int(), username: z.string() }).meta({ id: 'UserSearchRespItem' });
