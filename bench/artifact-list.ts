/**
 * 6. Haven only: Harbor's artifact list. A repository holding BENCH_ARTIFACTS (10,000) tagged
 * artifacts, seeded through /v2 with small manifests (one shared config and layer, a nonce
 * annotation each), then one page of 100 artifacts with their tags asked for again and again on
 * one connection: the p50 must stay under 20 ms (issue 9, section 6). The first page and a deep
 * page (offset 5,000) both count; the worse p50 is the figure.
 */
import { randomBytes } from 'node:crypto';
import { authenticate } from './auth.js';
import { mediaTypes, smallBlob } from './data.js';
import { call, endpoint, keepAliveAgent } from './http.js';
import { pushBlobIfMissing, putManifest, type Client } from './oci.js';
import { benchProject, fmt, phase, settle, type Row, type WorkloadContext } from './workloads.js';

const repo = `${benchProject}/artifacts`;

async function pool<T>(items: T[], workers: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!);
    }),
  );
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function artifactListing(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  const server = ctx.servers.find((s) => s.kind === 'haven');
  if (!server?.admin) return [];
  const ep = endpoint(server.url);
  const auth = await authenticate(ep, server.admin, benchProject, [repo], cfg.havenAuth);
  const c: Client = { ep, agent: keepAliveAgent(cfg.tagPushConcurrency), headers: await auth.headers() };
  const layer = smallBlob(randomBytes(4096));
  const config = smallBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  const tags = Array.from({ length: cfg.artifacts }, (_, i) => `a-${String(i).padStart(6, '0')}`);
  try {
    await pushBlobIfMissing(c, repo, layer);
    await pushBlobIfMissing(c, repo, config);
    const manifestFor = (tag: string) =>
      smallBlob(
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: mediaTypes.manifest,
            config: { mediaType: mediaTypes.config, digest: config.digest, size: config.size },
            layers: [{ mediaType: mediaTypes.layer, digest: layer.digest, size: layer.size }],
            annotations: { 'org.haven.bench': tag },
          }),
        ),
      );
    const setup = await phase(ctx, server, 'artifacts', 'artifact PUTs', () => pool(tags, cfg.tagPushConcurrency, (t) => putManifest(c, repo, t, manifestFor(t))));
    ctx.log(`  haven: ${cfg.artifacts} artifacts pushed in ${setup.seconds.toFixed(1)} s (${fmt(cfg.artifacts / setup.seconds)}/s)`);
    settle();

    const api = keepAliveAgent(1);
    const headers = { Authorization: `Basic ${Buffer.from(`${server.admin.username}:${server.admin.password}`).toString('base64')}` };
    const path = (page: number) => `/api/v2.0/projects/${benchProject}/repositories/artifacts/artifacts?page=${page}&page_size=100&with_tag=true`;
    const measure = async (page: number) => {
      const times: number[] = [];
      for (let i = 0; i < cfg.artifactListRepeats + 10; i++) {
        const t0 = performance.now();
        const r = await call(api, ep, 'GET', path(page), { headers });
        const ms = performance.now() - t0;
        if (r.status !== 200) throw new Error(`artifact list: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
        const items = JSON.parse(r.body.toString('utf8')) as Array<{ tags: unknown[] | null }>;
        if (items.length !== 100 || items.some((a) => a.tags?.length !== 1)) throw new Error('artifact list: expected 100 artifacts with one tag each');
        if (Number(r.headers['x-total-count']) !== cfg.artifacts) throw new Error(`artifact list: X-Total-Count ${String(r.headers['x-total-count'])}`);
        if (i >= 10) times.push(ms); // the first ten warm caches and prepared statements
      }
      return times.sort((a, b) => a - b);
    };
    try {
      const first = (await phase(ctx, server, 'artifacts', 'artifact list, first page', () => measure(1))).value;
      const deep = (await phase(ctx, server, 'artifacts', 'artifact list, page 51', () => measure(51))).value;
      const p50 = Math.max(percentile(first, 50), percentile(deep, 50));
      const note = (t: number[]) => `p50 ${percentile(t, 50).toFixed(2)} ms, p99 ${percentile(t, 99).toFixed(2)} ms`;
      ctx.log(`  haven: artifact list page 1: ${note(first)}; page 51: ${note(deep)}`);
      return [
        {
          workload: 'artifacts',
          title: `6. Artifact list of a repository with ${cfg.artifacts.toLocaleString('en-US')} artifacts, Haven only`,
          metric: `GET …/artifacts?page_size=100&with_tag=true, p50 of ${cfg.artifactListRepeats} (worse of page 1 and page 51)`,
          unit: 'ms',
          kind: 'latency',
          better: 'lower',
          values: { haven: p50 },
          maxValue: 20,
          notes: { haven: `page 1 ${note(first)}; page 51 ${note(deep)}; setup ${fmt(cfg.artifacts / setup.seconds)} manifest PUTs/s` },
        },
      ];
    } finally {
      api.destroy();
    }
  } finally {
    c.agent.destroy();
  }
}
