/**
 * The workloads of the benchmark. Each runs the same requests against every registry in
 * turn and returns rows of figures; every blob and manifest pulled is verified against its digest.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { BenchConfig, TargetKind, WorkloadId } from './config.js';
import { benchCpuSeconds, machineCpu, waitForQuiet } from './cpu.js';
import { BytePool, imageManifest, makeImages, smallBlob, SyntheticBlob, type SyntheticImage } from './data.js';
import { authenticate } from './auth.js';
import { call, endpoint, keepAliveAgent } from './http.js';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';
import {
  getManifestVerified,
  listTags,
  manifestAccept,
  pullCounted,
  pullVerified,
  pushBlobIfMissing,
  pushChunked,
  pushMonolithic,
  putManifest,
  type Client,
} from './oci.js';
import type { RunningServer } from './servers.js';

export type RowKind = 'throughput' | 'latency' | 'time';

export interface Row {
  workload: WorkloadId;
  title: string;
  metric: string;
  unit: string;
  kind: RowKind;
  better: 'higher' | 'lower';
  values: Partial<Record<TargetKind, number>>;
  /** Minimum Haven-vs-distribution ratio the issue asks for (>1 = Haven better). */
  targetRatio?: number;
  /** Compare Haven's value against the loopback limit (fraction that must be reached). */
  loopbackFraction?: number;
  /** Setup figures, printed but not judged. */
  informational?: boolean;
  /** Haven's value must not exceed this (in the row's unit), whatever distribution does. */
  maxValue?: number;
  notes: Partial<Record<TargetKind, string>>;
}

/**
 * One timed step against one registry, with the server's CPU use over it. Start and end are on
 * CLOCK_MONOTONIC in microseconds, the clock V8 stamps --cpu-prof samples with, so a Haven
 * profile can be cut into these phases (bench/cpuprofile.ts).
 */
export interface Phase {
  workload: WorkloadId;
  name: string;
  target: TargetKind;
  startUs: number;
  endUs: number;
  wallSeconds: number;
  serverCpuSeconds: number;
  /** The bench itself (client side), including wrk. */
  clientCpuSeconds: number;
  /** PostgreSQL and Swift, for the postgres and postgres+s3 setups (absent on the embedded default). */
  backendCpuSeconds?: number;
  /** Busy CPU on the machine not accounted for by the server, its backends or the bench: other activity. */
  otherCpuSeconds: number;
  /** CPU time the hypervisor gave to other guests while this one wanted it. */
  stealSeconds: number;
}

export interface BenchData {
  pool: BytePool;
  /** One per repeat; the first is also the one pulled. */
  bigMono: SyntheticBlob[];
  bigChunked: SyntheticBlob[];
  images: SyntheticImage[];
}

/** All in project `bench` (Haven with identity needs the project to exist; auth.ts creates it). */
export const benchProject = 'bench';
export const repos = { big: 'bench/big', small: 'bench/small', tags: 'bench/tags' };
/**
 * A public project holding a copy of the load workload's image, for Haven only: manifest GETs
 * there anonymously and with a Bearer token isolate what authorization costs per request.
 */
export const publicProject = 'benchpub';
export const publicRepo = `${publicProject}/small`;
/** The issue's ceiling on the authorization overhead of a manifest GET, in %. */
export const maxAuthOverheadPct = 15;
const MB = 1e6;

/** Everything random, generated and hashed before any clock starts. */
export function prepareData(cfg: BenchConfig): BenchData {
  const pool = new BytePool(16 * 1024 * 1024);
  const big = (kind: string) =>
    Array.from({ length: cfg.repeats }, (_, i) => new SyntheticBlob(pool, `big-${kind}-${i}`, cfg.bigBlobBytes));
  const bigMono = big('monolithic');
  const bigChunked = big('chunked');
  if (cfg.workloads.includes('push')) for (const b of [...bigMono, ...bigChunked]) void b.digest;
  const images = cfg.workloads.includes('images')
    ? makeImages(pool, 'img', cfg.images, cfg.layersPerImage, cfg.layerMinBytes, cfg.layerMaxBytes)
    : [];
  return { pool, bigMono, bigChunked, images };
}

export interface WorkloadContext {
  cfg: BenchConfig;
  servers: RunningServer[];
  data: BenchData;
  phases: Phase[];
  cores: number;
  log: (line: string) => void;
  /** CPU seconds used so far by the registries' backends (PostgreSQL, Swift); absent: none run. */
  backendCpu?: () => number;
}

async function client(server: RunningServer, sockets: number): Promise<Client> {
  return { ep: endpoint(server.url), agent: keepAliveAgent(sockets), headers: await server.auth.headers() };
}

/** Flushes dirty pages so one registry's writeback does not land in the next measurement. */
export function settle(): void {
  spawnSync('sync', { stdio: 'ignore', timeout: 120_000 });
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Times `fn` against `server` and records it as a phase. */
export async function phase<T>(
  ctx: WorkloadContext,
  server: RunningServer,
  workload: WorkloadId,
  name: string,
  fn: () => Promise<T>,
): Promise<{ seconds: number; value: T }> {
  const gate = await waitForQuiet(ctx.cores);
  if (!gate.quiet) ctx.log(`  (machine still busy after ${(gate.waitedMs / 1000).toFixed(0)} s of waiting; starting "${name}" anyway)`);
  const cpu0 = server.cpuSeconds();
  const bench0 = benchCpuSeconds();
  const backend0 = ctx.backendCpu?.();
  const machine0 = machineCpu();
  const startUs = monotonicUs();
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const serverCpu = server.cpuSeconds() - cpu0;
  const clientCpu = benchCpuSeconds() - bench0;
  const machine1 = machineCpu();
  const backendCpu = backend0 === undefined ? undefined : ctx.backendCpu!() - backend0;
  ctx.phases.push({
    workload,
    name,
    target: server.kind,
    startUs,
    endUs: monotonicUs(),
    wallSeconds: seconds,
    serverCpuSeconds: serverCpu,
    clientCpuSeconds: clientCpu,
    ...(backendCpu === undefined ? {} : { backendCpuSeconds: backendCpu }),
    otherCpuSeconds: Math.max(0, machine1.busy - machine0.busy - serverCpu - clientCpu - (backendCpu ?? 0)),
    stealSeconds: machine1.steal - machine0.steal,
  });
  return { seconds, value };
}

/** Best (shortest) of `n` runs of a phase; each run gets its repeat index. */
async function bestOf(
  ctx: WorkloadContext,
  server: RunningServer,
  workload: WorkloadId,
  name: string,
  n: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    settle();
    const r = await phase(ctx, server, workload, n > 1 ? `${name} #${i + 1}` : name, () => fn(i));
    best = Math.min(best, r.seconds);
  }
  return best;
}

/** Runs `fn` on each server in turn (the same requests, in the same order). */
async function eachServer<T>(ctx: WorkloadContext, fn: (server: RunningServer) => Promise<T>): Promise<Map<TargetKind, T>> {
  const out = new Map<TargetKind, T>();
  for (const server of ctx.servers) {
    settle();
    out.set(server.kind, await fn(server));
  }
  return out;
}

function valuesOf<T>(m: Map<TargetKind, T>, pick: (v: T) => number): Partial<Record<TargetKind, number>> {
  const v: Partial<Record<TargetKind, number>> = {};
  for (const [k, x] of m) v[k] = pick(x);
  return v;
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/**
 * 1. One large layer pushed monolithically and in chunks (best of BENCH_REPEATS, each a new blob),
 * with the server CPU each push cost. Issue 10's targets on the filesystem driver: monolithic
 * ≥ 1.5×, chunked ≥ 2× and ≤ 1.75 server CPU-s per GiB; on S3, ≥ 1.0× on the same Swift.
 */
export async function pushLarge(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg, data } = ctx;
  const n = cfg.repeats;
  const gib = cfg.bigBlobBytes / 1024 ** 3;
  /** The lowest server CPU per GiB among the phases `fn` added. */
  const cpuOf = async (fn: () => Promise<number>) => {
    const from = ctx.phases.length;
    const seconds = await fn();
    return { seconds, cpu: Math.min(...ctx.phases.slice(from).map((p) => p.serverCpuSeconds / gib)) };
  };
  const results = await eachServer(ctx, async (server) => {
    const c = await client(server, 1);
    try {
      const mono = await cpuOf(() => bestOf(ctx, server, 'push', 'monolithic push', n, (i) => pushMonolithic(c, repos.big, data.bigMono[i]!)));
      ctx.log(`  ${server.kind}: monolithic ${fmt(cfg.bigBlobBytes / MB / mono.seconds)} MB/s, ${fmt(mono.cpu)} server CPU-s/GiB`);
      const chunked = await cpuOf(() =>
        bestOf(ctx, server, 'push', 'chunked push', n, (i) => pushChunked(c, repos.big, data.bigChunked[i]!, cfg.chunkBytes)),
      );
      ctx.log(`  ${server.kind}: chunked ${fmt(cfg.bigBlobBytes / MB / chunked.seconds)} MB/s, ${fmt(chunked.cpu)} server CPU-s/GiB`);
      return { mono: cfg.bigBlobBytes / MB / mono.seconds, chunked: cfg.bigBlobBytes / MB / chunked.seconds, monoCpu: mono.cpu, chunkedCpu: chunked.cpu };
    } finally {
      c.agent.destroy();
    }
  });
  const files = cfg.backend !== 'postgres+s3';
  const title = `1. Push one ${mib(cfg.bigBlobBytes)} layer${n > 1 ? ` (best of ${n})` : ''}`;
  const row = (metric: string, values: Partial<Record<TargetKind, number>>, targetRatio: number): Row => ({
    workload: 'push',
    title,
    metric,
    unit: 'MB/s',
    kind: 'throughput',
    better: 'higher',
    values,
    targetRatio,
    notes: {},
  });
  /** Only the monolithic push's CPU is the issue's target (the bare-server comparison it names). */
  const cpuRow = (metric: string, values: Partial<Record<TargetKind, number>>, judged: boolean): Row => ({
    workload: 'push',
    title,
    metric,
    unit: 'CPU-s/GiB',
    kind: 'time',
    better: 'lower',
    values,
    ...(files && judged ? { maxValue: 1.75 } : { informational: true }),
    notes: {},
  });
  return [
    row('monolithic (POST, PUT ?digest= with body)', valuesOf(results, (r) => r.mono), files ? 1.5 : 1),
    row(`chunked (POST, ${Math.ceil(cfg.bigBlobBytes / cfg.chunkBytes)} × PATCH ${mib(cfg.chunkBytes)} with Content-Range, PUT ?digest=)`, valuesOf(results, (r) => r.chunked), files ? 2 : 1),
    cpuRow('server CPU per GiB, monolithic (lowest of the runs)', valuesOf(results, (r) => r.monoCpu), true),
    cpuRow('server CPU per GiB, chunked (lowest of the runs)', valuesOf(results, (r) => r.chunkedCpu), false),
  ];
}

/** 2. The large layer pulled by one client, then by N concurrent clients; every byte hashed. */
export async function pullLarge(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg, data } = ctx;
  const blob = data.bigMono[0]!;
  const n = cfg.repeats;
  // Interleaved: each round pulls from every registry, alternating which goes first, so neither
  // is always the one measured right after the other's writes (this VM's host reclaims page
  // cache aggressively, and whoever reads second may find the disk or cache in another state).
  const best = new Map<TargetKind, { single: number; parallel: number; raw: number }>();
  // The first read of a blob just pushed, apart: Haven writes uploads past the page cache
  // (O_DIRECT), so it reads the disk once where distribution finds the pages it wrote. Timed
  // rounds come after, with both caches in their steady state.
  const first = new Map<TargetKind, { rate: number; cpu: number }>();
  for (const server of ctx.servers) {
    const one = await client(server, 1);
    try {
      settle();
      const r = await phase(ctx, server, 'pull', 'pull, 1 client, first after the push', () => pullVerified(one, repos.big, blob.digest, blob.size));
      const cpu = ctx.phases[ctx.phases.length - 1]!.serverCpuSeconds / (blob.size / 1024 ** 3);
      first.set(server.kind, { rate: blob.size / MB / r.seconds, cpu });
      ctx.log(`  ${server.kind}: first pull after the push ${fmt(blob.size / MB / r.seconds)} MB/s, ${fmt(cpu)} server CPU-s/GiB`);
    } finally {
      one.agent.destroy();
    }
  }
  for (let round = 0; round < n; round++) {
    const order = round % 2 === 0 ? ctx.servers : [...ctx.servers].reverse();
    for (const server of order) {
      const one = await client(server, 1);
      const many = await client(server, cfg.pullClients);
      try {
        const tag = n > 1 ? ` #${round + 1}` : '';
        settle();
        const single = (await phase(ctx, server, 'pull', `pull, 1 client${tag}`, () => pullVerified(one, repos.big, blob.digest, blob.size))).seconds;
        ctx.log(`  ${server.kind}: 1 client ${fmt(blob.size / MB / single)} MB/s`);
        settle();
        const parallel = (
          await phase(ctx, server, 'pull', `pull, ${cfg.pullClients} clients${tag}`, () =>
            Promise.all(Array.from({ length: cfg.pullClients }, () => pullVerified(many, repos.big, blob.digest, blob.size))),
          )
        ).seconds;
        const agg = (cfg.pullClients * blob.size) / MB / parallel;
        ctx.log(`  ${server.kind}: ${cfg.pullClients} clients ${fmt(agg)} MB/s aggregate`);
        // Diagnostic: the same GET with the client only counting bytes, to separate the server's
        // sending speed from the client's hashing.
        settle();
        const raw = (await phase(ctx, server, 'pull', `pull, 1 client, unhashed${tag}`, () => pullCounted(one, repos.big, blob.digest, blob.size))).seconds;
        ctx.log(`  ${server.kind}: 1 client, unhashed ${fmt(blob.size / MB / raw)} MB/s`);
        const prev = best.get(server.kind);
        best.set(server.kind, {
          single: Math.max(prev?.single ?? 0, blob.size / MB / single),
          parallel: Math.max(prev?.parallel ?? 0, agg),
          raw: Math.max(prev?.raw ?? 0, blob.size / MB / raw),
        });
      } finally {
        one.agent.destroy();
        many.agent.destroy();
      }
    }
  }
  const results = best;
  const title = `2. Pull the ${mib(blob.size)} layer (sha256 verified${n > 1 ? `, best of ${n}` : ''})`;
  return [
    {
      workload: 'pull',
      title,
      metric: '1 client',
      unit: 'MB/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(results, (r) => r.single),
      targetRatio: 1,
      loopbackFraction: 0.8,
      notes: {},
    },
    {
      workload: 'pull',
      title,
      metric: `${cfg.pullClients} concurrent clients, aggregate`,
      unit: 'MB/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(results, (r) => r.parallel),
      targetRatio: 1,
      loopbackFraction: 0.8,
      notes: {},
    },
    {
      workload: 'pull',
      title,
      metric: 'diagnostic: 1 client, the first pull after the push (before the timed rounds)',
      unit: 'MB/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(first, (r) => r.rate),
      informational: true,
      notes: Object.fromEntries([...first].map(([k, r]) => [k, `server ${fmt(r.cpu)} CPU-s/GiB${k === 'haven' && cfg.backend !== 'postgres+s3' ? '; uploads were written past the page cache, so this read comes from the disk' : ''}`])),
    },
    {
      workload: 'pull',
      title,
      metric: 'diagnostic: 1 client counting bytes only, not hashing',
      unit: 'MB/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(results, (r) => r.raw),
      informational: true,
      notes: {},
    },
  ];
}

async function pool<T>(items: T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!);
      }
    }),
  );
}

/** 3. Many small images (HEAD, POST, PUT per blob; then the manifest) by concurrent workers. */
export async function pushImages(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg, data } = ctx;
  const results = await eachServer(ctx, async (server) => {
    const c = await client(server, cfg.pushWorkers);
    try {
      const run = await phase(ctx, server, 'images', 'small image pushes', () =>
        pool(data.images, cfg.pushWorkers, async (img) => {
          for (const layer of img.layers) await pushBlobIfMissing(c, repos.small, layer);
          await pushBlobIfMissing(c, repos.small, img.config);
          await putManifest(c, repos.small, img.tag, img.manifest);
        }),
      );
      // Untimed: every image must read back by tag with the digest it was pushed with.
      await pool(data.images, cfg.pushWorkers, async (img) => {
        await getManifestVerified(c, repos.small, img.tag, img.manifest.digest);
      });
      const rate = data.images.length / run.seconds;
      ctx.log(`  ${server.kind}: ${fmt(rate)} images/s`);
      return rate;
    } finally {
      c.agent.destroy();
    }
  });
  const avgBytes = data.images.reduce((s, i) => s + i.layers.reduce((t, l) => t + l.size, 0), 0) / Math.max(1, data.images.length);
  return [
    {
      workload: 'images',
      title: `3. Push ${data.images.length} small images with ${cfg.pushWorkers} workers`,
      metric: `${cfg.layersPerImage} layers of 64 KiB–1 MiB (avg ${(avgBytes / MB).toFixed(1)} MB/image) + config + manifest`,
      unit: 'images/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(results, (r) => r),
      targetRatio: 1,
      notes: {},
    },
  ];
}

/** 4. Manifest GET by tag and blob HEAD, fixed request counts over many connections. */
export async function requestLoad(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg, data } = ctx;
  const img = data.images[0];
  if (!img) throw new Error('the load workload needs the images workload');
  const layer = img.layers[0]!;
  const results = await eachServer(ctx, async (server) => {
    const ep = endpoint(server.url);
    const auth = await server.auth.headers();
    const load = async (name: string, spec: LoadSpec) => (await phase(ctx, server, 'load', name, () => runLoad(spec, cfg.loadTool))).value;
    const manifest = await load('manifest GET load', {
      ep,
      method: 'GET',
      path: `/v2/${repos.small}/manifests/${img.tag}`,
      headers: { ...auth, Accept: manifestAccept },
      requests: cfg.loadRequests,
      connections: cfg.loadConnections,
      digest: img.manifest.digest,
      body: img.manifest.bytes,
    });
    ctx.log(`  ${server.kind}: manifest GET ${describeLoad(manifest)}`);
    const head = await load('blob HEAD load', {
      ep,
      method: 'HEAD',
      path: `/v2/${repos.small}/blobs/${layer.digest}`,
      headers: { ...auth },
      requests: cfg.loadRequests,
      connections: cfg.loadConnections,
      digest: layer.digest,
      contentLength: layer.size,
    });
    ctx.log(`  ${server.kind}: blob HEAD ${describeLoad(head)}`);
    const authz = server.kind === 'haven' && server.admin && server.auth.kind !== 'none' ? await authorizationLoad(ctx, server, load) : null;
    return { manifest, head, authz };
  });
  const rows: Row[] = [];
  for (const [key, label] of [
    ['manifest', 'manifest GET by tag'],
    ['head', 'blob HEAD'],
  ] as const) {
    const title = `4. ${cfg.loadRequests.toLocaleString('en-US')} × ${label}, ${cfg.loadConnections} connections`;
    const tool = [...results.values()][0]?.[key].tool ?? 'node';
    const notes = { haven: `load generator: ${tool}`, distribution: `load generator: ${tool}` };
    rows.push(
      {
        workload: 'load',
        title,
        metric: 'throughput',
        unit: 'req/s',
        kind: 'throughput',
        better: 'higher',
        values: valuesOf(results, (r) => r[key].rps),
        // Issue 10: on PostgreSQL both stay ≥ 3× distribution; on the embedded default the registry core's targets.
        targetRatio: ctx.cfg.backend !== 'embedded' ? 3 : key === 'manifest' ? 1.5 : 1,
        notes,
      },
      {
        workload: 'load',
        title,
        metric: 'p50 latency',
        unit: 'ms',
        kind: 'latency',
        better: 'lower',
        values: valuesOf(results, (r) => r[key].p50ms),
        notes: {},
      },
      {
        workload: 'load',
        title,
        metric: 'p99 latency',
        unit: 'ms',
        kind: 'latency',
        better: 'lower',
        values: valuesOf(results, (r) => r[key].p99ms),
        notes: {},
      },
    );
  }
  const haven = results.get('haven');
  if (haven?.authz) rows.push(...authorizationRows(cfg, haven.manifest, haven.authz));
  return rows;
}

interface AuthLoad {
  anonymous: LoadResult;
  token: LoadResult;
  /** How the token row authenticated (bearer, or basic under BENCH_HAVEN_AUTH=basic). */
  mode: string;
  rounds: number;
}

/**
 * 4b. Haven only: the manifest of the load workload, pushed to the public project too, then GET by
 * tag there with no Authorization header and with a Bearer token — the same bytes, the same
 * repository, so the difference between the two is what authenticating and authorizing a request
 * costs. Run in BENCH_AUTH_ROUNDS rounds alternating which goes first; the best of each counts.
 */
async function authorizationLoad(
  ctx: WorkloadContext,
  server: RunningServer,
  load: (name: string, spec: LoadSpec) => Promise<LoadResult>,
): Promise<AuthLoad> {
  const { cfg, data } = ctx;
  const img = data.images[0]!;
  const ep = endpoint(server.url);
  const pubAuth = await authenticate(ep, server.admin!, publicProject, [publicRepo], cfg.havenAuth, true);
  const tokenHeaders = await pubAuth.headers();
  // Untimed setup: the same layers, config and manifest, re-pushed into the public project.
  const c: Client = { ep, agent: keepAliveAgent(1), headers: tokenHeaders };
  const anon: Client = { ep, agent: c.agent, headers: {} };
  try {
    for (const layer of img.layers) await pushBlobIfMissing(c, publicRepo, layer);
    await pushBlobIfMissing(c, publicRepo, img.config);
    await putManifest(c, publicRepo, img.tag, img.manifest);
    // The anonymous row must really be anonymous access: the public copy reads without
    // credentials, the private one must not.
    await getManifestVerified(anon, publicRepo, img.tag, img.manifest.digest);
    const refused = await call(anon.agent, ep, 'GET', `/v2/${repos.small}/manifests/${img.tag}`, { headers: { Accept: manifestAccept } });
    if (refused.status !== 401) throw new Error(`anonymous GET of the private manifest answered ${refused.status}, expected 401`);
  } finally {
    c.agent.destroy();
  }
  const spec = (headers: Record<string, string>): LoadSpec => ({
    ep,
    method: 'GET',
    path: `/v2/${publicRepo}/manifests/${img.tag}`,
    headers: { ...headers, Accept: manifestAccept },
    requests: cfg.loadRequests,
    connections: cfg.loadConnections,
    digest: img.manifest.digest,
    body: img.manifest.bytes,
  });
  const best = (a: LoadResult | undefined, b: LoadResult) => (a && a.rps >= b.rps ? a : b);
  let anonymous: LoadResult | undefined;
  let token: LoadResult | undefined;
  const n = cfg.authRounds;
  for (let round = 0; round < n; round++) {
    const tag = n > 1 ? ` #${round + 1}` : '';
    const runAnonymous = async () => {
      settle();
      const r = await load(`manifest GET load, public project, anonymous${tag}`, spec({}));
      ctx.log(`  ${server.kind}: manifest GET, public project, anonymous ${describeLoad(r)}`);
      anonymous = best(anonymous, r);
    };
    const runToken = async () => {
      settle();
      const r = await load(`manifest GET load, public project, ${pubAuth.kind}${tag}`, spec(await pubAuth.headers()));
      ctx.log(`  ${server.kind}: manifest GET, public project, ${pubAuth.kind} ${describeLoad(r)}`);
      token = best(token, r);
    };
    if (round % 2 === 0) {
      await runAnonymous();
      await runToken();
    } else {
      await runToken();
      await runAnonymous();
    }
  }
  const overhead = overheadPct(anonymous!, token!);
  ctx.log(`  ${server.kind}: authorization overhead on manifest GET ${overhead.toFixed(1)}% (target ≤ ${maxAuthOverheadPct}%)`);
  return { anonymous: anonymous!, token: token!, mode: pubAuth.kind, rounds: n };
}

const overheadPct = (anonymous: LoadResult, token: LoadResult) => (1 - token.rps / anonymous.rps) * 100;

function authorizationRows(cfg: BenchConfig, priv: LoadResult, a: AuthLoad): Row[] {
  const title = `4b. Cost of authorization: ${cfg.loadRequests.toLocaleString('en-US')} × manifest GET by tag, ${cfg.loadConnections} connections, Haven only${
    a.rounds > 1 ? ` (public-project rows: best of ${a.rounds})` : ''
  }`;
  const how = (r: LoadResult) => `p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms; load generator: ${r.tool}`;
  const credential = a.mode === 'bearer' ? 'Bearer token' : 'Basic admin credentials';
  const row = (metric: string, value: number, note: string, extra: Partial<Row> = {}): Row => ({
    workload: 'load',
    title,
    metric,
    unit: 'req/s',
    kind: 'throughput',
    better: 'higher',
    values: { haven: value },
    notes: { haven: note },
    ...extra,
  });
  return [
    row(`anonymous, public project \`${publicProject}\` (no Authorization header)`, a.anonymous.rps, how(a.anonymous)),
    row(`${credential}, public project \`${publicProject}\``, a.token.rps, how(a.token)),
    row(`${credential}, private project \`${benchProject}\` (the throughput row of 4.)`, priv.rps, how(priv), { informational: true }),
    {
      workload: 'load',
      title,
      metric: `authorization overhead: 1 − (${a.mode === 'bearer' ? 'token' : 'Basic'} req/s ÷ anonymous req/s), public project`,
      unit: '%',
      kind: 'throughput',
      better: 'lower',
      values: { haven: overheadPct(a.anonymous, a.token) },
      maxValue: maxAuthOverheadPct,
      notes: {},
    },
  ];
}

export function describeLoad(r: LoadResult): string {
  return `${fmt(r.rps)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms (${r.tool}, ${r.requests} in ${r.seconds.toFixed(1)} s)`;
}

function sameTags(got: string[], expected: string[], what: string): boolean {
  const sorted = [...got].sort();
  if (sorted.length !== expected.length || sorted.some((t, i) => t !== expected[i])) {
    throw new Error(`${what}: listed ${got.length} tags, expected ${expected.length} (first difference near ${sorted.find((t, i) => t !== expected[i]) ?? '-'})`);
  }
  return got.every((t, i) => t === expected[i]);
}

/** 5. A repository with many tags: full listings and a paginated walk. */
export async function tagListing(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  const tags = Array.from({ length: cfg.tags }, (_, i) => `t-${String(i).padStart(6, '0')}`);
  const layer = smallBlob(randomBytes(4096));
  const config = smallBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const manifest = smallBlob(imageManifest(config, [layer]));
  const results = await eachServer(ctx, async (server) => {
    const c = await client(server, cfg.tagPushConcurrency);
    try {
      await pushBlobIfMissing(c, repos.tags, layer);
      await pushBlobIfMissing(c, repos.tags, config);
      const setup = await phase(ctx, server, 'tags', 'tag PUTs', () => pool(tags, cfg.tagPushConcurrency, (t) => putManifest(c, repos.tags, t, manifest)));
      ctx.log(`  ${server.kind}: ${cfg.tags} tag PUTs in ${setup.seconds.toFixed(1)} s (${fmt(cfg.tags / setup.seconds)}/s)`);
      settle();
      let fullRequests = 0;
      let fullSorted = true;
      const full = await phase(ctx, server, 'tags', 'full listings', async () => {
        for (let i = 0; i < cfg.listRepeats; i++) {
          const r = await listTags(c, `/v2/${repos.tags}/tags/list`);
          fullRequests = r.requests;
          fullSorted = sameTags(r.tags, tags, 'full listing') && fullSorted;
        }
      });
      const fullMs = (full.seconds * 1000) / cfg.listRepeats;
      ctx.log(`  ${server.kind}: full listing ${fullMs.toFixed(1)} ms (${fullRequests} request(s) each)`);
      let walkRequests = 0;
      const walk = await phase(ctx, server, 'tags', 'paginated walks', async () => {
        for (let i = 0; i < cfg.walkRepeats; i++) {
          const r = await listTags(c, `/v2/${repos.tags}/tags/list?n=${cfg.tagPageSize}`);
          walkRequests = r.requests;
          sameTags(r.tags, tags, 'paginated walk');
        }
      });
      const walkMs = (walk.seconds * 1000) / cfg.walkRepeats;
      ctx.log(`  ${server.kind}: paginated walk ${walkMs.toFixed(1)} ms (${walkRequests} request(s) each)`);
      return { setupRate: cfg.tags / setup.seconds, fullMs, fullRequests, fullSorted, walkMs, walkRequests };
    } finally {
      c.agent.destroy();
    }
  });
  const title = `5. Tags list of a repository with ${cfg.tags.toLocaleString('en-US')} tags`;
  const noteOf = (r: { requests: number; sorted?: boolean }) =>
    `${r.requests} request(s) per listing${r.sorted === false ? ', tags not in lexical order' : ''}`;
  const fullNotes: Partial<Record<TargetKind, string>> = {};
  const walkNotes: Partial<Record<TargetKind, string>> = {};
  for (const [k, r] of results) {
    fullNotes[k] = noteOf({ requests: r.fullRequests, sorted: r.fullSorted });
    walkNotes[k] = noteOf({ requests: r.walkRequests });
  }
  return [
    {
      workload: 'tags',
      title,
      metric: `setup: ${cfg.tags.toLocaleString('en-US')} manifest PUTs by tag, ${cfg.tagPushConcurrency} concurrent`,
      unit: 'tags/s',
      kind: 'throughput',
      better: 'higher',
      values: valuesOf(results, (r) => r.setupRate),
      informational: true,
      notes: {},
    },
    {
      workload: 'tags',
      title,
      metric: `full listing (no n), mean of ${cfg.listRepeats}`,
      unit: 'ms',
      kind: 'time',
      better: 'lower',
      values: valuesOf(results, (r) => r.fullMs),
      notes: fullNotes,
    },
    {
      workload: 'tags',
      title,
      metric: `paginated walk n=${cfg.tagPageSize}, mean of ${cfg.walkRepeats}`,
      unit: 'ms',
      kind: 'time',
      better: 'lower',
      values: valuesOf(results, (r) => r.walkMs),
      notes: walkNotes,
    },
  ];
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
