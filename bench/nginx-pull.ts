/**
 * 9. The large layer pulled through Debian's nginx (test/backends/nginx.ts, the configuration of
 * deploy/nginx) in front of Haven, without and with storage.filesystem.accelRedirect, against
 * distribution serving it directly. With accelRedirect Haven only checks the request and names
 * the file; nginx sends it with sendfile, which Node cannot do. distribution runs behind the same
 * nginx (as in production) for the judged comparison, and directly for the notes. Clients: the
 * hashing node client and curl to /dev/null. The server CPU of a "through nginx" phase is the
 * registry's plus nginx's (master and workers).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nginxBin, nginxInstalled, startNginx, type RunningNginx } from '../test/backends/nginx.js';
import { authenticate } from './auth.js';
import { processCpuSeconds } from './cpu.js';
import { SyntheticBlob } from './data.js';
import { endpoint, keepAliveAgent } from './http.js';
import { pullCounted, pullVerified, pullWithCurl, pushMonolithic, type Client } from './oci.js';
import { Cleanup, startHaven, type RunningServer } from './servers.js';
import { benchProject, fmt, phase, settle, type Row, type WorkloadContext } from './workloads.js';

const repoRoot = resolve(import.meta.dirname, '..');
const repo = `${benchProject}/nginx`;
const accelPrefix = '/_haven_blobs/';
const MB = 1e6;

/** nginx's master and its workers (the workers do the sending). */
export function nginxCpuSeconds(nginx: RunningNginx): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone: counts as nothing
  }
  return [nginx.pid, ...children].reduce((n, pid) => n + (processCpuSeconds(pid) || 0), 0);
}

interface Setup {
  label: string;
  /** What phase() times and charges CPU to. */
  server: RunningServer;
  client: (sockets: number) => Promise<Client>;
}

export async function nginxPull(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  const haven = ctx.servers.find((s) => s.kind === 'haven');
  const distribution = ctx.servers.find((s) => s.kind === 'distribution');
  if (!haven) return [];
  if (!nginxInstalled()) {
    ctx.log(`  skipped: ${nginxBin} is not installed (Debian's nginx package)`);
    return [];
  }
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;
  const nginxes: RunningNginx[] = [];
  const blob = new SyntheticBlob(ctx.data.pool, 'nginx-pull', cfg.bigBlobBytes);
  void blob.digest;
  try {
    // Haven with accelRedirect: its own instance (a direct GET there answers without a body).
    const accelHaven = await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup, args: ['--storage-filesystem-accel-redirect', accelPrefix, '--trust-proxy', 'loopback'] });
    const viaNginx = async (target: RunningServer, accel: boolean): Promise<Setup> => {
      const nginx = await startNginx({
        upstreams: [new URL(target.url).host],
        workers: ctx.cores,
        ...(accel ? { accel: { prefix: accelPrefix, storageDir: join(target.dataDir, 'storage') } } : {}),
      });
      nginxes.push(nginx);
      // Through nginx from the start, so the token realm is nginx's address, as for real clients.
      const auth = await authenticate(endpoint(nginx.url), target.admin!, benchProject, [repo], cfg.havenAuth);
      const label = `Haven through nginx, ${accel ? 'accelRedirect' : 'no accelRedirect'}`;
      ctx.log(`  ${label}: nginx ${nginx.url} -> ${target.url}`);
      return {
        label,
        server: { ...target, cpuSeconds: () => target.cpuSeconds() + nginxCpuSeconds(nginx) },
        client: async (sockets) => ({ ep: endpoint(nginx.url), agent: keepAliveAgent(sockets), headers: await auth.headers() }),
      };
    };
    const setups = [await viaNginx(haven, false), await viaNginx(accelHaven, true)];
    if (distribution) {
      // distribution behind the same nginx, as it runs in production (TLS and balancing in front):
      // the comparison the targets are judged on; distribution direct is shown beside it.
      const nginx = await startNginx({ upstreams: [new URL(distribution.url).host], workers: ctx.cores });
      nginxes.push(nginx);
      setups.push({
        label: 'distribution through nginx',
        server: { ...distribution, cpuSeconds: () => distribution.cpuSeconds() + nginxCpuSeconds(nginx) },
        client: async (sockets) => ({ ep: endpoint(nginx.url), agent: keepAliveAgent(sockets), headers: await distribution.auth.headers() }),
      });
      setups.push({
        label: 'distribution, direct',
        server: distribution,
        client: async (sockets) => ({ ep: endpoint(distribution.url), agent: keepAliveAgent(sockets), headers: await distribution.auth.headers() }),
      });
    }
    for (const s of setups) {
      const c = await s.client(1);
      try {
        await pushMonolithic(c, repo, blob);
      } finally {
        c.agent.destroy();
      }
    }

    // Two per core: enough to keep both cores busy sending while each curl waits on its socket.
    const curlClients = ctx.cores * 2;
    const best = new Map<string, { single: number; parallel: number; raw: number; cpu: number; curl1: number; curlN: number }>();
    for (let round = 0; round < cfg.repeats; round++) {
      const order = round % 2 === 0 ? setups : [...setups].reverse();
      for (const s of order) {
        const one = await s.client(1);
        const many = await s.client(cfg.pullClients);
        try {
          const tag = cfg.repeats > 1 ? ` #${round + 1}` : '';
          settle();
          const single = await phase(ctx, s.server, 'nginx', `${s.label}: pull, 1 client${tag}`, () => pullVerified(one, repo, blob.digest, blob.size));
          let cpu = ctx.phases[ctx.phases.length - 1]!.serverCpuSeconds;
          settle();
          const parallel = await phase(ctx, s.server, 'nginx', `${s.label}: pull, ${cfg.pullClients} clients${tag}`, () =>
            Promise.all(Array.from({ length: cfg.pullClients }, () => pullVerified(many, repo, blob.digest, blob.size))),
          );
          // Over both phases: more bytes than one pull, so /proc's 10 ms ticks do not round it away.
          cpu += ctx.phases[ctx.phases.length - 1]!.serverCpuSeconds;
          // The verifying client is the ceiling on this box; counting bytes only shows what the
          // server side can send.
          settle();
          const raw = await phase(ctx, s.server, 'nginx', `${s.label}: pull, 1 client, unhashed${tag}`, () => pullCounted(one, repo, blob.digest, blob.size));
          // curl to /dev/null: the lightest client, so the server side, not the client, is measured.
          settle();
          const curl1 = await phase(ctx, s.server, 'nginx', `${s.label}: pull, 1 curl${tag}`, () => pullWithCurl(one, repo, blob.digest, blob.size, 1));
          settle();
          const curlN = await phase(ctx, s.server, 'nginx', `${s.label}: pull, ${curlClients} curls${tag}`, () => pullWithCurl(one, repo, blob.digest, blob.size, curlClients));
          const r = {
            curl1: blob.size / MB / curl1.seconds,
            curlN: (curlClients * blob.size) / MB / curlN.seconds,
            single: blob.size / MB / single.seconds,
            parallel: (cfg.pullClients * blob.size) / MB / parallel.seconds,
            raw: blob.size / MB / raw.seconds,
            cpu: cpu / (((1 + cfg.pullClients) * blob.size) / 1024 ** 3),
          };
          ctx.log(`  ${s.label}: 1 client ${fmt(r.single)} MB/s (server ${fmt(r.cpu)} CPU-s/GiB), ${cfg.pullClients} clients ${fmt(r.parallel)} MB/s, unhashed ${fmt(r.raw)} MB/s, curl ${fmt(r.curl1)} MB/s, ${curlClients} curls ${fmt(r.curlN)} MB/s`);
          const prev = best.get(s.label);
          best.set(s.label, {
            single: Math.max(prev?.single ?? 0, r.single),
            parallel: Math.max(prev?.parallel ?? 0, r.parallel),
            raw: Math.max(prev?.raw ?? 0, r.raw),
            cpu: Math.min(prev?.cpu ?? Infinity, r.cpu),
            curl1: Math.max(prev?.curl1 ?? 0, r.curl1),
            curlN: Math.max(prev?.curlN ?? 0, r.curlN),
          });
        } finally {
          one.agent.destroy();
          many.agent.destroy();
        }
      }
    }

    const title = `9. Pull the ${Math.round(blob.size / 1024 / 1024)} MiB layer through nginx (distribution through the same nginx; direct in the notes)`;
    const dist = best.get('distribution through nginx');
    const direct = best.get('distribution, direct');
    const rows: Row[] = [];
    for (const accel of [true, false]) {
      const h = best.get(`Haven through nginx, ${accel ? 'accelRedirect' : 'no accelRedirect'}`)!;
      const name = accel ? 'accelRedirect (nginx sends the file)' : 'no accelRedirect (Haven streams through nginx)';
      for (const which of ['curl1', 'curlN'] as const) {
        rows.push({
          workload: 'nginx',
          title,
          metric: `${name}, ${which === 'curl1' ? '1 curl client' : `${curlClients} concurrent curl clients, aggregate`} (to /dev/null; Docker-Content-Digest and size checked)`,
          unit: 'MB/s',
          kind: 'throughput',
          better: 'higher',
          values: { haven: h[which], ...(dist ? { distribution: dist[which] } : {}) },
          // Judged here: with a client that costs little, what the servers can send shows.
          ...(accel ? { targetRatio: 1.5 } : { informational: true }),
          notes: direct ? { distribution: `direct, without nginx: ${fmt(direct[which])} MB/s` } : {},
        });
      }
      for (const which of ['single', 'parallel'] as const) {
        rows.push({
          workload: 'nginx',
          title,
          metric: `${name}, ${which === 'single' ? '1 client' : `${cfg.pullClients} concurrent clients, aggregate`}`,
          unit: 'MB/s',
          kind: 'throughput',
          better: 'higher',
          values: { haven: h[which], ...(dist ? { distribution: dist[which] } : {}) },
          // Not judged: the verifying client (sha256 on one node thread) is the limit here, for
          // both registries (see the verifying-client ceiling under Machine limits).
          informational: true,
          notes: which === 'single' ? { haven: `server CPU (Haven + nginx) ${fmt(h.cpu)} s/GiB`, ...(dist ? { distribution: `server CPU (distribution + nginx) ${fmt(dist.cpu)} s/GiB${direct ? `; direct ${fmt(direct.cpu)} s/GiB` : ''}` } : {}) } : {},
        });
      }
    }
    const accel = best.get('Haven through nginx, accelRedirect')!;
    const plain = best.get('Haven through nginx, no accelRedirect')!;
    rows.push(
      {
        workload: 'nginx',
        title,
        metric: `accelRedirect, server CPU per GiB pulled (1 and ${cfg.pullClients} clients; Haven + nginx)`,
        unit: 'CPU-s/GiB',
        kind: 'time',
        better: 'lower',
        values: { haven: accel.cpu, ...(dist ? { distribution: dist.cpu } : {}) },
        targetRatio: 1.5,
        notes: { haven: `without accelRedirect ${fmt(plain.cpu)} CPU-s/GiB`, ...(direct ? { distribution: `direct, without nginx: ${fmt(direct.cpu)} CPU-s/GiB` } : {}) },
      },
      {
        workload: 'nginx',
        title,
        metric: 'diagnostic: accelRedirect, 1 client counting bytes only, not hashing',
        unit: 'MB/s',
        kind: 'throughput',
        better: 'higher',
        values: { haven: accel.raw, ...(dist ? { distribution: dist.raw } : {}) },
        informational: true,
        notes: { haven: `without accelRedirect ${fmt(plain.raw)} MB/s`, ...(direct ? { distribution: `direct, without nginx: ${fmt(direct.raw)} MB/s` } : {}) },
      },
    );
    return rows;
  } finally {
    for (const n of nginxes) await n.stop();
    await cleanup.run();
  }
}
