import type { HavenConfig } from '../../config/schema.js';
import type { Db } from '../../db/database.js';
import { createWebhookExecutionStore } from '../../db/webhook-executions.js';
import { createWebhookPolicyStore } from '../../db/webhook-policies.js';
import type { JobArea } from '../../jobs/job-area.js';
import type { Logger } from '../../platform/logger.js';
import type { Sealer } from '../../platform/secret-box.js';
import type { ProjectService } from '../identity/project-service.js';
import { deliveryHandler } from './delivery-job.js';
import { createOutboxConsumer } from './outbox-consumer.js';
import { createWebhookService } from './webhook-service.js';

/**
 * Webhooks wired once: the API service, the WEBHOOK and SLACK delivery jobs on the job service,
 * and the outbox consumer, which runs where jobs run (roles all and worker).
 */
export function createWebhookArea(deps: {
  db: Db;
  sealer: Sealer;
  projects: Pick<ProjectService, 'resolve'>;
  jobs: Pick<JobArea, 'store' | 'service'>;
  config: Pick<HavenConfig, 'webhook' | 'jobs' | 'role' | 'externalUrl'>;
  log: Logger;
}) {
  const policies = createWebhookPolicyStore(deps.db, deps.sealer);
  const service = createWebhookService({ projects: deps.projects, policies, executions: createWebhookExecutionStore(deps.db), jobs: deps.jobs.store });
  const delivery = { allowPrivateTargets: deps.config.webhook.allowPrivateTargets, timeoutMs: deps.config.webhook.timeout, retryDelayMs: deps.config.jobs.retryDelay, sealer: deps.sealer };
  deps.jobs.service.register(deliveryHandler('WEBHOOK', delivery));
  deps.jobs.service.register(deliveryHandler('SLACK', delivery));
  const consumer = createOutboxConsumer({
    db: deps.db,
    policies,
    jobs: deps.jobs.store,
    sealer: deps.sealer,
    log: deps.log,
    externalUrl: deps.config.externalUrl,
    maxAttempts: deps.config.webhook.maxAttempts,
    wake: deps.jobs.service.wake,
  });
  const works = deps.config.role !== 'api';
  return {
    service,
    start(): void {
      if (works) consumer.start(deps.config.jobs.pollInterval);
    },
    close: () => consumer.close(),
  };
}
