/**
 * `npm run bench`: measures the machine's limits, starts Haven and distribution side by side,
 * drives the same workloads at both, prints the figures and writes docs/benchmarks.md.
 * Both servers and their temp dirs are removed on exit, whether the run succeeds or not.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { loadBenchConfig } from './config.js';
import { loopbackSpeed, sha256Speed, verifiedPullCeiling } from './limits.js';
import { treeCpuSeconds } from './cpu.js';
import { killLoadGenerators, toolFor, wrkVersion } from './load.js';
import { baseEnvironment, consoleTable, isNoisy, keptChangeComparisons, markdown, type Environment } from './report.js';
import { Cleanup, startDistribution, startHaven, type RunningServer } from './servers.js';
import { authenticate } from './auth.js';
import { endpoint } from './http.js';
import { benchProject, fmt, prepareData, repos, type Phase, type Row, type WorkloadContext } from './workloads.js';
import { workloadRunners } from './runners.js';

const repoRoot = resolve(import.meta.dirname, '..');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = performance.now();
  const cfg = loadBenchConfig(process.env, repoRoot);
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;

  let exiting = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (exiting) return;
    exiting = true;
    log(`\nbench: ${signal}, stopping servers`);
    killLoadGenerators();
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    killLoadGenerators();
    cleanup.runSync();
  });

  try {
    log(`bench: ${cfg.quick ? 'QUICK smoke run' : 'full run'}; workloads ${cfg.workloads.join(', ')}; registries ${cfg.targets.join(', ')}`);

    // Measured before and after the workloads; the better figure counts (they only lose to noise).
    const limits = async () => {
      log('measuring machine limits…');
      const sha = sha256Speed(cfg.shaBytes);
      log(`  sha256: ${fmt(sha)} MB/s`);
      const loop = await loopbackSpeed(cfg.loopbackBytes);
      log(`  loopback TCP: ${fmt(loop)} MB/s`);
      const ceiling = await verifiedPullCeiling(Math.min(cfg.bigBlobBytes, 1024 * 1024 * 1024));
      log(`  verifying pull client vs trivial server: ${fmt(ceiling)} MB/s`);
      return { sha, loop, ceiling };
    };
    const before = await limits();

    log('generating and hashing workload data…');
    const data = prepareData(cfg);

    log('starting registries…');
    const servers: RunningServer[] = [];
    const havenEnv: Record<string, string> = {};
    let distributionS3: Parameters<typeof startDistribution>[0]['s3'];
    const backendPids: Array<() => number[]> = [];
    if (cfg.backend !== 'embedded' && cfg.targets.includes('haven')) {
      // Imported only for these modes: loading the database stack slows the bench's own client.
      const { startPostgres } = await import('../test/backends/postgres.js');
      const cluster = await startPostgres();
      cleanup.atEnd(() => cluster.stop());
      if (cluster.pids) backendPids.push(cluster.pids);
      havenEnv.HAVEN_DATABASE_URL = await cluster.createDatabase('bench');
      log(`  PostgreSQL cluster at ${cluster.adminUrl}`);
    }
    if (cfg.backend === 'postgres+s3') {
      const { startS3 } = await import('../test/backends/s3.js');
      const s3 = await startS3();
      cleanup.atEnd(() => s3.stop());
      backendPids.push(s3.pids);
      Object.assign(havenEnv, s3.env(await s3.bucket('haven')));
      distributionS3 = { endpoint: s3.endpoint, region: s3.region, bucket: await s3.bucket('distribution'), accessKey: s3.accessKey, secretKey: s3.secretKey };
      log(`  Swift (s3api) at ${s3.endpoint}, one bucket each`);
    }
    if (cfg.targets.includes('haven')) servers.push(await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, env: havenEnv }));
    if (cfg.targets.includes('distribution')) servers.push(await startDistribution({ bin: cfg.distributionBin, cleanup, ...(distributionS3 ? { s3: distributionS3 } : {}) }));
    for (const s of servers) {
      if (s.admin) s.auth = await authenticate(endpoint(s.url), s.admin, benchProject, Object.values(repos), cfg.havenAuth);
      log(`  ${s.label} at ${s.url}, data ${s.dataDir}, auth: ${s.auth.describe}`);
    }

    const phases: Phase[] = [];
    const ctx: WorkloadContext = {
      cfg,
      servers,
      data,
      phases,
      cores: availableParallelism(),
      log,
      // Read at each phase: a restarted backend has new pids.
      ...(backendPids.length ? { backendCpu: () => treeCpuSeconds(backendPids.flatMap((pids) => pids())) } : {}),
    };
    const rows: Row[] = [];
    for (const w of cfg.workloads) {
      log(`workload ${w}…`);
      rows.push(...(await workloadRunners[w](ctx)));
    }

    log('stopping registries…');
    for (const s of servers) await s.stop();
    const after = await limits();
    const sha256MBs = Math.max(before.sha, after.sha);
    const loopbackMBs = Math.max(before.loop, after.loop);
    const pullCeilingMBs = Math.max(before.ceiling, after.ceiling);

    const loadTools = cfg.workloads.includes('load')
      ? `GET: ${toolFor(cfg.loadTool, 'GET') === 'wrk' ? `wrk ${wrkVersion()} (1 thread)` : 'node http generator'}; HEAD: node http generator`
      : '–';
    const env: Environment = {
      ...baseEnvironment(),
      haven: servers.find((s) => s.kind === 'haven')?.label ?? 'not run',
      distribution: servers.find((s) => s.kind === 'distribution')?.label ?? 'not run',
      loadGenerators: loadTools,
      sha256MBs,
      loopbackMBs,
      pullCeilingMBs,
      havenLogging: servers.find((s) => s.kind === 'haven')?.logging ?? '–',
      havenAuth: servers.find((s) => s.kind === 'haven')?.auth.describe ?? '–',
      distributionLogging: servers.find((s) => s.kind === 'distribution')?.logging ?? '–',
      runSeconds: (performance.now() - started) / 1000,
    };

    if (cfg.phasesPath) {
      writeFileSync(cfg.phasesPath, JSON.stringify(phases, null, 1));
      log(`phases written to ${cfg.phasesPath} (summarise a Haven --cpu-prof with: node --import tsx bench/cpuprofile.ts PROFILE --phases ${cfg.phasesPath})`);
    }

    log('');
    log(consoleTable(rows, env));
    log('');
    const noisy = phases.filter((p) => isNoisy(p, env.cores));
    for (const p of noisy) {
      log(`warning: other processes used ${p.otherCpuSeconds.toFixed(1)} CPU s during "${p.name}" on ${p.target} (${p.wallSeconds.toFixed(1)} s): that figure is unreliable`);
    }
    log(`machine: sha256 ${fmt(sha256MBs)} MB/s, loopback ${fmt(loopbackMBs)} MB/s, verifying-client ceiling ${fmt(pullCeilingMBs)} MB/s; ${env.cpuModel}, ${env.cores} cores; node ${env.node}`);
    if (cfg.docPath) {
      writeFileSync(cfg.docPath, markdown(cfg, rows, phases, env) + keptChangeComparisons(cfg.docPath));
      log(`wrote ${cfg.docPath}`);
    } else {
      log('(report not written: smoke, partial or profiled run; set BENCH_DOC=path to write it)');
    }
  } finally {
    await cleanup.run();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
