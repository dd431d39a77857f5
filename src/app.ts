import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAuthenticator } from './auth/authenticator.js';
import { createIdentityCache } from './auth/identity-cache.js';
import { createTokenService } from './auth/token-service.js';
import { csrfKey, signingKeyPem } from './auth/key-files.js';
import { createSessions } from './auth/sessions.js';
import { createSessionStore } from './db/sessions.js';
import type { HavenConfig } from './config/schema.js';
import { blobPath, createBlobContent } from './content/blob-content.js';
import { createAuditStore } from './db/audit.js';
import { createBlobStore } from './db/blobs.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database.js';
import { createManifestStore } from './db/manifests.js';
import { createMemberStore } from './db/members.js';
import { createProjectStore } from './db/projects.js';
import { createQuotaStore } from './db/quotas.js';
import { createRepositoryStore } from './db/repositories.js';
import { createRobotStore } from './db/robots.js';
import { createSettingStore } from './db/settings.js';
import { openSecrets } from './auth/secret-sealing.js';
import { createTagStore } from './db/tags.js';
import { createUploadStore } from './db/uploads.js';
import { createUserStore } from './db/users.js';
import { createApiAuth } from './http/api/api-auth.js';
import { createTokenAccess } from './http/oci/token-access.js';
import { buildServer } from './http/server.js';
import { holdLease } from './jobs/single-instance.js';
import { createLeaseStore } from './db/leases.js';
import { createJobArea } from './jobs/job-area.js';
import { createRetentionApi } from './services/retention/retention-area.js';
import { outboxPurgeWork } from './services/events/outbox-purge.js';
import type { Logger } from './platform/logger.js';
import { createAuditLog } from './services/audit/audit-log.js';
import { createAuditService } from './services/audit/audit-service.js';
import { ensureAdmin, type BootstrapResult } from './services/identity/bootstrap.js';
import { createAuthorizer } from './services/identity/authorizer.js';
import { createLogin } from './services/identity/login.js';
import { createUserService } from './services/identity/user-service.js';
import { createSettingsService } from './services/identity/settings-service.js';
import { createMemberService } from './services/identity/member-service.js';
import { createProjectService } from './services/identity/project-service.js';
import { createQuotaService } from './services/content/quota-service.js';
import { createRobotService } from './services/identity/robot-service.js';
import { createImmutableArea } from './services/immutable/immutable-area.js';
import { createBlobService } from './services/registry/blob-service.js';
import { createDiscoveryService } from './services/registry/discovery-service.js';
import { createManifestService } from './services/registry/manifest-service.js';
import { createRepositoryService } from './services/registry/repository-service.js';
import { createUploadService } from './services/registry/upload-service.js';
import { createArtifactArea } from './services/content/artifact-area.js';
import { createPullTracker } from './services/registry/pull-tracker.js';
import { createPullStatsStore } from './db/pull-stats.js';
import { createArtifactWrites } from './services/content/artifact-write-wiring.js';
import { createStorage } from './storage/storage-factory.js';
import { createRegistryReadCache, forgettingArtifactWrites } from './services/registry/read-cache.js';
import { createArtifactWriteStore } from './db/artifact-writes.js';
import { createSpaceGuard } from './services/registry/space-guard.js';
import { freeBytes } from './platform/free-space.js';
import { createLabelsSystem, createReadOnly } from './labels-system.js';
import { createCachedSetting } from './services/system/read-only.js';
import { createSharedState } from './shared-state.js';
import { sharedIdentityCache, sharedLoginForgets, sharedSettingsForget } from './auth/shared-forgets.js';
import { createHealthChecks } from './services/system/health-checks.js';
import { createExporterStatsStore } from './db/exporter-stats.js';
import { createWebhookArea } from './services/webhook/webhook-area.js';

export const version = '0.1.0';

/** This process among the instances sharing a database (lease holder, logs). */
export const instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export interface App {
  server: FastifyInstance;
  bootstrap: BootstrapResult;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/** The composition root: config in, a ready (not yet listening) server and its jobs out. */
export async function createApp(config: HavenConfig, log: Logger): Promise<App> {
  const dataDir = resolve(config.dataDir);
  // First: an unreachable Redis stops start-up before anything is opened or written.
  const shared = await createSharedState(config.redis, log);
  const database = await openDatabase(config.database, dataDir);
  await migrateToLatest(database);
  if (config.storage.filesystem.accelRedirect !== '' && config.trustProxy === false) {
    log.warn('storage.filesystem.accelRedirect needs trustProxy (the nginx in front): until then Haven sends blobs itself');
  }
  // Several instances can share a PostgreSQL database; an embedded SQLite one has one, by its lock.
  const sharedDatabase = database.dialect === 'postgres';
  if (sharedDatabase && config.redis.url === '') {
    // One instance on PostgreSQL is fine; a second one needs the throttle, upload locks and cache
    // forgets shared, which only Redis does.
    log.info('database.url is PostgreSQL but redis.url is empty: run only one instance, or set redis.url for several');
  }
  const driver = await createStorage(config, dataDir);
  const db = database.db;

  const stores = {
    repositories: createRepositoryStore(db),
    blobs: createBlobStore(db),
    manifests: createManifestStore(db),
    tags: createTagStore(db),
    uploads: createUploadStore(db),
    users: createUserStore(db),
    projects: createProjectStore(db),
    members: createMemberStore(db),
    robots: createRobotStore(db),
    settings: createSettingStore(db),
    audit: createAuditStore(db),
    quotas: createQuotaStore(db),
  };
  const { sharedKeys, sealer } = await openSecrets(db, config, log);
  const bootstrap = await ensureAdmin(stores.users, dataDir, config.adminPassword);
  const audit = createAuditLog(stores.audit, log, { pulls: config.audit.pulls });
  const identity = sharedIdentityCache(createIdentityCache(stores), shared.bus);
  const authenticator = sharedLoginForgets(createAuthenticator({ users: stores.users, robots: stores.robots, throttle: shared.throttle, identity }), shared.bus);
  const login = createLogin({ authenticator, audit, log });
  const authorizer = createAuthorizer({ ...stores, project: identity.project, role: identity.role });
  const sessions = createSessions({
    sessions: createSessionStore(db),
    users: stores.users,
    csrfKey: await csrfKey(config.auth, sharedKeys, dataDir),
    idleMs: config.auth.sessionIdle,
  });
  const readOnly = createReadOnly(stores.settings);
  const configuredTokenTtl = Math.round(config.auth.tokenTtl / 1000);
  const settingsService = createSettingsService({
    settings: stores.settings,
    audit,
    tokenTtlSeconds: configuredTokenTtl,
    onChange: sharedSettingsForget(() => {
      readOnly.forget();
      tokenTtl.forget();
    }, shared.bus, log),
  });
  // Asked at every token issue: cached as the read-only switch is, not read from the database each time.
  const tokenTtl = createCachedSetting(async () => (await settingsService.current()).tokenTtlSeconds, configuredTokenTtl);
  const tokens = await createTokenService(await signingKeyPem(config.auth, sharedKeys, dataDir), { issuer: 'haven-token-issuer', service: 'haven', ttlSeconds: () => tokenTtl.get() });
  const settings = settingsService.current;

  const projects = createProjectService({
    ...stores,
    authorizer,
    audit,
    creationRestricted: async () => (await settings()).projectCreationRestriction === 'adminonly',
    defaultStorageLimit: async () => (await settings()).storagePerProject,
    quotaOf: (id) => stores.quotas.ofProject(id),
    identity,
  });
  // Only at first start: an administrator may delete `library` later, and it must stay deleted.
  const admin = bootstrap.created ? await stores.users.byName('admin') : null;
  if (admin) await projects.ensureLibrary(admin.id);

  const readCache = createRegistryReadCache(shared.bus);
  const artifactStore = forgettingArtifactWrites(createArtifactWriteStore(db), readCache.forgets);
  const registryDeps = { ...stores, content: createBlobContent(driver), cache: readCache, log };
  const artifactArea = createArtifactArea({ db, content: registryDeps.content, projects, log });
  // The database shares the data dir's filesystem; whichever runs out first is what counts.
  const space = createSpaceGuard({
    reserve: config.storage.reserve,
    free: async () => Math.min(await freeBytes(dataDir), driver.freeBytes ? await driver.freeBytes() : Infinity),
  });
  const pulls = createPullTracker(createPullStatsStore(db), log);
  const uploads = createUploadService({ ...registryDeps, locks: shared.locks, space }, { automaticMount: config.registry.automaticMount, gcMarkTimeoutMs: config.gc.markTimeout });
  const leases = createLeaseStore(db);
  // One instance on a shared database exports the database-wide gauges (Harbor's exporter is one).
  // A worker serves no /metrics, so it must not be the one holding that role.
  const exporter = sharedDatabase && config.role !== 'worker' ? holdLease(leases, instanceId, 'metrics-exporter', 30_000) : null;

  // Purges pause while the system is read-only: nothing changes under a backup or migration.
  // Each runs as a scheduled job, fired by one instance per period.
  const paused = async () => (await readOnly.isOn()) ? 'skipped: the system is read-only' : null;
  const jobArea = createJobArea({
    db,
    config,
    log,
    holder: instanceId,
    clock: () => leases.clock(),
    audit: { store: stores.audit, flushPending: () => audit.flush() },
    auditLog: audit,
    gc: { driver, config: config.gc, forgets: readCache.forgets, ...(database.file ? { sqliteFile: database.file } : {}) },
    artifacts: artifactStore,
    periodic: [
      {
        type: 'UPLOAD_PURGE',
        everyMs: config.uploads.purgeInterval,
        params: { purge_age_ms: config.uploads.purgeAge },
        essential: true,
        work: async () => (await paused()) ?? `purged ${await uploads.purge(config.uploads.purgeAge)} upload(s) idle for ${config.uploads.purgeAge} ms`,
      },
      { type: 'SESSION_PURGE', everyMs: 600_000, work: async () => (await paused()) ?? `purged ${await sessions.purgeIdle()} idle session(s)` },
      {
        type: 'AUDIT_RETENTION',
        everyMs: 3_600_000,
        params: { retention_days: config.audit.retentionDays },
        atStart: true,
        work: async () => (await paused()) ?? `purged ${await stores.audit.purgeBefore(Date.now() - config.audit.retentionDays * 86_400_000)} audit record(s) older than ${config.audit.retentionDays} days`,
      },
      outboxPurgeWork(db, config.events, paused),
    ],
  });
  const webhooks = createWebhookArea({ db, sealer, projects, jobs: jobArea, config, log });
  const health = createHealthChecks({
    database: () => stores.settings.all().then(() => null),
    storage: () => driver.stat('health-probe').then(() => space.problem()),
    ...(config.redis.url !== '' ? { redis: async () => (await shared.health()).redis ?? null } : {}),
  });
  const server = await buildServer({
    log,
    externalUrl: config.externalUrl,
    oci: {
      blobs: createBlobService(registryDeps),
      uploads,
      manifests: createManifestService({ ...registryDeps, describe: artifactArea.describe }),
      discovery: createDiscoveryService(registryDeps),
      pulls,
      ...(config.storage.filesystem.accelRedirect ? { accelRedirect: (digest: string) => config.storage.filesystem.accelRedirect + blobPath(digest) } : {}),
      access: createTokenAccess({ tokens, authenticator, login, authorizer, identity, audit, externalUrl: config.externalUrl }),
    },
    token: { tokens, login, authorizer, audit },
    sessions,
    secureCookies: config.externalUrl.startsWith('https://') || config.tls.cert !== '',
    tls: config.tls,
    harborMetrics: {
      stats: createExporterStatsStore(db),
      cacheMs: config.metrics.cacheTime,
      databaseGauges: () => exporter?.held() ?? true,
      privateNames: config.metrics.listen !== '' || config.metrics.username !== '',
      health,
      systemInfo: async () => ({ authMode: 'db_auth', version: `haven-${version}`, selfRegistration: (await settings()).selfRegistration }),
    },
    trustProxy: config.trustProxy,
    http: config.http,
    metrics: config.metrics,
    readOnly: () => readOnly.isOn(),
    api: {
      identify: createApiAuth({ login, sessions }),
      settings: settingsService,
      system: {
        version,
        storageProvider: driver.name,
        externalUrl: (req) => config.externalUrl || `${req.protocol}://${req.host}`,
        settings,
        health,
      },
      users: createUserService({
        users: stores.users,
        authenticator,
        audit,
        selfRegistration: async () => (await settings()).selfRegistration,
        endSessions: (userId) => sessions.endAllFor(userId),
        identity,
      }),
      projects,
      members: createMemberService({ members: stores.members, users: stores.users, projects, audit, identity }),
      robots: createRobotService({ robots: stores.robots, users: stores.users, projects, audit, forgetLogins: (name) => authenticator.forget(name), identity }),
      audit: createAuditService({ audit: stores.audit, projects, flushPending: () => audit.flush() }),
      purgeAudit: jobArea.purgeAudit,
      jobDashboard: jobArea.dashboard,
      retentions: createRetentionApi({ db, jobArea, projects }),
      webhooks: webhooks.service,
      gc: jobArea.gc,
      repositories: createRepositoryService({ repositories: stores.repositories, projects, audit, forgets: readCache.forgets }),
      ...createImmutableArea(db, projects, audit),
      quotas: createQuotaService(stores),
      labelsSystem: createLabelsSystem(db, { projects, audit, identity }),
      artifactReads: artifactArea.reads,
      artifactWrites: createArtifactWrites({ db, artifacts: artifactStore, content: registryDeps.content, projects, audit }),
    },
  });

  await jobArea.start();
  webhooks.start();

  return {
    server,
    bootstrap,
    database,
    async close() {
      await webhooks.close();
      await jobArea.close();
      exporter?.stop();
      if (sharedDatabase) await leases.releaseAll(instanceId).catch((err: Error) => log.warn({ err }, 'could not release leases'));
      // server.close() closes idle keep-alive connections only once; a connection finishing a
      // download would then linger until its keep-alive timeout. Keep closing idle ones, and
      // cut everything after 30 s so a stop always ends within an orchestrator's grace period.
      const idle = setInterval(() => server.server.closeIdleConnections(), 100);
      const deadline = setTimeout(() => server.server.closeAllConnections(), 30_000);
      try {
        await server.close();
      } finally {
        clearInterval(idle);
        clearTimeout(deadline);
        // Whatever the server did, what is queued still reaches the database before it closes.
        try {
          await audit.close();
          await pulls.close();
        } finally {
          await database.close();
          await shared.close();
        }
      }
    },
  };
}
