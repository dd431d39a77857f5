/**
 * 4c. Haven only: what auditing every pull costs. Every manifest GET writes an audit row (as
 * Harbor's does), so under load that is tens of thousands of rows a second. Two fresh Havens with
 * the same image, one recording pulls (the default) and one started with --audit-pulls false,
 * take the same manifest GET load in alternating rounds; the difference is the cost.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { authenticate } from './auth.js';
import { imageManifest, smallBlob } from './data.js';
import { call, endpoint, keepAliveAgent } from './http.js';
import { runLoad, type LoadResult } from './load.js';
import { manifestAccept, pushBlobIfMissing, putManifest, type Client } from './oci.js';
import { Cleanup, startHaven, type RunningServer } from './servers.js';
import { benchProject, describeLoad, fmt, phase, settle, type Row, type WorkloadContext } from './workloads.js';

const repoRoot = resolve(import.meta.dirname, '..');
const repo = `${benchProject}/audited`;

interface Scrape {
  queued: number;
  written: number;
  dropped: number;
}

/** The audit log's own tally from /metrics (bench/auth.ts leaves /metrics open). */
async function auditTally(server: RunningServer): Promise<Scrape> {
  const agent = keepAliveAgent(1);
  try {
    const r = await call(agent, endpoint(server.url), 'GET', '/metrics');
    const text = r.body.toString('utf8');
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { queued: value('haven_audit_queue_records'), written: value('haven_audit_records_written_total'), dropped: value('haven_audit_records_dropped_total') };
  } finally {
    agent.destroy();
  }
}

export async function auditCost(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  if (!cfg.targets.includes('haven')) return [];
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;
  const layer = smallBlob(randomBytes(4096));
  const config = smallBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const manifest = smallBlob(imageManifest(config, [layer]));
  try {
    const start = async (pulls: boolean) => {
      const server = await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, args: pulls ? [] : ['--audit-pulls', 'false'] });
      const auth = await authenticate(endpoint(server.url), server.admin!, benchProject, [repo], cfg.havenAuth);
      const c: Client = { ep: endpoint(server.url), agent: keepAliveAgent(1), headers: await auth.headers() };
      try {
        await pushBlobIfMissing(c, repo, layer);
        await pushBlobIfMissing(c, repo, config);
        await putManifest(c, repo, 'v1', manifest);
      } finally {
        c.agent.destroy();
      }
      ctx.log(`  haven (audit.pulls ${pulls}) at ${server.url}, data ${server.dataDir}`);
      return { server, auth };
    };
    const on = await start(true);
    const off = await start(false);
    const load = async (label: string, target: typeof on) =>
        phase(ctx, target.server, 'audit', `manifest GET load, ${label}`, () =>
          target.auth.headers().then((headers) =>
            runLoad(
              {
                ep: endpoint(target.server.url),
                method: 'GET',
                path: `/v2/${repo}/manifests/v1`,
                headers: { ...headers, Accept: manifestAccept },
                requests: cfg.loadRequests,
                connections: cfg.loadConnections,
                digest: manifest.digest,
                body: manifest.bytes,
              },
              cfg.loadTool,
            ),
          ),
        );
    const best = (a: LoadResult | undefined, b: LoadResult) => (a && a.rps >= b.rps ? a : b);
    let withAudit: LoadResult | undefined;
    let without: LoadResult | undefined;
    let auditSeconds = 0;
    const before = await auditTally(on.server);
    for (let round = 0; round < cfg.auditRounds; round++) {
      const tag = cfg.auditRounds > 1 ? ` #${round + 1}` : '';
      const runOn = async () => {
        settle();
        // Timed with the warm-up: its GETs are audited too.
        const { seconds, value: r } = await load(`pull auditing on${tag}`, on);
        auditSeconds += seconds;
        ctx.log(`  haven: manifest GET, pull auditing on ${describeLoad(r)}`);
        withAudit = best(withAudit, r);
      };
      const runOff = async () => {
        settle();
        const r = (await load(`pull auditing off${tag}`, off)).value;
        ctx.log(`  haven: manifest GET, pull auditing off ${describeLoad(r)}`);
        without = best(without, r);
      };
      if (round % 2 === 0) {
        await runOn();
        await runOff();
      } else {
        await runOff();
        await runOn();
      }
    }
    // Rows still queued after the last round are written within a flush interval or so.
    let after = await auditTally(on.server);
    for (const deadline = Date.now() + 30_000; after.queued > 0 && Date.now() < deadline; after = await auditTally(on.server)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const written = after.written - before.written;
    const dropped = after.dropped - before.dropped;
    const cost = (1 - withAudit!.rps / without!.rps) * 100;
    ctx.log(`  haven: pull auditing costs ${cost.toFixed(1)}% of manifest GET throughput; ${Math.round(written).toLocaleString('en-US')} audit rows written (${fmt(written / auditSeconds)}/s), ${Math.round(dropped)} dropped`);

    const title = `4c. Cost of pull auditing: ${cfg.loadRequests.toLocaleString('en-US')} × manifest GET by tag, ${cfg.loadConnections} connections, Haven only${
      cfg.auditRounds > 1 ? ` (best of ${cfg.auditRounds})` : ''
    }`;
    const how = (r: LoadResult) => `p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms; load generator: ${r.tool}`;
    const row = (metric: string, unit: string, value: number, note: string, better: Row['better'] = 'higher'): Row => ({
      workload: 'audit',
      title,
      metric,
      unit,
      kind: 'throughput',
      better,
      values: { haven: value },
      informational: true,
      notes: note ? { haven: note } : {},
    });
    return [
      row('pull auditing on (default: an audit row per GET)', 'req/s', withAudit!.rps, how(withAudit!)),
      row('pull auditing off (audit.pulls=false)', 'req/s', without!.rps, how(without!)),
      row('cost of pull auditing: 1 − (on ÷ off)', '%', cost, '', 'lower'),
      row('audit rows written while auditing, all rounds', 'rows/s', written / auditSeconds, `${Math.round(written)} rows, ${Math.round(dropped)} dropped (queue full)`),
    ];
  } finally {
    await cleanup.run();
  }
}
