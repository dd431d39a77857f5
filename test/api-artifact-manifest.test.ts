// GET .../artifacts/{reference}/manifest, Haven's own read for the portal's artifact detail: the
// manifest's bytes as pushed, by digest or tag, under the same access rules as getArtifact.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiClient } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';

describe('artifact manifest read', () => {
  let h: RunningHaven;
  useHaven({ projects: ['mfa', 'mfb'] }, (x) => {
    h = x;
  });
  const outsider = { username: 'mf-outsider', password: 'Outsider12345' };
  const guest = { username: 'mf-guest', password: 'Guest12345678' };

  test('the bytes as pushed, by digest and by tag, with the digest header; guests read, outsiders get 404', async () => {
    const c = apiClient(h);
    const img = await pushImage(asAdmin(h), 'mfa/team/app', 'v1');
    for (const u of [outsider, guest]) assert.equal((await c.api('POST', '/users', { body: { ...u, email: `${u.username}@example.com` } })).status, 201);
    assert.equal((await c.api('POST', '/projects/mfa/members', { body: { role_id: 3, member_user: { username: guest.username } } })).status, 201);

    for (const ref of [img.digest, 'v1']) {
      const r = await c.api('GET', `/projects/mfa/repositories/team%252Fapp/artifacts/${encodeURIComponent(ref)}/manifest`, { as: guest });
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.headers.get('docker-content-digest'), img.digest);
      assert.equal(r.text, img.manifest.toString('utf8'));
    }
    // A private project the caller is not in is answered as a missing one.
    const hidden = await c.api('GET', `/projects/mfa/repositories/team%252Fapp/artifacts/${img.digest}/manifest`, { as: outsider });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.json.errors[0].message, 'project mfa not found');
    // Anonymous, as getArtifact answers it: the private project is not there.
    assert.equal((await c.api('GET', `/projects/mfa/repositories/team%252Fapp/artifacts/${img.digest}/manifest`, { as: null })).status, 404);
  });

  test("an artifact of project B under project A's path is not found; unknown and malformed references are refused", async () => {
    const c = apiClient(h);
    const b = await pushImage(asAdmin(h), 'mfb/app', 'v1');
    await pushImage(asAdmin(h), 'mfa/app', 'v2');
    const cross = await c.api('GET', `/projects/mfa/repositories/app/artifacts/${b.digest}/manifest`);
    assert.equal(cross.status, 404, cross.text);
    assert.equal(cross.json.errors[0].code, 'NOT_FOUND');
    assert.equal((await c.api('GET', '/projects/mfa/repositories/app/artifacts/nope/manifest')).status, 404);
    assert.equal((await c.api('GET', '/projects/mfa/repositories/app/artifacts/sha256:zz/manifest')).status, 400);
  });
});
