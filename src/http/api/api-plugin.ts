import fastifySwagger from '@fastify/swagger';
import { setEventOperator } from '../../events/event-context.js';
import { principalName } from '../../domain/identity/principal.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/identity/principal.js';
import type { AuditService } from '../../services/audit/audit-service.js';
import type { ImmutableRuleService } from '../../services/immutable/immutable-rule-service.js';
import type { QuotaService } from '../../services/content/quota-service.js';
import type { MemberService } from '../../services/identity/member-service.js';
import type { ProjectService } from '../../services/identity/project-service.js';
import type { RobotService } from '../../services/identity/robot-service.js';
import type { SettingsService } from '../../services/identity/settings-service.js';
import type { UserService } from '../../services/identity/user-service.js';
import type { RepositoryService } from '../../services/registry/repository-service.js';
import type { ArtifactReads } from '../../services/content/artifact-reads.js';
import { artifactRoutes } from './artifact-routes.js';
import { type ArtifactWriteDeps, artifactWriteRoutes } from './artifact-write-routes.js';
import { auditRoutes } from './audit-routes.js';
import { configRoutes } from './config-routes.js';
import { immutableRoutes } from './immutable-routes.js';
import { type LabelsSystemApi, labelsSystemRoutes } from './labels-system-routes.js';
import { openapiRoutes } from './openapi-routes.js';
import { swagger2Transform } from './openapi-transform.js';
import { projectRoutes } from './project-routes.js';
import { quotaRoutes } from './quota-routes.js';
import { repositoryRoutes } from './repository-routes.js';
import { robotRoutes } from './robot-routes.js';
import { acceptEmptyJsonBodies, installSchemas } from './route-shape.js';
import { type SystemInfo, systemRoutes } from './system-routes.js';
import { userRoutes } from './user-routes.js';
import { gcRoutes, purgeAuditRoutes } from './system-job-routes.js';
import { jobserviceRoutes } from './jobservice-routes.js';
import type { JobDashboard } from '../../services/jobs/job-dashboard.js';
import type { SystemJob } from '../../services/jobs/system-job.js';
import type { RetentionService } from '../../services/retention/retention-service.js';
import { retentionRoutes } from './retention-routes.js';
import type { WebhookService } from '../../services/webhook/webhook-service.js';
import { webhookRoutes } from './webhook-routes.js';

export interface ApiDeps {
  identify(req: FastifyRequest, reply: FastifyReply): Promise<Principal>;
  system: SystemInfo;
  users: UserService;
  projects: ProjectService;
  members: MemberService;
  robots: RobotService;
  repositories: RepositoryService;
  audit: AuditService;
  settings: SettingsService;
  immutableRules: ImmutableRuleService;
  quotas: QuotaService;
  labelsSystem: LabelsSystemApi;
  artifactReads: ArtifactReads;
  artifactWrites: ArtifactWriteDeps;
  purgeAudit: SystemJob;
  jobDashboard: JobDashboard;
  retentions: RetentionService;
  webhooks?: WebhookService;
  gc: SystemJob;
}

/** The Harbor-compatible management API under /api/v2.0: same paths, parameters and JSON. */
export async function apiPlugin(app: FastifyInstance, deps: ApiDeps) {
  installSchemas(app);
  acceptEmptyJsonBodies(app);
  await app.register(fastifySwagger, {
    swagger: {
      info: {
        title: 'Haven API',
        description: "Haven's management API: the Harbor v2.0 operations Haven implements, with Harbor's paths, parameters and JSON.",
        version: deps.system.version,
      },
      basePath: '/api/v2.0',
      schemes: ['http', 'https'],
      consumes: ['application/json'],
      produces: ['application/json'],
      securityDefinitions: { basic: { type: 'basic' } },
      security: [{ basic: [] }],
    },
    transform: swagger2Transform,
  });
  app.decorateRequest('principal', null as never);
  app.addHook('onRequest', async (req, reply) => {
    req.principal = await deps.identify(req, reply);
    setEventOperator(principalName(req.principal));
  });
  await app.register(systemRoutes, { system: deps.system });
  await app.register(userRoutes, { users: deps.users });
  await app.register(projectRoutes, { projects: deps.projects, members: deps.members });
  await app.register(repositoryRoutes, { repositories: deps.repositories });
  await app.register(artifactRoutes, { artifacts: deps.artifactReads });
  await app.register(artifactWriteRoutes, deps.artifactWrites);
  await app.register(robotRoutes, { robots: deps.robots });
  await app.register(auditRoutes, { audit: deps.audit });
  await app.register(purgeAuditRoutes, { job: deps.purgeAudit });
  await app.register(jobserviceRoutes, { dashboard: deps.jobDashboard });
  await app.register(retentionRoutes, { retentions: deps.retentions });
  await app.register(gcRoutes, { job: deps.gc });
  await app.register(configRoutes, { settings: deps.settings });
  await app.register(immutableRoutes, { immutableRules: deps.immutableRules });
  await app.register(quotaRoutes, { quotas: deps.quotas });
  await app.register(labelsSystemRoutes, deps.labelsSystem);
  if (deps.webhooks) await app.register(webhookRoutes, { webhooks: deps.webhooks });
  await app.register(openapiRoutes);
}
