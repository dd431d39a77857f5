import type { IdentityCache } from '../../auth/identity-cache.js';
import { principalName, type Principal } from '../../domain/identity/principal.js';
import type { MetadataChange, ProjectMetadataStore } from '../../db/project-metadata.js';
import { AppError } from '../../platform/errors.js';
import type { AuditLog } from '../audit/audit-log.js';
import { projectNotFound, type ProjectService } from './project-service.js';
import { metadataValue } from './project-settings.js';

/**
 * Harbor's /projects/{p}/metadatas/: one key at a time, validated by the same rule as POST/PUT
 * /projects (project-settings.ts), checked against the `metadata` rows of the matrix (only a
 * project admin changes them; listing them all is the system administrator's, as in Harbor).
 */
export function createProjectMetadataService(deps: { metadata: ProjectMetadataStore; projects: Pick<ProjectService, 'resolve'>; audit: AuditLog; identity: Pick<IdentityCache, 'forgetProject'> }) {
  const { metadata, projects, audit } = deps;

  /** The permission first, then the body: a caller without the right learns nothing from its errors. */
  async function change(actor: Principal, ref: string, byName: boolean, action: string, make: () => MetadataChange, ip: string): Promise<void> {
    const { project } = await projects.resolve(actor, ref, byName, 'metadata', action);
    const c = make();
    const r = await metadata.change(project.id, c);
    if (r === 'missing') throw projectNotFound(ref);
    if (r === 'exists') throw new AppError('CONFLICT', `metadata ${c.key} already exists for project ${project.id}`);
    // `public` is one of the keys, and anonymous pulls are decided on it from the identity cache.
    await deps.identity.forgetProject(project.name);
    audit.record({ projectId: project.id, operation: 'update', resourceType: 'project', resource: project.name, username: principalName(actor), clientIp: ip, success: true });
  }

  async function read(actor: Principal, ref: string, byName: boolean, action: string): Promise<Record<string, string>> {
    const { project } = await projects.resolve(actor, ref, byName, 'metadata', action);
    const all = await metadata.get(project.id);
    if (!all) throw projectNotFound(ref);
    return all;
  }

  return {
    list: (actor: Principal, ref: string, byName: boolean) => read(actor, ref, byName, 'list'),

    /** The one key, or {} when it is not set (as Harbor). */
    async get(actor: Principal, ref: string, byName: boolean, key: string): Promise<Record<string, string>> {
      const all = await read(actor, ref, byName, 'read');
      return Object.hasOwn(all, key) ? { [key]: all[key]! } : {};
    },

    async add(actor: Principal, ref: string, byName: boolean, body: Record<string, string>, ip: string): Promise<void> {
      await change(actor, ref, byName, 'create', () => {
        const entries = Object.entries(body);
        if (entries.length !== 1) throw new AppError('BAD_REQUEST', 'only allow one key/value pair');
        const [key, value] = entries[0]!;
        return { op: 'add', key, value: metadataValue(key, value) };
      }, ip);
    },

    /**
     * Sets the key from the body's value under the same key. Harbor's update silently does
     * nothing for a key that was never added; Haven sets it, so a 200 always means stored.
     */
    async update(actor: Principal, ref: string, byName: boolean, key: string, body: Record<string, string>, ip: string): Promise<void> {
      await change(actor, ref, byName, 'update', () => ({ op: 'set', key, value: metadataValue(key, body[key] ?? '') }), ip);
    },

    async delete(actor: Principal, ref: string, byName: boolean, key: string, ip: string): Promise<void> {
      await change(actor, ref, byName, 'delete', () => ({ op: 'delete', key }), ip);
    },
  };
}

export type ProjectMetadataService = ReturnType<typeof createProjectMetadataService>;
