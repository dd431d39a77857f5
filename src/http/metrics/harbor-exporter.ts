import { Gauge, type Registry } from 'prom-client';
import type { ProjectStats } from '../../db/exporter-stats.js';

/** Where Harbor's exporter gauges come from. */
export interface HarborExporterSource {
  stats: { projects(): Promise<ProjectStats[]>; storageBytes(): Promise<number> };
  /** Component name -> null when healthy, or the error (the /health checks). */
  health(): Promise<Record<string, string | null>>;
  systemInfo(): Promise<{ authMode: string; version: string; selfRegistration: boolean }>;
  /**
   * Whether this instance exports the gauges read from the database. They are the same on every
   * instance (they come from the one database, not from this process), so with several
   * instances one exporting them is enough: wire this to the leader lease; absent: always.
   */
  databaseGauges?: () => boolean;
  /** How long one collection serves scrapes (metrics.cacheTime): several scrapers cost one query set. */
  cacheMs: number;
  /**
   * Whether private projects appear by name (per-project series). Only when /metrics is not open
   * to everyone (credentials, or its own listener): a project's name is not public knowledge. The
   * totals count every project either way.
   */
  privateNames?: boolean;
}

/** The storage total reads the whole blobs table: it is refreshed this many times less often. */
const storageTtlFactor = 6;

const loadDeadlineMs = 10_000;

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * A value loaded at most once per `ttlMs` after the last load finished; the gauges of one scrape
 * share a load in flight (so even a ttl of 0 costs one query set per scrape). A failed load is
 * retried at the next scrape.
 */
function cached<T>(load: () => Promise<T>, ttlMs: number, now: () => number) {
  let entry: { value: Promise<T>; doneAt: number | null } | null = null;
  return (): Promise<T> => {
    if (entry && (entry.doneAt === null || now() - entry.doneAt < ttlMs)) return entry.value;
    // A load that never settles (a database that stopped answering) must not hold every later scrape.
    const mine: { value: Promise<T>; doneAt: number | null } = { value: withDeadline(load(), loadDeadlineMs), doneAt: null };
    entry = mine;
    mine.value.then(
      () => {
        mine.doneAt = now();
      },
      () => {
        if (entry === mine) entry = null;
      },
    );
    return mine.value;
  };
}

const publicLabel = (p: boolean) => (p ? 'true' : 'false');

/**
 * Harbor's exporter metrics under Harbor's names, labels and help texts (src/pkg/exporter):
 * project, quota, member, repository and pull gauges, the statistics gauges, harbor_health and
 * harbor_up per component, harbor_system_info. A failed collection logs and leaves the gauges
 * out of that scrape, as Harbor's does.
 */
export function registerHarborExporter(registry: Registry, source: HarborExporterSource, opts: { onError?: (err: unknown, what: string) => void; now?: () => number } = {}): void {
  const now = opts.now ?? Date.now;
  const onError = opts.onError ?? (() => {});
  const here = source.databaseGauges ?? (() => true);
  const named = <P extends { public: boolean }>(ps: P[]) => (source.privateNames ? ps : ps.filter((p) => p.public));
  const ttl = source.cacheMs;
  const projects = cached(() => source.stats.projects(), ttl, now);
  const storage = cached(() => source.stats.storageBytes(), ttl * storageTtlFactor, now);
  const health = cached(() => source.health(), ttl, now);
  const info = cached(() => source.systemInfo(), ttl, now);

  /**
   * A gauge filled from `load` at scrape time; on failure it stays empty. Database gauges are
   * left out on instances where databaseGauges() is false; the others describe this instance.
   */
  function gauge<T>(name: string, help: string, labelNames: string[], load: () => Promise<T>, fill: (g: Gauge, v: T) => void, fromDatabase = true) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        // reset() leaves a 0 sample in a gauge without labels; a gauge this scrape cannot fill
        // must have no sample at all (as Harbor's), not a misleading 0.
        (this as unknown as { hashMap: object }).hashMap = {};
        if (fromDatabase && !here()) return;
        let v: T;
        try {
          v = await load();
        } catch (err) {
          onError(err, name);
          return;
        }
        fill(this, v);
      },
    });
  }

  gauge('harbor_project_total', 'Total projects number', ['public'], projects, (g, ps) => {
    g.set({ public: 'true' }, ps.filter((p) => p.public).length);
    g.set({ public: 'false' }, ps.filter((p) => !p.public).length);
  });
  gauge('harbor_project_quota_usage_byte', 'The used resource of a project', ['project_name'], projects, (g, ps) => {
    for (const p of named(ps)) g.set({ project_name: p.name }, p.used);
  });
  gauge('harbor_project_quota_byte', 'The quota of a project', ['project_name'], projects, (g, ps) => {
    for (const p of named(ps)) g.set({ project_name: p.name }, p.quota);
  });
  gauge('harbor_project_repo_total', 'Total project repos number', ['project_name', 'public'], projects, (g, ps) => {
    for (const p of named(ps)) g.set({ project_name: p.name, public: publicLabel(p.public) }, p.repositories);
  });
  gauge('harbor_project_member_total', 'Total members number of a project', ['project_name'], projects, (g, ps) => {
    for (const p of named(ps)) g.set({ project_name: p.name }, p.members);
  });
  gauge('harbor_artifact_pulled', 'The pull number of an artifact', ['project_name'], projects, (g, ps) => {
    for (const p of named(ps)) g.set({ project_name: p.name }, p.pulls);
  });

  const sum = (ps: ProjectStats[], f: (p: ProjectStats) => number) => ps.reduce((n, p) => n + f(p), 0);
  const statistics: Array<[string, string, (ps: ProjectStats[]) => number]> = [
    ['harbor_statistics_total_project_amount', 'Total amount of projects', (ps) => ps.length],
    ['harbor_statistics_public_project_amount', 'Amount of public projects', (ps) => ps.filter((p) => p.public).length],
    ['harbor_statistics_private_project_amount', 'Amount of private projects', (ps) => ps.filter((p) => !p.public).length],
    ['harbor_statistics_total_repo_amount', 'Total amount of repositories', (ps) => sum(ps, (p) => p.repositories)],
    ['harbor_statistics_public_repo_amount', 'Amount of public repositories', (ps) => sum(ps, (p) => (p.public ? p.repositories : 0))],
    ['harbor_statistics_private_repo_amount', 'Amount of private repositories', (ps) => sum(ps, (p) => (p.public ? 0 : p.repositories))],
  ];
  for (const [name, help, value] of statistics) gauge(name, help, [], projects, (g, ps) => g.set(value(ps)));
  gauge('harbor_statistics_total_storage_consumption', 'Total storage used', [], storage, (g, bytes) => g.set(bytes));

  gauge('harbor_health', 'Running status of Harbor', [], health, (g, checks) => g.set(Object.values(checks).every((e) => e === null) ? 1 : 0), false);
  gauge('harbor_up', 'Running status of harbor component', ['component'], health, (g, checks) => {
    for (const [component, error] of Object.entries(checks)) g.set({ component }, error === null ? 1 : 0);
  }, false);
  gauge('harbor_system_info', 'Information of Harbor system', ['auth_mode', 'harbor_version', 'self_registration'], info, (g, i) => {
    g.set({ auth_mode: i.authMode, harbor_version: i.version, self_registration: String(i.selfRegistration) }, 1);
  }, false);
}
