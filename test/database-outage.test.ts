// @haven-own-database: chooses its own databases, so the PostgreSQL pass of npm test skips it.
// Losing PostgreSQL (issue 10, bad input): a wrong database.url stops start-up naming the setting;
// a database that goes away at run time gives clients a quick 503 in their protocol's format,
// never a hang, and Haven recovers by itself when it returns, with every acknowledged push intact.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { startPostgres, type PostgresServer } from './backends/postgres.js';
import { eventually } from './helpers/eventually.js';
import { havenBin, startHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

let cluster: PostgresServer;
let h: RunningHaven;

before(async () => {
  cluster = await startPostgres();
  h = await startHaven({ env: { HAVEN_DATABASE_URL: await cluster.createDatabase('outage') }, projects: ['p'] });
});

after(async () => {
  await h?.cleanup();
  await cluster?.stop();
});

test('a database.url that cannot be used stops start-up with one line naming the setting', () => {
  for (const url of ['postgres://haven:secret@127.0.0.1:1/haven', 'postgres://postgres@127.0.0.1:1/x']) {
    const r = spawnSync(process.execPath, [havenBin, 'serve', '--listen', '127.0.0.1:0', '--data-dir', `/tmp/haven-outage-${process.pid}`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HAVEN_CONFIG: '/dev/null', HAVEN_DATABASE_URL: url },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^haven: database\.url: cannot use PostgreSQL at postgres:\/\/.*127\.0\.0\.1:1\/.*ECONNREFUSED/m);
    assert.doesNotMatch(r.stderr, /secret/, 'the password is not printed');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const bad = spawnSync(process.execPath, [havenBin, 'serve', '--database-url', 'mysql://x'], { encoding: 'utf8', env: { ...process.env, HAVEN_CONFIG: '/dev/null' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /database\.url.*postgres:\/\//);
});

test('while the database is down, clients get a 503 at once (OCI and Harbor errors), and it all comes back by itself', async () => {
  const reg = asAdmin(h);
  const image = await pushImage(reg, 'p/app', 'v1');
  cluster.pause!();
  try {
    const t0 = Date.now();
    const manifest = await fetch(`${h.url}/v2/p/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(manifest.status, 503);
    assert.equal(manifest.headers.get('retry-after'), '5');
    assert.equal(((await manifest.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNAVAILABLE');
    const api = await h.adminFetch(`${h.url}/api/v2.0/projects`);
    assert.equal(api.status, 503);
    assert.deepEqual(await api.json(), { errors: [{ code: 'SERVICE_UNAVAILABLE', message: 'the database is unavailable; try again shortly' }] });
    const push = await fetch(`${h.url}/v2/p/app/blobs/uploads/`, { method: 'POST', headers: h.asAdmin });
    assert.equal(push.status, 503);
    assert.ok(Date.now() - t0 < 20_000, `answered in ${Date.now() - t0} ms`);
    const health = await fetch(`${h.url}/api/v2.0/health`);
    const components = ((await health.json()) as { components: Array<{ name: string; status: string }> }).components;
    assert.equal(components.find((c) => c.name === 'database')?.status, 'unhealthy');
  } finally {
    cluster.resume!();
  }
  await eventually(async () => {
    const r = await fetch(`${h.url}/v2/p/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-content-digest'), image.digest);
  }, { timeoutMs: 20_000 });
  await pushImage(reg, 'p/app', 'v2');
  const tags = await fetch(`${h.url}/v2/p/app/tags/list`, { headers: h.asAdmin });
  assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1', 'v2']);
});

test('a database restart under load fails the requests in flight with 503, and the process lives on', async () => {
  const reg = asAdmin(h);
  await pushImage(reg, 'p/busy', 'v1');
  let stop = false;
  const statuses = new Map<number, number>();
  const loop = async (i: number) => {
    while (!stop) {
      // Pushes open transactions (serializable, several statements); GETs are single queries.
      const r =
        i % 2 === 0
          ? await fetch(`${h.url}/v2/p/busy/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } }).catch(() => null)
          : await pushImage(reg, 'p/busy', `t${i}`).then(() => ({ status: 201, arrayBuffer: async () => null }), () => ({ status: 503, arrayBuffer: async () => null }));
      if (r) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        await r.arrayBuffer();
      }
    }
  };
  const loops = Array.from({ length: 8 }, (_, i) => loop(i));
  await new Promise((r) => setTimeout(r, 500));
  cluster.pause!();
  await new Promise((r) => setTimeout(r, 300));
  cluster.resume!();
  await new Promise((r) => setTimeout(r, 1500));
  stop = true;
  await Promise.all(loops);
  assert.equal(h.proc.exitCode, null, `Haven died: ${h.output().slice(-2000)}`);
  assert.deepEqual([...statuses.keys()].filter((s) => ![200, 201, 503].includes(s)), [], JSON.stringify([...statuses]));
  await eventually(async () => {
    const r = await fetch(`${h.url}/v2/p/busy/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(r.status, 200);
  });
});
