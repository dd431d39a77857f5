/**
 * 6. Haven only: /search over 100,000 repositories (issue 9: p50 under 50 ms). A fresh Haven's
 * database is seeded directly (SQL through better-sqlite3 beside the running server, WAL): 100
 * projects (every other one public) of 1,000 repositories each, one artifact per repository.
 * Then sequential GET /search requests, as the administrator (sees everything) and as a user who
 * is a member of ten private projects (the visibility filter), each for a term that matches
 * every repository (the page stops at the first 100 in name order), one that also matches every
 * project (100 projects with their details too), and one that matches a single repository
 * (every name is scanned).
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { call, endpoint, expectStatus, keepAliveAgent } from './http.js';
import { Cleanup, startHaven } from './servers.js';
import { fmt, type Row, type WorkloadContext } from './workloads.js';

const repoRoot = resolve(import.meta.dirname, '..');
const projects = 100;
const user = { username: 'searcher', password: 'Searcher12345' };

/** Inserts the projects, repositories and manifests in one transaction (a few seconds). */
async function seed(dbFile: string, repositories: number): Promise<void> {
  // Loaded only when seeding, so the workloads before this one run without it (see bench/quota.ts).
  const { default: SQLite } = await import('better-sqlite3');
  const db = new SQLite(dbFile);
  try {
    db.pragma('busy_timeout = 10000');
    const now = Date.now();
    const owner = (db.prepare("select id from users where username = 'admin'").get() as { id: number }).id;
    const searcher = (db.prepare('select id from users where username = ?').get(user.username) as { id: number }).id;
    const addProject = db.prepare('insert into projects (name, owner_id, public, metadata, created_at, updated_at) values (?, ?, ?, ?, ?, ?) returning id');
    const addMember = db.prepare('insert into project_members (project_id, user_id, role_id, created_at, updated_at) values (?, ?, ?, ?, ?)');
    const addRepo = db.prepare('insert into repositories (name, project_id, created_at, updated_at) values (?, ?, ?, ?) returning id');
    const addManifest = db.prepare(
      'insert into manifests (repository_id, digest, media_type, size, content, created_at, config_media_type, artifact_kind, total_size, pushed_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const content = Buffer.from('{"schemaVersion":2}');
    db.transaction(() => {
      const perProject = Math.ceil(repositories / projects);
      let made = 0;
      for (let p = 0; p < projects && made < repositories; p++) {
        const { id } = addProject.get(`search-${String(p).padStart(3, '0')}`, owner, p % 2, '{}', now, now) as { id: number };
        addMember.run(id, owner, 1, now, now);
        if (p % 2 === 0 && p < 20) addMember.run(id, searcher, 3, now, now);
        for (let r = 0; r < perProject && made < repositories; r++, made++) {
          const name = `search-${String(p).padStart(3, '0')}/team-${r % 10}/service-${String(r).padStart(4, '0')}`;
          const repo = (addRepo.get(name, id, now, now) as { id: number }).id;
          const digest = `sha256:${createHash('sha256').update(name).digest('hex')}`;
          addManifest.run(repo, digest, 'application/vnd.oci.image.manifest.v1+json', content.length, content, now, 'application/vnd.oci.image.config.v1+json', 'IMAGE', content.length, now);
        }
      }
    })();
  } finally {
    db.close();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

export async function searchLoad(ctx: WorkloadContext): Promise<Row[]> {
  const { cfg } = ctx;
  if (!cfg.targets.includes('haven')) return [];
  const repositories = Number(process.env.BENCH_SEARCH_REPOS ?? 100_000);
  const requests = Number(process.env.BENCH_SEARCH_REQUESTS ?? (cfg.quick ? 100 : 300));
  const cleanup = new Cleanup();
  cleanup.keepDirs = cfg.keep;
  const agent = keepAliveAgent(1);
  try {
    const server = await startHaven({ repoRoot, nodeArgs: cfg.havenNodeArgs, cleanup });
    const ep = endpoint(server.url);
    const basic = (c: { username: string; password: string }) => ({ Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` });
    const admin = basic(server.admin!);
    await expectStatus(agent, ep, 'POST', '/api/v2.0/users', 201, {
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ ...user, email: 'searcher@example.com' })),
    });
    const t0 = performance.now();
    await seed(join(server.dataDir, 'haven.db'), repositories);
    ctx.log(`  haven: seeded ${repositories.toLocaleString('en-US')} repositories in ${projects} projects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const measure = async (who: string, headers: Record<string, string>, term: string) => {
      const path = `/api/v2.0/search?q=${encodeURIComponent(term)}`;
      let found = 0;
      for (let i = 0; i < 5; i++) await call(agent, ep, 'GET', path, { headers }); // warm-up
      const times: number[] = [];
      for (let i = 0; i < requests; i++) {
        const start = performance.now();
        const r = await expectStatus(agent, ep, 'GET', path, 200, { headers });
        times.push(performance.now() - start);
        if (i === 0) found = (JSON.parse(r.body.toString('utf8')) as { repository: unknown[] }).repository.length;
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p99 = percentile(times, 99);
      ctx.log(`  haven: search "${term}" as ${who}: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ${found} repositories answered`);
      return { p50, p99, found };
    };
    const title = `7. /search over ${repositories.toLocaleString('en-US')} repositories (${projects} projects), ${requests} sequential requests each, Haven only`;
    const rows: Row[] = [];
    for (const [who, headers] of [
      ['the administrator', admin],
      ['a member of 10 private projects', basic(user)],
    ] as const) {
      for (const [what, term] of [
        ['a term in every name (first 100 answered)', 'service'],
        ['a term in every project and repository name (100 of each answered)', 'search-'],
        ['a term in one name (all names scanned)', 'search-043/team-7/service-0427'],
      ] as const) {
        const m = await measure(who, headers, term);
        rows.push({
          workload: 'search',
          title,
          metric: `p50 latency, as ${who}, ${what}`,
          unit: 'ms',
          kind: 'latency',
          better: 'lower',
          values: { haven: m.p50 },
          maxValue: 50,
          notes: { haven: `p99 ${fmt(m.p99)} ms; ${m.found} repositories in the answer` },
        });
      }
    }
    return rows;
  } finally {
    agent.destroy();
    await cleanup.run();
  }
}
