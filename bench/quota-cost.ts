/**
 * 8. What storage quota accounting adds to a manifest PUT (issue 9: under 1 ms): the `quota`
 * workload of `npm run bench` (Haven only: distribution has no quotas), or on its own with
 * `node --import tsx bench/quota-cost.ts [manifests]` for the full table.
 *
 * On a real database file (WAL, synchronous=FULL, as the server opens it) with a project already
 * holding `prefill` images, each new image manifest is inserted with its references the way
 * manifests.put does it, in one transaction, and chargeManifest is timed inside that transaction.
 * Half of each image's layers are shared with earlier images (their ledger rows are updated, not
 * inserted). The same is measured with an unlimited and a limited quota (the conditional UPDATE),
 * and, for comparison, the whole transaction with and without the charge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { migrateToLatest, openSqlite, type Db } from '../src/db/database.js';
import { createProjectStore } from '../src/db/projects.js';
import { chargeManifest, releaseManifests } from '../src/db/quota-ledger.js';
import { ensureRepository } from '../src/db/repositories.js';
import { createUserStore } from '../src/db/users.js';
import { digestOf } from '../src/platform/digest.js';

const prefill = 3000;

let serial = 0;
const blob = (n: number) => ({ digest: digestOf(`blob ${n}`), size: 1000 + (n % 5000) });

async function insertImage(tx: Db, repositoryId: number, layers: Array<{ digest: string; size: number }>, now: number): Promise<number> {
  for (const l of layers) {
    await tx.insertInto('blobs').values({ digest: l.digest, size: l.size, created_at: now }).onConflict((oc) => oc.column('digest').doNothing()).execute();
  }
  const content = Buffer.from(JSON.stringify({ layers: layers.map((l) => l.digest), n: serial++ }));
  const { id } = await tx
    .insertInto('manifests')
    .values({ repository_id: repositoryId, digest: digestOf(content), media_type: 'application/vnd.oci.image.manifest.v1+json', artifact_type: null, subject_digest: null, annotations: null, size: content.length, content, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.insertInto('manifest_references').values(layers.map((l) => ({ manifest_id: id, digest: l.digest, kind: 'blob' as const }))).execute();
  return id;
}

/** Per-manifest times (ms): the charge alone, and the whole transaction. */
async function measure(db: Db, repositoryId: number, charge: boolean, n: number): Promise<{ charge: number[]; tx: number[] }> {
  const out = { charge: [] as number[], tx: [] as number[] };
  for (let i = 0; i < n; i++) {
    const k = serial;
    // Config + 4 layers: two new, two shared with earlier images.
    const layers = [blob(1e9 + k), blob(2e9 + k), blob(3e9 + k), blob(k % 50), blob(100 + (k % 500))];
    const t0 = performance.now();
    await db.transaction().execute(async (tx) => {
      const now = Date.now();
      const id = await insertImage(tx, repositoryId, layers, now);
      if (charge) {
        const c0 = performance.now();
        await chargeManifest(tx, repositoryId, id, now);
        out.charge.push(performance.now() - c0);
      }
    });
    out.tx.push(performance.now() - t0);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(3)} ms`;

export interface QuotaCost {
  ledgerRows: number;
  cases: Array<{ name: string; charge: number[]; tx: number[] }>;
  release: number[];
}

export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

/** Prefills two projects, then times `count` manifests of each case, interleaved, and as many releases. */
export async function measureQuotaCost(count: number): Promise<QuotaCost> {
  const dir = mkdtempSync(join(tmpdir(), 'haven-quota-bench-'));
  const handle = openSqlite(join(dir, 'haven.db'));
  try {
    await migrateToLatest(handle);
    const db = handle.db;
    const owner = await createUserStore(db).create({ username: 'o', email: null, realname: '', comment: '', passwordHash: 'x', sysadmin: false });
    const projects = createProjectStore(db);
    await projects.createWithAdmin('open', owner, false, {});
    await projects.createWithAdmin('capped', owner, false, {}, Date.now(), 1e15);
    const repositoryId = await db.transaction().execute((tx) => ensureRepository(tx, 'open/app'));
    const cappedRepositoryId = await db.transaction().execute((tx) => ensureRepository(tx, 'capped/app'));
    const prefillStart = performance.now();
    await measure(db, repositoryId, true, prefill);
    await measure(db, cappedRepositoryId, true, prefill);
    const ledgerRows = Number((await db.selectFrom('project_blobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    console.log(`prefill: ${prefill} images in each of 2 projects, ${ledgerRows} ledger rows, ${((performance.now() - prefillStart) / 1000).toFixed(1)} s`);

    // Interleaved, one manifest of each case in turn, so database growth and disk noise hit all alike.
    const cases: Array<[string, number, boolean]> = [
      ['no charge (baseline transaction)', repositoryId, false],
      ['unlimited quota', repositoryId, true],
      ['limited quota (conditional UPDATE)', cappedRepositoryId, true],
    ];
    const rows = cases.map(([name]) => [name, { charge: [] as number[], tx: [] as number[] }] as const);
    for (let i = 0; i < count; i++) {
      for (const [k, [, repo, charge]] of cases.entries()) {
        const r = await measure(db, repo, charge, 1);
        rows[k]![1].charge.push(...r.charge);
        rows[k]![1].tx.push(...r.tx);
      }
    }

    // Release: one image at a time, as a delete by digest does.
    const ids = (await db.selectFrom('manifests').select('id').orderBy('id', 'desc').limit(count).execute()).map((r) => r.id);
    const rel: number[] = [];
    for (const id of ids) {
      await db.transaction().execute(async (tx) => {
        const r0 = performance.now();
        await releaseManifests(tx, repositoryId, [id], Date.now());
        rel.push(performance.now() - r0);
        await tx.deleteFrom('manifests').where('id', '=', id).execute();
      });
    }
    return { ledgerRows, cases: rows.map(([name, r]) => ({ name, ...r })), release: rel };
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const count = Number(process.argv[2] ?? 2000);
  const r = await measureQuotaCost(count);
  console.log(`\n| Case (${count} manifests each) | chargeManifest p50 | p99 | mean | whole transaction p50 | mean |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const c of r.cases) {
    const charge = c.charge.length > 0 ? [ms(pct(c.charge, 50)), ms(pct(c.charge, 99)), ms(mean(c.charge))] : ['–', '–', '–'];
    console.log(`| ${c.name} | ${charge.join(' | ')} | ${ms(pct(c.tx, 50))} | ${ms(mean(c.tx))} |`);
  }
  console.log(`| releaseManifests (one image per delete) | ${ms(pct(r.release, 50))} | ${ms(pct(r.release, 99))} | ${ms(mean(r.release))} | – | – |`);
}
