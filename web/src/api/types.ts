/** The API's JSON shapes the portal reads (Harbor's names; see ../shared/harbor/swagger.yaml). */
export interface User {
  user_id: number;
  username: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin_flag: boolean;
  admin_role_in_auth: boolean;
  creation_time: string;
  update_time: string;
}

export interface Project {
  project_id: number;
  owner_id: number;
  owner_name?: string;
  name: string;
  creation_time: string;
  update_time: string;
  current_user_role_id: number;
  current_user_role_ids: number[];
  repo_count: number;
  metadata?: Record<string, string>;
}

export interface Quota {
  id: number;
  ref: { id: number; name: string; owner_name?: string };
  hard: { storage: number };
  used: { storage: number };
}

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

export interface Permission {
  resource: string;
  action: string;
}

/** Harbor's role ids. */
export const roles = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 } as const;
