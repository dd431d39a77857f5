/**
 * 10. Scale-out: the load workload's manifest GET through Debian's nginx in front of one, then
 * three Haven instances on one PostgreSQL and one Redis (the deploy/nginx round robin). On a
 * machine of few cores the instances, nginx, PostgreSQL and the load generator share them, so
 * this shows what one more instance costs and gives, not what three machines would.
 */
import { resolve } from 'node:path';
import { nginxBin, nginxInstalled, startNginx, type RunningNginx } from '../test/backends/nginx.js';
import { authenticate } from './auth.js';
import { endpoint, keepAliveAgent } from './http.js';
import { runLoad } from './load.js';
import { nginxCpuSeconds } from './nginx-pull.js';
import { manifestAccept, pushBlobIfMissing, putManifest } from './oci.js';
import { Cleanup, startHaven, type RunningServer } from './servers.js';
import { benchProject, describeLoad, fmt, phase, type Row, type WorkloadContext } from './workloads.js';

const repoRoot = resolve(import.meta.dirname, '..');
const repo = `${benchProject}/scale`;

export async function scaleOut(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg, data } = ctx;
  const img = data.images[0];
  if (!img) throw new Error('the instances workload needs the images workload');
  if (!nginxInstalled()) {
    ctx.log(`  skipped: ${nginxBin} is not installed (Debian's nginx package)`);
    return [];
  }
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;
  const nginxes: RunningNginx[] = [];
  try {
    // Imported here only: the database stack slows the bench's own client when loaded at start.
    const { startPostgres } = await import('../test/backends/postgres.js');
    const { startRedis } = await import('../test/backends/redis.js');
    const cluster = await startPostgres();
    cleanup.atEnd(() => cluster.stop());
    const redis = await startRedis();
    cleanup.atEnd(() => redis.cleanup());
    const env = { HAVEN_DATABASE_URL: await cluster.createDatabase('scale'), HAVEN_REDIS_URL: redis.url };
    // The first one creates admin with its password; the others find admin there.
    const first = await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, env });
    const others = await Promise.all([1, 2].map(() => startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, env })));
    const havens = [first, ...others];
    const admin = first.admin!;

    const results = new Map<number, { rps: number; cpu: number }>();
    for (const n of [1, 3]) {
      const members = havens.slice(0, n);
      const nginx = await startNginx({ upstreams: members.map((h) => new URL(h.url).host), workers: ctx.cores });
      nginxes.push(nginx);
      const auth = await authenticate(endpoint(nginx.url), admin, benchProject, [repo], cfg.havenAuth);
      if (n === 1) {
        const c = { ep: endpoint(nginx.url), agent: keepAliveAgent(4), headers: await auth.headers() };
        try {
          for (const layer of img.layers) await pushBlobIfMissing(c, repo, layer);
          await pushBlobIfMissing(c, repo, img.config);
          await putManifest(c, repo, img.tag, img.manifest);
        } finally {
          c.agent.destroy();
        }
      }
      // Every process serving the requests counts: the instances, nginx, PostgreSQL is left out
      // (it is the same one in both setups).
      const server: RunningServer = { ...first, cpuSeconds: () => members.reduce((s, h) => s + h.cpuSeconds(), 0) + nginxCpuSeconds(nginx) };
      const headers = { ...(await auth.headers()), Accept: manifestAccept };
      const run = await phase(ctx, server, 'instances', `manifest GET through nginx, ${n} instance${n > 1 ? 's' : ''}`, () =>
        runLoad(
          {
            ep: endpoint(nginx.url),
            method: 'GET',
            path: `/v2/${repo}/manifests/${img.tag}`,
            headers,
            requests: cfg.loadRequests,
            connections: cfg.loadConnections,
            digest: img.manifest.digest,
            body: img.manifest.bytes,
          },
          cfg.loadTool,
        ),
      );
      const cpu = ctx.phases[ctx.phases.length - 1]!.serverCpuSeconds;
      results.set(n, { rps: run.value.rps, cpu: (cpu * 1000) / run.value.requests });
      ctx.log(`  ${n} instance(s) through nginx: ${describeLoad(run.value)}, ${fmt((cpu * 1000) / run.value.requests)} CPU-ms per request`);
    }
    const title = `10. Scale-out: ${cfg.loadRequests.toLocaleString('en-US')} × manifest GET through nginx, Haven on one PostgreSQL and Redis, ${cfg.loadConnections} connections`;
    const rows: Row[] = [];
    for (const [n, r] of results) {
      rows.push({
        workload: 'instances',
        title,
        metric: `${n} instance${n > 1 ? 's' : ''}: throughput`,
        unit: 'req/s',
        kind: 'throughput',
        better: 'higher',
        values: { haven: r.rps },
        informational: true,
        notes: { haven: `${fmt(r.cpu)} CPU-ms per request (instances + nginx), ${ctx.cores} cores shared with PostgreSQL, Redis and the load generator` },
      });
    }
    return rows;
  } finally {
    for (const n of nginxes) await n.stop();
    await cleanup.run();
  }
}
