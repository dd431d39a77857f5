import { principalName, type Principal } from '../../domain/identity/principal.js';
import type { SettingStore } from '../../db/settings.js';
import { invalidLimit, unlimited } from '../../domain/quota/quota-math.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import { requireSysadmin } from './guards.js';

export interface SystemSettings {
  selfRegistration: boolean;
  projectCreationRestriction: 'everyone' | 'adminonly';
  /** Harbor's storage_per_project: the hard limit of new projects' quotas, -1 unlimited. */
  storagePerProject: number;
  /** Harbor's read_only: every write refused (http/read-only-guard.ts). */
  readOnly: boolean;
  /** How long a registry token lives: Harbor's token_expiration (minutes) once set, else auth.tokenTtl. */
  tokenTtlSeconds: number;
}

/** A year: a longer-lived token is a password that cannot be revoked. */
const maxTokenMinutes = 525_600;

/** Harbor's /configurations for the settings Haven has; the rest are not editable here. */
export function createSettingsService(deps: { settings: SettingStore; audit: AuditLog; tokenTtlSeconds: number; onChange?: () => void }) {
  const { settings, audit } = deps;

  async function current(): Promise<SystemSettings> {
    const s = await settings.all();
    return {
      selfRegistration: s.self_registration === 'true',
      projectCreationRestriction: s.project_creation_restriction === 'adminonly' ? 'adminonly' : 'everyone',
      storagePerProject: s.storage_per_project !== undefined ? Number(s.storage_per_project) : unlimited,
      readOnly: s.read_only === 'true',
      tokenTtlSeconds: s.token_expiration !== undefined ? 60 * Number(s.token_expiration) : deps.tokenTtlSeconds,
    };
  }

  return {
    current,

    async get(actor: Principal) {
      requireSysadmin(actor);
      const s = await current();
      return {
        auth_mode: { value: 'db_auth', editable: false },
        self_registration: { value: s.selfRegistration, editable: true },
        project_creation_restriction: { value: s.projectCreationRestriction, editable: true },
        token_expiration: { value: Math.max(1, Math.round(s.tokenTtlSeconds / 60)), editable: true },
        robot_name_prefix: { value: 'robot$', editable: false },
        read_only: { value: s.readOnly, editable: true },
        quota_per_project_enable: { value: true, editable: false },
        storage_per_project: { value: s.storagePerProject, editable: true },
      };
    },

    async update(actor: Principal, changes: Record<string, unknown>, ip: string) {
      requireSysadmin(actor);
      const out: Record<string, string> = {};
      for (const [key, value] of Object.entries(changes)) {
        if (key === 'self_registration') {
          if (typeof value !== 'boolean') throw new AppError('BAD_REQUEST', 'self_registration must be true or false');
          out.self_registration = String(value);
        } else if (key === 'project_creation_restriction') {
          if (value !== 'everyone' && value !== 'adminonly') throw new AppError('BAD_REQUEST', 'project_creation_restriction must be "everyone" or "adminonly"');
          out.project_creation_restriction = value;
        } else if (key === 'storage_per_project') {
          const invalid = typeof value === 'number' ? invalidLimit(value) : 'storage_per_project must be an integer';
          if (invalid) throw new AppError('BAD_REQUEST', invalid);
          out.storage_per_project = String(value);
        } else if (key === 'token_expiration') {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxTokenMinutes) {
            throw new AppError('BAD_REQUEST', `token_expiration must be a whole number of minutes from 1 to ${maxTokenMinutes}`);
          }
          out.token_expiration = String(value);
        } else if (key === 'read_only') {
          if (typeof value !== 'boolean') throw new AppError('BAD_REQUEST', 'read_only must be true or false');
          out.read_only = String(value);
        } else {
          throw new AppError('BAD_REQUEST', `configuration ${key.slice(0, 64)} cannot be changed in Haven`);
        }
      }
      await settings.set(out);
      deps.onChange?.();
      audit.record({ projectId: null, operation: 'update', resourceType: 'configuration', resource: Object.keys(out).join(','), username: principalName(actor), clientIp: ip, success: true });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
