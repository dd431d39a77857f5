// Check-then-act under concurrency: each pair of writes that could both pass their check races
// many times over real HTTP; afterwards exactly one of them may have won.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { apiClient } from './helpers/api-client.js';
import { asAdmin, descriptor, imageManifest, json, mediaType, ociError, pushBlob, pushImage, putManifest, randomBlob, sha256, type Registry } from './helpers/oci.js';

let haven: RunningHaven;
let base: string;
/** Registry races between writers who may all write: every request is the admin's. */
let reg: Registry;
let fetch: typeof globalThis.fetch;

useHaven({ projects: ['race'] }, (h) => {
  haven = h;
  base = h.url;
  reg = asAdmin(h);
  fetch = h.adminFetch;
});

const rounds = 20;

async function outcome(r: Response): Promise<string> {
  if (r.status < 300) {
    await r.arrayBuffer();
    return String(r.status);
  }
  return `${r.status} ${await ociError(r)}`;
}

/**
 * Fires `pushes` manifest PUTs with one DELETE in their midst and checks the only consistent
 * outcomes: the DELETE refused (409) and every PUT through, or the DELETE through (202) and
 * every PUT refused (404 MANIFEST_BLOB_UNKNOWN). Several PUTs widen the window in which a
 * check-then-act delete could interleave with them.
 */
async function race(round: number, pushes: Array<() => Promise<Response>>, del: () => Promise<Response>): Promise<string> {
  const half = Math.floor(pushes.length / 2);
  const results = await Promise.all([...pushes.slice(0, half).map((p) => p().then(outcome)), del().then(outcome), ...pushes.slice(half).map((p) => p().then(outcome))]);
  const deleted = results.splice(half, 1)[0]!;
  const summary = `DELETE ${deleted}, PUTs ${[...new Set(results)].join(',')}`;
  const ok =
    (deleted === '409 DENIED' && results.every((r) => r === '201')) ||
    (deleted === '202' && results.every((r) => r === '404 MANIFEST_BLOB_UNKNOWN'));
  assert.ok(ok, `round ${round}: ${summary}`);
  return summary;
}

describe('registry deletes racing pushes', () => {
  test('indexes pushed while their child is deleted: never both succeed', async () => {
    const repo = 'race/index';
    // Another tagged image keeps the repository alive between rounds.
    await pushImage(reg, repo, 'anchor', 1);
    const seen = new Set<string>();
    for (let i = 0; i < rounds; i++) {
      const child = await pushImage(reg, repo, `child-${i}`, 1);
      await fetch(`${base}/v2/${repo}/manifests/child-${i}`, { method: 'DELETE' });
      const index = json({ schemaVersion: 2, mediaType: mediaType.ociIndex, manifests: [descriptor(mediaType.ociManifest, child.manifest)] });
      const pushes = Array.from({ length: 6 }, (_, k) => () => putManifest(reg, repo, `index-${i}-${k}`, index, mediaType.ociIndex));
      const summary = await race(i, pushes, () => fetch(`${base}/v2/${repo}/manifests/${child.digest}`, { method: 'DELETE' }));
      seen.add(summary);
      // What the registry now holds agrees with who won.
      const idx = await fetch(`${base}/v2/${repo}/manifests/index-${i}-0`, { headers: { Accept: mediaType.ociIndex } });
      const kid = await fetch(`${base}/v2/${repo}/manifests/${child.digest}`, { headers: { Accept: mediaType.ociManifest } });
      await Promise.all([idx.arrayBuffer(), kid.arrayBuffer()]);
      assert.deepEqual([idx.status, kid.status], summary.startsWith('DELETE 409') ? [200, 200] : [404, 404], `round ${i}`);
    }
    console.log(`outcomes: ${[...seen].join('; ')}`);
  });

  test('manifests pushed while one of their layers is deleted: never both succeed', async () => {
    const repo = 'race/blob';
    await pushImage(reg, repo, 'anchor', 1);
    const seen = new Set<string>();
    for (let i = 0; i < rounds; i++) {
      const config = randomBlob(64);
      const layer = randomBlob(512);
      await pushBlob(reg, repo, config.bytes);
      await pushBlob(reg, repo, layer.bytes);
      const manifest = imageManifest(config, [layer]);
      const pushes = Array.from({ length: 6 }, (_, k) => () => putManifest(reg, repo, `img-${i}-${k}`, manifest));
      const summary = await race(i, pushes, () => fetch(`${base}/v2/${repo}/blobs/${layer.digest}`, { method: 'DELETE' }));
      seen.add(summary);
      const blob = await fetch(`${base}/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' });
      const man = await fetch(`${base}/v2/${repo}/manifests/${sha256(manifest)}`, { method: 'HEAD' });
      assert.deepEqual([man.status, blob.status], summary.startsWith('DELETE 409') ? [200, 200] : [404, 404], `round ${i}`);
    }
    console.log(`outcomes: ${[...seen].join('; ')}`);
  });
});

describe('identity creates racing each other', () => {
  test('10 concurrent creates of one project: one 201, the others 409, and the project has its admin', async () => {
    const api = apiClient(haven);
    for (let round = 0; round < 3; round++) {
      const name = `race-project-${round}`;
      const replies = await Promise.all(Array.from({ length: 10 }, () => api.api('POST', '/projects', { body: { project_name: name } })));
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, ...Array(9).fill(409)], replies.map((r) => `${r.status} ${r.text}`).join('\n'));
      const members = await api.api('GET', `/projects/${name}/members`, { headers: { 'X-Is-Resource-Name': 'true' } });
      assert.equal(members.status, 200);
      assert.deepEqual(members.json.map((m: { entity_name: string; role_id: number }) => [m.entity_name, m.role_id]), [['admin', 1]]);
      const listed = await api.api('GET', `/projects?name=${name}`);
      assert.equal(listed.json.length, 1);
    }
  });

  test('10 concurrent creates of one user: one 201, the others 409, one row', async () => {
    const api = apiClient(haven);
    const body = { username: 'race-user', password: 'Passw0rdRace', email: 'race@example.com', realname: 'Race' };
    const replies = await Promise.all(Array.from({ length: 10 }, () => api.api('POST', '/users', { body })));
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)], replies.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of replies.filter((x) => x.status === 409)) assert.equal(r.json.errors[0].code, 'CONFLICT');
    const found = await api.api('GET', '/users?q=username%3Drace-user');
    assert.equal(found.json.length, 1);
  });
});
