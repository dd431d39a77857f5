import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { HavenConfig } from './config/schema.js';
import { createBlobContent } from './content/blob-content.js';
import { createBlobStore } from './db/blobs.js';
import { migrateToLatest, openSqlite, type DatabaseHandle } from './db/database.js';
import { createManifestStore } from './db/manifests.js';
import { createRepositoryStore } from './db/repositories.js';
import { createTagStore } from './db/tags.js';
import { createUploadStore } from './db/uploads.js';
import { createUserStore } from './db/users.js';
import { ensureAdmin, type BootstrapResult } from './services/identity/bootstrap.js';
import { createOpenAccess } from './http/oci/access.js';
import { buildServer } from './http/server.js';
import { startIntervalJob, type IntervalJob } from './jobs/interval-job.js';
import type { Logger } from './platform/logger.js';
import { createBlobService } from './services/registry/blob-service.js';
import { createDiscoveryService } from './services/registry/discovery-service.js';
import { createManifestService } from './services/registry/manifest-service.js';
import { createUploadService } from './services/registry/upload-service.js';
import { createFilesystemDriver } from './storage/filesystem-driver.js';

export interface App {
  server: FastifyInstance;
  bootstrap: BootstrapResult;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/** The composition root: config in, a ready (not yet listening) server and its jobs out. */
export async function createApp(config: HavenConfig, log: Logger): Promise<App> {
  const dataDir = resolve(config.dataDir);
  const database = openSqlite(join(dataDir, 'haven.db'));
  await migrateToLatest(database);
  const driver = createFilesystemDriver(join(dataDir, 'storage'));
  const bootstrap = await ensureAdmin(createUserStore(database.db), dataDir, config.adminPassword);

  const deps = {
    repositories: createRepositoryStore(database.db),
    blobs: createBlobStore(database.db),
    manifests: createManifestStore(database.db),
    tags: createTagStore(database.db),
    uploads: createUploadStore(database.db),
    content: createBlobContent(driver),
    log,
  };
  const uploads = createUploadService(deps);
  const server = await buildServer({
    log,
    externalUrl: config.externalUrl,
    oci: {
      blobs: createBlobService(deps),
      uploads,
      manifests: createManifestService(deps),
      discovery: createDiscoveryService(deps),
      access: createOpenAccess(),
    },
  });

  const jobs: IntervalJob[] = [
    startIntervalJob('upload-purge', config.uploads.purgeInterval, () => uploads.purge(config.uploads.purgeAge), log),
  ];

  return {
    server,
    bootstrap,
    database,
    async close() {
      await Promise.all(jobs.map((j) => j.stop()));
      await server.close();
      await database.close();
    },
  };
}
