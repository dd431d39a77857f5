/** The API's JSON shapes the portal reads (Harbor's names; see ../shared/harbor/swagger.yaml). */
export type { Permission, Project, Quota, User } from './server-types';

export interface SystemInfo {
  harbor_version?: string;
  auth_mode?: string;
  self_registration?: boolean;
  project_creation_restriction?: string;
  registry_url?: string;
  external_url?: string;
  read_only?: boolean;
  [key: string]: unknown;
}


/** Harbor's role ids. */
export const roles = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 } as const;
