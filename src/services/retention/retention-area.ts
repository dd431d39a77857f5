import type { Db } from '../../db/database.js';
import { createRetentionStore } from '../../db/retention.js';
import type { JobArea } from '../../jobs/job-area.js';
import type { ProjectService } from '../identity/project-service.js';
import { createRetentionService } from './retention-service.js';

/** The /retentions API's service (one line in app.ts); the job itself is wired in jobs/job-area.ts. */
export function createRetentionApi(deps: { db: Db; jobArea: JobArea; projects: Pick<ProjectService, 'resolve'> }) {
  const { jobArea } = deps;
  return createRetentionService({
    store: createRetentionStore(deps.db),
    jobs: jobArea.store,
    enqueue: (spec) => jobArea.service.enqueue(spec),
    stop: (id) => jobArea.service.stop(id),
    runs: jobArea.retention,
    projects: deps.projects,
  });
}
