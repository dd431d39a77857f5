/**
 * Workload sizes and switches, all from the environment so a smoke run (BENCH_QUICK=1) and
 * the full run share every line of code.
 */
import type { AuthMode } from './auth.js';
import { MiB } from './data.js';

export type TargetKind = 'haven' | 'distribution';
export type LoadTool = 'wrk' | 'node';

export const workloadIds = ['push', 'pull', 'images', 'load', 'tags', 'audit', 'artifacts', 'search', 'quota', 'nginx', 'instances', 'gc'] as const;
export type WorkloadId = (typeof workloadIds)[number];

export interface BenchConfig {
  quick: boolean;
  /** Size of the large layer (workloads 1 and 2). */
  bigBlobBytes: number;
  /** Large pushes and pulls are run this many times; the best run counts. */
  repeats: number;
  /** PATCH size of the chunked push. */
  chunkBytes: number;
  pullClients: number;
  images: number;
  layersPerImage: number;
  layerMinBytes: number;
  layerMaxBytes: number;
  pushWorkers: number;
  loadRequests: number;
  loadConnections: number;
  /** Rounds of the anonymous vs token manifest GET load on Haven's public project (best counts). */
  authRounds: number;
  /** Rounds of the pull-auditing on vs off manifest GET load (best counts). */
  auditRounds: number;
  /** Which load generator: wrk when installed (GET only, see load.ts), else node. */
  loadTool: LoadTool | 'auto';
  tags: number;
  tagPushConcurrency: number;
  tagPageSize: number;
  listRepeats: number;
  walkRepeats: number;
  /** Artifacts in the repository of the artifact-list workload, and how often a page is asked for. */
  artifacts: number;
  artifactListRepeats: number;
  shaBytes: number;
  loopbackBytes: number;
  /** Registries to run (BENCH_TARGETS=haven to profile Haven alone). */
  targets: TargetKind[];
  /** Workloads to run (BENCH_ONLY=load,tags). The large pull needs the large push. */
  workloads: WorkloadId[];
  /** Where to write the phase timings (for bench/cpuprofile.ts); default: the --cpu-prof-dir, if any. */
  phasesPath: string;
  /** Extra node flags for the Haven process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  havenNodeArgs: string[];
  distributionBin: string;
  /** How to authenticate to a Haven that wants credentials: bearer (docker's flow) or basic. */
  havenAuth: AuthMode;
  /** Where the markdown report goes; empty: not written. */
  docPath: string;
  /** Keep the temp data dirs (for inspecting logs). */
  keep: boolean;
  /**
   * The backends (BENCH_BACKEND): embedded (SQLite + files), postgres (a throwaway PostgreSQL
   * cluster for Haven's metadata), postgres+s3 (also blobs in a local Swift with s3api, for
   * Haven and for distribution's s3 driver, each in its own bucket).
   */
  backend: 'embedded' | 'postgres' | 'postgres+s3';
}

function int(env: NodeJS.ProcessEnv, name: string, full: number, quick: number, isQuick: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return isQuick ? quick : full;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return Math.floor(v);
}

function list<T extends string>(env: NodeJS.ProcessEnv, name: string, all: readonly T[]): T[] {
  const raw = env[name];
  if (!raw) return [...all];
  const picked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of picked) if (!all.includes(p as T)) throw new Error(`${name}: unknown "${p}" (choose from ${all.join(', ')})`);
  return all.filter((a) => picked.includes(a));
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env, repoRoot: string): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const q = (name: string, full: number, small: number) => int(env, name, full, small, quick);
  const tool = env.BENCH_LOADGEN ?? 'auto';
  if (tool !== 'auto' && tool !== 'wrk' && tool !== 'node') throw new Error(`BENCH_LOADGEN must be wrk, node or auto`);
  const havenAuth = env.BENCH_HAVEN_AUTH ?? 'bearer';
  if (havenAuth !== 'bearer' && havenAuth !== 'basic') throw new Error('BENCH_HAVEN_AUTH must be bearer or basic');
  const chunkBytes = q('BENCH_CHUNK_MIB', 16, 4) * MiB;
  const workloads = list(env, 'BENCH_ONLY', workloadIds);
  const targets = list(env, 'BENCH_TARGETS', ['haven', 'distribution'] as const);
  const havenNodeArgs = (env.BENCH_HAVEN_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const profDir = havenNodeArgs.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
  const backend = env.BENCH_BACKEND ?? 'embedded';
  if (backend !== 'embedded' && backend !== 'postgres' && backend !== 'postgres+s3') throw new Error('BENCH_BACKEND must be embedded, postgres or postgres+s3');
  const complete = !quick && workloads.length === workloadIds.length && targets.length === 2 && havenNodeArgs.length === 0;
  // Each setup has its own report: docs/benchmarks.md for the embedded default.
  const doc = { embedded: 'benchmarks.md', postgres: 'benchmarks-postgres.md', 'postgres+s3': 'benchmarks-postgres-s3.md' }[backend];
  if (workloads.includes('pull') && !workloads.includes('push')) workloads.unshift('push');
  if ((workloads.includes('load') || workloads.includes('instances')) && !workloads.includes('images')) workloads.unshift('images');
  return {
    quick,
    bigBlobBytes: q('BENCH_BLOB_MIB', 1024, 64) * MiB,
    chunkBytes,
    repeats: q('BENCH_REPEATS', 2, 1),
    pullClients: q('BENCH_PULL_CLIENTS', 8, 8),
    images: q('BENCH_IMAGES', 200, 20),
    layersPerImage: q('BENCH_LAYERS', 5, 5),
    layerMinBytes: 64 * 1024,
    layerMaxBytes: 1 * MiB,
    pushWorkers: q('BENCH_PUSH_WORKERS', 8, 8),
    loadRequests: q('BENCH_LOAD_REQUESTS', 50_000, 3_000),
    loadConnections: q('BENCH_LOAD_CONNECTIONS', 64, 64),
    authRounds: q('BENCH_AUTH_ROUNDS', 2, 1),
    auditRounds: q('BENCH_AUDIT_ROUNDS', 2, 1),
    loadTool: tool,
    tags: q('BENCH_TAGS', 10_000, 1_000),
    tagPushConcurrency: q('BENCH_TAG_CONCURRENCY', 16, 16),
    tagPageSize: q('BENCH_TAG_PAGE', 1000, 100),
    listRepeats: q('BENCH_LIST_REPEATS', 20, 3),
    walkRepeats: q('BENCH_WALK_REPEATS', 10, 3),
    artifacts: q('BENCH_ARTIFACTS', 10_000, 1_000),
    artifactListRepeats: q('BENCH_ARTIFACT_LIST_REPEATS', 200, 50),
    shaBytes: q('BENCH_SHA_MIB', 256, 64) * MiB,
    loopbackBytes: q('BENCH_LOOPBACK_MIB', 2048, 256) * MiB,
    targets,
    workloads: workloadIds.filter((w) => workloads.includes(w)),
    havenNodeArgs,
    phasesPath: env.BENCH_PHASES ?? (profDir ? `${profDir}/phases.json` : ''),
    distributionBin: env.BENCH_DISTRIBUTION_BIN ?? '/usr/bin/docker-registry',
    havenAuth,
    // A smoke or partial run must not overwrite the published figures unless asked to.
    docPath: env.BENCH_DOC ?? (complete ? `${repoRoot}/docs/${doc}` : ''),
    keep: env.BENCH_KEEP === '1',
    backend,
  };
}
