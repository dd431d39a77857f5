import { artifactListing } from './artifact-list.js';
import { auditCost } from './audit-cost.js';
import { gcAtScale } from './gc.js';
import { quotaCost } from './quota.js';
import { searchLoad } from './search.js';
import { nginxPull } from './nginx-pull.js';
import { scaleOut } from './scale-out.js';
import type { WorkloadId } from './config.js';
import { pullLarge, pushImages, pushLarge, requestLoad, tagListing, type Row, type WorkloadContext } from './workloads.js';

/** Every workload by its BENCH_ONLY name, in the order they run. */
export const workloadRunners: Record<WorkloadId, (ctx: WorkloadContext) => Promise<Row[]>> = {
  push: pushLarge,
  pull: pullLarge,
  images: pushImages,
  load: requestLoad,
  tags: tagListing,
  audit: auditCost,
  search: searchLoad,
  artifacts: artifactListing,
  quota: quotaCost,
  nginx: nginxPull,
  instances: scaleOut,
  gc: gcAtScale,
};
