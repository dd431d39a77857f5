import type { ArtifactWriteStore } from '../../db/artifact-writes.js';
import type { Db } from '../../db/database.js';
import { createGcStore } from '../../db/gc.js';
import { createJobStore } from '../../db/jobs.js';
import { openSqliteReader, type SqliteReader } from '../../db/sqlite-reader.js';
import type { BlobDriver } from '../../storage/blob-driver.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RegistryForgets } from '../registry/read-cache.js';
import type { SystemJobSpec } from '../jobs/system-job.js';
import { gcParameters, gcVendorType } from './gc-params.js';
import { gcHandler } from './gc-run.js';

export interface GcAreaDeps {
  db: Db;
  driver: BlobDriver;
  /** delete_untagged's deletes go through the store the API uses (it forgets what it deletes). */
  artifacts: Pick<ArtifactWriteStore, 'delete'>;
  /** A mark unlinks blobs from their repositories: the read cache must not answer them present. */
  forgets: RegistryForgets;
  /** Where delete_untagged's artifact deletes are audited. */
  audit: Pick<AuditLog, 'record'>;
  config: { minAge: number; markTimeout: number };
  /** The embedded database's file: the sweep's scan then reads on its own thread. */
  sqliteFile?: string;
}

/** /system/gc's spec and its job handler, for the job area to register. */
export function createGcArea(deps: GcAreaDeps) {
  const spec: SystemJobSpec = { vendorType: gcVendorType, jobType: gcVendorType, what: 'gc', parameters: gcParameters(deps.config.minAge), exclusive: true };
  // The run's figures reach the execution through checkIn (Harbor's check-in), not resultKeys.
  const jobs = createJobStore(deps.db);
  // Opened at the first scan and kept (an idle thread, unreferenced), not at every start.
  let reader: SqliteReader | undefined;
  const file = deps.sqliteFile;
  const readerOpts = file ? { reader: () => (reader ??= openSqliteReader(file)) } : {};
  const store = createGcStore(deps.db, readerOpts);
  const handler = gcHandler({
    gc: {
      ...store,
      async mark(digests, cutoff, stamp) {
        const marked = await store.mark(digests, cutoff, stamp);
        if (marked.length > 0) await deps.forgets.all();
        return marked;
      },
    },
    artifacts: deps.artifacts,
    audit: deps.audit,
    checkIn: (id, values) => jobs.mergeExecutionAttrs(id, values),
    driver: deps.driver,
    minAgeMs: deps.config.minAge,
    markTimeoutMs: deps.config.markTimeout,
  });
  return { spec, handler };
}
