import { z } from 'zod';
import { jsonBody, listQuery } from './common.js';

/** Harbor's OverallHealthStatus. */
export const health = z.strictObject({
  status: z.enum(['healthy', 'unhealthy']),
  components: z.array(z.strictObject({ name: z.string(), status: z.enum(['healthy', 'unhealthy']), error: z.string().optional() })),
}).meta({ id: 'OverallHealthStatus' });

/** Harbor's GeneralInfo, the fields Haven has. */
export const generalInfo = z.strictObject({
  current_time: z.string(),
  registry_url: z.string(),
  external_url: z.string(),
  auth_mode: z.string(),
  primary_auth_mode: z.boolean(),
  project_creation_restriction: z.enum(['everyone', 'adminonly']),
  self_registration: z.boolean(),
  has_ca_root: z.boolean(),
  harbor_version: z.string(),
  registry_storage_provider_name: z.string(),
  read_only: z.boolean(),
  notification_enable: z.boolean(),
  banner_message: z.string(),
}).meta({ id: 'GeneralInfo' });

const setting = <T extends z.ZodType>(value: T) => z.strictObject({ value, editable: z.boolean() });

/** Harbor's ConfigurationsResponse, the settings Haven has. */
export const configurations = z.strictObject({
  auth_mode: setting(z.string()),
  self_registration: setting(z.boolean()),
  project_creation_restriction: setting(z.enum(['everyone', 'adminonly'])),
  token_expiration: setting(z.number().int()),
  robot_name_prefix: setting(z.string()),
  read_only: setting(z.boolean()),
  quota_per_project_enable: setting(z.boolean()),
  storage_per_project: setting(z.number().int()),
}).meta({ id: 'ConfigurationsResponse' });

/** Harbor's Configurations: key -> new value; the service says which keys may change. */
export const configurationsReq = jsonBody(z.record(z.string(), z.unknown()).meta({ id: 'Configurations' }));

/** Harbor's AuditLog, plus operation_result (Harbor's name for it, from AuditLogExt). */
export const auditLog = z.strictObject({
  id: z.number().int(),
  username: z.string(),
  resource: z.string(),
  resource_type: z.string(),
  operation: z.string(),
  op_time: z.string(),
  operation_result: z.boolean(),
}).meta({ id: 'AuditLog' });
export const auditListQuery = listQuery;
