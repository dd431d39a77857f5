/**
 * 10. Online garbage collection at scale, Haven only (issue 11): 1,000,000 blob rows, 100,000 of them
 * unreferenced and old (with tiny files on the filesystem driver), seeded straight into SQLite. GC
 * runs through /system/gc while 4 clients keep pushing small images; the figures are GC's wall
 * time, the server's peak RSS, and push throughput during GC against before it.
 * BENCH_GC_BLOBS sets the row count (a tenth unreferenced).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { authenticate } from './auth.js';
import { imageManifest, smallBlob } from './data.js';
import { call, endpoint, keepAliveAgent } from './http.js';
import { pushBlobIfMissing, putManifest, type Client } from './oci.js';
import { Cleanup, startHaven, type RunningServer } from './servers.js';
import { benchProject, fmt, settle, type Row, type WorkloadContext } from './workloads.js';

const repoRoot = resolve(import.meta.dirname, '..');
const seedRepo = `${benchProject}/gcseed`;
const pushRepo = `${benchProject}/gcpush`;

const hex = () => randomBytes(32).toString('hex');

/** Rows straight into the server's SQLite file (WAL: the server keeps running). */
async function seed(server: RunningServer, total: number, garbage: number, log: (l: string) => void): Promise<void> {
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(join(server.dataDir, 'haven.db'));
  db.pragma('busy_timeout = 30000');
  const old = Date.now() - 3 * 3_600_000;
  const project = db.prepare('select id from projects where name = ?').get(benchProject) as { id: number };
  db.prepare('insert into repositories (name, project_id, created_at, updated_at) values (?, ?, ?, ?)').run(seedRepo, project.id, old, old);
  const repo = db.prepare('select id from repositories where name = ?').get(seedRepo) as { id: number };
  const blob = db.prepare('insert into blobs (digest, size, created_at) values (?, ?, ?)');
  const link = db.prepare('insert into repository_blobs (repository_id, digest, created_at) values (?, ?, ?)');
  const manifest = db.prepare("insert into manifests (repository_id, digest, media_type, size, content, created_at) values (?, ?, 'application/vnd.oci.image.manifest.v1+json', 2, ?, ?)");
  const ref = db.prepare("insert into manifest_references (manifest_id, digest, kind) values (?, ?, 'blob')");
  const perManifest = 100;
  const referenced = total - garbage;
  const t0 = Date.now();
  // In transactions of 50,000 rows, so the server's own writes are never held up for long.
  for (let done = 0; done < referenced; ) {
    db.transaction(() => {
      for (let n = 0; n < 50_000 && done < referenced; n += perManifest) {
        const m = manifest.run(repo.id, `sha256:${hex()}`, Buffer.from('{}'), old);
        for (let i = 0; i < perManifest && done < referenced; i++, done++) {
          const d = `sha256:${hex()}`;
          blob.run(d, 1000, old);
          link.run(repo.id, d, old);
          ref.run(m.lastInsertRowid, d);
        }
      }
    })();
  }
  const storage = join(server.dataDir, 'storage', 'blobs', 'sha256');
  for (let done = 0; done < garbage; ) {
    db.transaction(() => {
      for (let n = 0; n < 50_000 && done < garbage; n++, done++) {
        const h = hex();
        blob.run(`sha256:${h}`, 1, old);
        link.run(repo.id, `sha256:${h}`, old);
        const dir = join(storage, h.slice(0, 2));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, h), 'x');
      }
    })();
  }
  db.close();
  log(`  haven: seeded ${total.toLocaleString('en-US')} blob rows (${garbage.toLocaleString('en-US')} unreferenced, with files) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** Pushes small images from `clients` clients until `stop()` says so; images pushed and seconds. */
function pushLoad(c: Client, clients: number, label: string) {
  let pushed = 0;
  let stopped = false;
  const t0 = performance.now();
  const loops = Array.from({ length: clients }, async (_, k) => {
    for (let i = 0; !stopped; i++) {
      const layer = smallBlob(randomBytes(4096));
      const config = smallBlob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
      await pushBlobIfMissing(c, pushRepo, layer);
      await pushBlobIfMissing(c, pushRepo, config);
      await putManifest(c, pushRepo, `${label}-${k}-${i}`, smallBlob(imageManifest(config, [layer])));
      pushed++;
    }
  });
  return {
    async stop(): Promise<{ images: number; seconds: number }> {
      stopped = true;
      const seconds = (performance.now() - t0) / 1000;
      const images = pushed;
      await Promise.all(loops);
      return { images, seconds };
    },
  };
}

export async function gcAtScale(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  if (!cfg.targets.includes('haven')) return [];
  const total = Number(process.env.BENCH_GC_BLOBS ?? (cfg.quick ? 100_000 : 1_000_000));
  const garbage = Math.round(total / 10);
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;
  try {
    // A one-hour window: the seeded rows are three hours old, the pushes during GC are young.
    const server = await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, env: { HAVEN_GC_MIN_AGE: '1h', HAVEN_JOBS_POLL_INTERVAL: '200' } });
    const auth = await authenticate(endpoint(server.url), server.admin!, benchProject, [pushRepo, seedRepo], cfg.havenAuth);
    const c: Client = { ep: endpoint(server.url), agent: keepAliveAgent(8), headers: await auth.headers() };
    const api: Client = { ep: endpoint(server.url), agent: keepAliveAgent(1), headers: { Authorization: `Basic ${Buffer.from(`${server.admin!.username}:${server.admin!.password}`).toString('base64')}` } };
    ctx.log(`  haven at ${server.url}, data ${server.dataDir}`);
    await seed(server, total, garbage, ctx.log);
    // The seed's dirty pages written back now, not during the measurements.
    settle();
    const clients = 4;
    const measureSeconds = 8;

    const baseline = pushLoad(c, clients, 'before');
    await new Promise((r) => setTimeout(r, measureSeconds * 1000));
    const before = await baseline.stop();
    const rssBefore = rssKiB(server.pid, 'VmRSS');

    const during = pushLoad(c, clients, 'during');
    const t0 = performance.now();
    const kick = await call(api.agent, api.ep, 'POST', '/api/v2.0/system/gc/schedule', {
      headers: { ...api.headers, 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ schedule: { type: 'Manual' }, parameters: { workers: 4 } })),
    });
    if (kick.status !== 201) throw new Error(`GC kick answered ${kick.status}: ${kick.body.toString()}`);
    const id = String(kick.headers.location).split('/').pop();
    let status = '';
    let peakRss = 0;
    while (!['Success', 'Error', 'Stopped'].includes(status)) {
      await new Promise((r) => setTimeout(r, 100));
      peakRss = Math.max(peakRss, rssKiB(server.pid, 'VmRSS'));
      const r = await call(api.agent, api.ep, 'GET', `/api/v2.0/system/gc/${id}`, { headers: api.headers });
      status = (JSON.parse(r.body.toString()) as { job_status: string }).job_status;
    }
    const gcSeconds = (performance.now() - t0) / 1000;
    const load = await during.stop();
    const logText = (await call(api.agent, api.ep, 'GET', `/api/v2.0/system/gc/${id}/log`, { headers: api.headers })).body.toString();
    if (status !== 'Success') throw new Error(`GC ended ${status}:\n${logText}`);
    const freed = /(\d+) blobs and (\d+) manifests are actually deleted/.exec(logText);
    if (Number(freed?.[1]) !== garbage) throw new Error(`GC deleted ${freed?.[1]} blobs, expected ${garbage}:\n${logText}`);
    for (const line of logText.trim().split('\n')) ctx.log(`    gc log: ${line}`);
    const hwm = rssKiB(server.pid, 'VmHWM');
    c.agent.destroy();
    api.agent.destroy();

    const rateBefore = before.images / before.seconds;
    const rateDuring = load.images / load.seconds;
    const slowdown = (1 - rateDuring / rateBefore) * 100;
    ctx.log(`  haven: GC over ${total.toLocaleString('en-US')} rows freed ${garbage.toLocaleString('en-US')} blobs in ${gcSeconds.toFixed(1)} s; RSS ${(rssBefore / 1024).toFixed(0)} MB before, peak ${(peakRss / 1024).toFixed(0)} MB during (lifetime peak ${(hwm / 1024).toFixed(0)} MB)`);
    ctx.log(`  haven: pushes ${fmt(rateBefore)} images/s before, ${fmt(rateDuring)} images/s during GC (${slowdown.toFixed(1)} % slower)`);
    const title = `10. Online GC over ${total.toLocaleString('en-US')} blob rows, ${garbage.toLocaleString('en-US')} unreferenced (filesystem), ${clients} clients pushing, Haven only`;
    const row = (metric: string, unit: string, value: number, maxValue: number, note = '', better: Row['better'] = 'lower'): Row => ({
      workload: 'gc',
      title,
      metric,
      unit,
      kind: 'time',
      better,
      values: { haven: value },
      maxValue,
      notes: note ? { haven: note } : {},
    });
    return [
      row('GC wall time', 's', gcSeconds, 60, `workers 4; ${garbage} blobs and their files deleted`),
      row('server peak RSS during GC', 'MB', peakRss / 1024, 300, `${(rssBefore / 1024).toFixed(0)} MB before; lifetime peak ${(hwm / 1024).toFixed(0)} MB`),
      row('push slowdown during GC', '%', slowdown, 20, `${fmt(rateBefore)} images/s before (${measureSeconds} s), ${fmt(rateDuring)} images/s during`),
    ];
  } finally {
    await cleanup.run();
  }
}
