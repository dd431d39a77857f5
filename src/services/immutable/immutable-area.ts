import type { Db } from '../../db/database.js';
import { createImmutableRuleStore } from '../../db/immutable-rules.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';
import { createImmutableRuleService } from './immutable-rule-service.js';

/**
 * The immutable tag area as the composition root needs it: the rules API's service. Enforcement
 * needs no wiring: it runs in the stores' tag writes (db/tag-protection.ts).
 */
export function createImmutableArea(db: Db, projects: Pick<ProjectService, 'resolve'>, audit: AuditLog) {
  return { immutableRules: createImmutableRuleService({ rules: createImmutableRuleStore(db), projects, audit }) };
}
