// Harbor's artifact writes over HTTP, against real pushes: delete (with tags, accessories by
// subject and by cosign tag, and the index children nothing else keeps), tags (list, retag,
// delete), copy across projects (rights on both sides), additions and icons, and ids or names
// of another project used under a project's path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { chartArchive, pushChart, pushCosignSignature, pushImageWithHistory, pushIndex, pushReferrer } from './helpers/artifact-writes.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { asAdmin, pushBlob, pushImage, putManifest, sha256 } from './helpers/oci.js';

let h: RunningHaven;
useHaven({ projects: ['awa', 'awb', 'awhidden'] }, (x) => {
  h = x;
});
const api = (method: string, path: string, opts: Parameters<ReturnType<typeof apiClient>['api']>[2] = {}) => apiClient(h).api(method, path, opts);
const art = (repo: string, ref = '') => `/projects/${repo.split('/')[0]}/repositories/${encodeURIComponent(encodeURIComponent(repo.split('/').slice(1).join('/')))}/artifacts${ref ? `/${ref}` : ''}`;
const manifestStatus = async (repo: string, ref: string) =>
  (await fetch(`${h.url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } })).status;
const tagNames = async (repo: string, ref: string) => (await api('GET', `${art(repo, ref)}/tags?page_size=100`)).json?.map((t: { name: string }) => t.name).sort();

const dev: Creds = { username: 'awdev', password: 'Develop12345' };

describe('artifact writes', { timeout: 90_000 }, () => {
  test('retag: creates a tag on the artifact, refuses a taken name, lists and deletes tags', async () => {
    const { digest } = await pushImage(asAdmin(h), 'awa/app', 'v1', 1, 64);
    await pushImage(asAdmin(h), 'awa/app', 'other', 1, 64);
    const created = await api('POST', `${art('awa/app', 'v1')}/tags`, { body: { name: 'stable' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(await manifestStatus('awa/app', 'stable'), 200);
    const head = await fetch(`${h.url}/v2/awa/app/manifests/stable`, { method: 'HEAD', headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(head.headers.get('docker-content-digest'), digest);
    // Harbor does not move a tag that exists: 409, and "other" still names its artifact.
    const taken = await api('POST', `${art('awa/app', digest)}/tags`, { body: { name: 'other' } });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.json.errors[0].code, 'CONFLICT');
    assert.equal((await api('POST', `${art('awa/app', 'v1')}/tags`, { body: { name: 'bad tag!' } })).status, 400);
    assert.equal((await api('POST', `${art('awa/app', 'v1')}/tags`, { body: {} })).status, 400);
    assert.equal((await api('POST', `${art('awa/app', 'nosuch')}/tags`, { body: { name: 'x' } })).status, 404);
    // Two creates of one name at once, on two artifacts: one wins, the other is told; the tag never moves.
    const race = await Promise.all([
      api('POST', `${art('awa/app', 'v1')}/tags`, { body: { name: 'raced' } }),
      api('POST', `${art('awa/app', 'other')}/tags`, { body: { name: 'raced' } }),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);
    await api('DELETE', `${art('awa/app', 'raced')}/tags/raced`);

    const list = await api('GET', `${art('awa/app', digest)}/tags?sort=name`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.headers.get('x-total-count'), '2');
    assert.deepEqual(list.json.map((t: { name: string }) => t.name), ['stable', 'v1']);
    const t0 = list.json[0];
    assert.deepEqual(Object.keys(t0).sort(), ['artifact_id', 'id', 'immutable', 'name', 'pull_time', 'push_time', 'repository_id']);
    assert.equal(t0.pull_time, '0001-01-01T00:00:00.000Z');
    assert.equal(t0.immutable, false);
    const fuzzy = await api('GET', `${art('awa/app', digest)}/tags?q=${encodeURIComponent('name=~sta')}`);
    assert.deepEqual(fuzzy.json.map((t: { name: string }) => t.name), ['stable']);
    assert.equal((await api('GET', `${art('awa/app', digest)}/tags?q=${encodeURIComponent('secret=1')}`)).status, 400);

    // A tag of another artifact under this one's path is not found, and stays.
    assert.equal((await api('DELETE', `${art('awa/app', digest)}/tags/other`)).status, 404);
    assert.equal(await manifestStatus('awa/app', 'other'), 200);
    assert.equal((await api('DELETE', `${art('awa/app', digest)}/tags/stable`)).status, 200);
    assert.equal(await manifestStatus('awa/app', 'stable'), 404);
    assert.equal(await manifestStatus('awa/app', 'v1'), 200);
  });

  test('delete takes its tags, its accessories (subject and cosign tag) and the index children nothing else keeps', async () => {
    const reg = asAdmin(h);
    const index = await pushIndex(reg, 'awa/multi', 'v1');
    const indexSize = Buffer.byteLength(await (await fetch(`${h.url}/v2/awa/multi/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.index.v1+json' } })).text());
    await api('POST', `${art('awa/multi', 'v1')}/tags`, { body: { name: 'latest' } });
    const sbom = await pushReferrer(reg, 'awa/multi', { digest: index.digest, size: indexSize }, 'application/spdx+json');
    const sig = await pushCosignSignature(reg, 'awa/multi', index.digest);
    const childSig = await pushCosignSignature(reg, 'awa/multi', index.children[0] as string);
    // A child that is also tagged stays: something else keeps it.
    const kept = index.children[1] as string;
    await api('POST', `${art('awa/multi', kept)}/tags`, { body: { name: 'arm64' } });
    // Something else in the repository survives, so the repository does too.
    await pushImage(reg, 'awa/multi', 'unrelated', 1, 64);

    // A child still listed by the index cannot be deleted on its own (Harbor's 412).
    const child = await api('DELETE', art('awa/multi', index.children[0]));
    assert.equal(child.status, 412, child.text);

    const del = await api('DELETE', art('awa/multi', 'v1'));
    assert.equal(del.status, 200, del.text);
    for (const ref of ['v1', 'latest', index.digest, sbom, sig, `${index.digest.replace(':', '-')}.sig`, index.children[0] as string, childSig]) {
      assert.equal(await manifestStatus('awa/multi', ref), 404, `${ref} should be gone`);
    }
    assert.equal(await manifestStatus('awa/multi', kept), 200);
    assert.equal(await manifestStatus('awa/multi', 'unrelated'), 200);
    assert.equal((await api('DELETE', art('awa/multi', 'v1'))).status, 404);
  });

  test('the /v2 delete by digest takes the accessories too', async () => {
    const reg = asAdmin(h);
    const img = await pushImage(reg, 'awa/signed', 'v1', 1, 64);
    const sbom = await pushReferrer(reg, 'awa/signed', { digest: img.digest, size: img.manifest.length }, 'application/vnd.cyclonedx+json');
    const sig = await pushCosignSignature(reg, 'awa/signed', img.digest);
    await pushImage(reg, 'awa/signed', 'keep', 1, 64);
    const r = await fetch(`${h.url}/v2/awa/signed/manifests/${img.digest}`, { method: 'DELETE', headers: h.asAdmin });
    assert.equal(r.status, 202);
    assert.equal(await manifestStatus('awa/signed', sbom), 404);
    assert.equal(await manifestStatus('awa/signed', sig), 404);
    assert.equal(await manifestStatus('awa/signed', 'keep'), 200);
  });

  test('an ordinary image that merely wears a cosign-style tag is no accessory: it survives the delete', async () => {
    const reg = asAdmin(h);
    const img = await pushImage(reg, 'awa/lookalike', 'v1', 1, 64);
    const plain = await pushImage(reg, 'awa/lookalike', 'prod', 1, 64);
    assert.equal((await putManifest(reg, 'awa/lookalike', `${img.digest.replace(':', '-')}.sig`, plain.manifest)).status, 201);
    assert.equal((await api('DELETE', art('awa/lookalike', 'v1'))).status, 200);
    assert.equal(await manifestStatus('awa/lookalike', 'prod'), 200);
    assert.equal(await manifestStatus('awa/lookalike', plain.digest), 200);
  });

  test('the repository goes with its last artifact', async () => {
    await pushImage(asAdmin(h), 'awa/lonely', 'v1', 1, 64);
    assert.equal((await api('DELETE', art('awa/lonely', 'v1'))).status, 200);
    assert.equal((await api('GET', '/projects/awa/repositories/lonely')).status, 404);
  });

  test('copy across projects: an index with its children, blob links and tags; Location; rights on both sides', async () => {
    const reg = asAdmin(h);
    const index = await pushIndex(reg, 'awa/src', 'v1');
    const childSig = await pushCosignSignature(reg, 'awa/src', index.children[1] as string);
    const copy = await api('POST', `${art('awb/dst')}?from=${encodeURIComponent('awa/src:v1')}`);
    assert.equal(copy.status, 201, copy.text);
    assert.equal(copy.headers.get('location'), `/api/v2.0${art('awb/dst')}/v1`);
    assert.equal(await manifestStatus('awb/dst', 'v1'), 200);
    for (const c of index.children) assert.equal(await manifestStatus('awb/dst', c), 200);
    // A child's cosign signature comes along, tag included.
    assert.equal(await manifestStatus('awb/dst', childSig), 200);
    assert.equal(await manifestStatus('awb/dst', `${(index.children[1] as string).replace(':', '-')}.sig`), 200);
    // The blobs are readable in the target repository (links copied).
    const childManifest = await (await fetch(`${h.url}/v2/awb/dst/manifests/${index.children[0]}`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).json();
    for (const l of [childManifest.config, ...childManifest.layers]) {
      assert.equal((await fetch(`${h.url}/v2/awb/dst/blobs/${l.digest}`, { headers: h.asAdmin })).status, 200);
    }
    // By digest too; copying again is idempotent.
    const byDigest = await api('POST', `${art('awb/dst2')}?from=${encodeURIComponent(`awa/src@${index.digest}`)}`);
    assert.equal(byDigest.status, 201, byDigest.text);
    assert.equal((await api('POST', `${art('awb/dst2')}?from=${encodeURIComponent(`awa/src@${index.digest}`)}`)).status, 201);
    assert.equal(await manifestStatus('awb/dst2', index.digest), 200);
    assert.deepEqual(await tagNames('awb/dst2', index.digest), ['v1']);
    // name:tag@digest: the digest counts, as in Harbor's reference grammar.
    assert.equal((await api('POST', `${art('awb/dst3')}?from=${encodeURIComponent(`awa/src:ignored@${index.digest}`)}`)).status, 201);
    assert.equal(await manifestStatus('awb/dst3', index.digest), 200);

    for (const from of ['awa/src', 'src:v1', 'awa/src@sha256:abc', 'awa/src:bad tag', '']) {
      const r = await api('POST', `${art('awb/x')}?from=${encodeURIComponent(from)}`);
      assert.equal(r.status, 400, `${from}: ${r.text}`);
    }
    assert.equal((await api('POST', art('awb/x'))).status, 400);
    assert.equal((await api('POST', `${art('awb/x')}?from=${encodeURIComponent('awa/src:nosuch')}`)).status, 404);

    // A developer of awb who cannot see awhidden: the source is "not found", exactly like a missing one.
    await pushImage(reg, 'awhidden/secret', 'v1', 1, 64);
    assert.equal((await api('POST', '/users', { body: { username: dev.username, password: dev.password, email: 'd@example.com' } })).status, 201);
    assert.equal((await api('POST', '/projects/awb/members', { body: { role_id: 2, member_user: { username: dev.username } } })).status, 201);
    assert.equal((await api('POST', '/projects/awa/members', { body: { role_id: 3, member_user: { username: dev.username } } })).status, 201);
    const hidden = await api('POST', `${art('awb/stolen')}?from=${encodeURIComponent('awhidden/secret:v1')}`, { as: dev });
    const missing = await api('POST', `${art('awb/stolen')}?from=${encodeURIComponent('awnone/secret:v1')}`, { as: dev });
    assert.equal(hidden.status, 404, hidden.text);
    assert.equal(missing.status, 404);
    assert.equal(hidden.text.replace('awhidden', 'awnone'), missing.text);
    assert.equal(await manifestStatus('awb/stolen', 'v1'), 404);
    // Into a project they may not push to (guest of awa): 403, nothing copied.
    const noPush = await api('POST', `${art('awa/mine')}?from=${encodeURIComponent('awb/dst:v1')}`, { as: dev });
    assert.equal(noPush.status, 403, noPush.text);
    assert.equal(await manifestStatus('awa/mine', 'v1'), 404);
    // From a project they read (guest of awa) into one they push to (developer of awb): allowed.
    const ok = await api('POST', `${art('awb/fromguest')}?from=${encodeURIComponent('awa/src:v1')}`, { as: dev });
    assert.equal(ok.status, 201, ok.text);
    // An accessory is not copied on its own (Harbor's rule).
    const img = await pushImage(reg, 'awa/acc', 'v1', 1, 64);
    const sbom = await pushReferrer(reg, 'awa/acc', { digest: img.digest, size: img.manifest.length }, 'application/spdx+json');
    assert.equal((await api('POST', `${art('awb/acc')}?from=${encodeURIComponent(`awa/acc@${sbom}`)}`)).status, 403);
    // Nor is a cosign signature, an accessory by its tag.
    const cosign = await pushCosignSignature(reg, 'awa/acc', img.digest);
    assert.equal((await api('POST', `${art('awb/acc')}?from=${encodeURIComponent(`awa/acc@${cosign}`)}`)).status, 403);
    // The artifact is copied with its accessory.
    assert.equal((await api('POST', `${art('awb/acc')}?from=${encodeURIComponent('awa/acc:v1')}`)).status, 201);
    assert.equal(await manifestStatus('awb/acc', sbom), 200);
  });

  test('additions: build history of an image, readme, values and dependencies of a chart', async () => {
    const reg = asAdmin(h);
    const history = [
      { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in /' },
      { created: '2024-01-02T00:00:00Z', created_by: '/bin/sh -c #(nop) CMD ["sh"]', empty_layer: true },
    ];
    await pushImageWithHistory(reg, 'awa/hist', 'v1', history);
    const bh = await api('GET', `${art('awa/hist', 'v1')}/additions/build_history`);
    assert.equal(bh.status, 200, bh.text);
    assert.match(bh.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(bh.json, history);
    assert.equal((await api('GET', `${art('awa/hist', 'v1')}/additions/readme.md`)).status, 400);
    assert.equal((await api('GET', `${art('awa/hist', 'v1')}/additions/nonsense`)).status, 400);
    // No scanner yet: Harbor's vulnerabilities addition lists no report.
    const vulns = await api('GET', `${art('awa/hist', 'v1')}/additions/vulnerabilities`);
    assert.equal(vulns.status, 200, vulns.text);
    assert.deepEqual(vulns.json, {});
    assert.equal((await api('GET', `${art('awa/hist', 'nosuch')}/additions/vulnerabilities`)).status, 404);

    const readme = '# My chart\n<b>bold</b>\n';
    const values = 'replicaCount: 1\nimage:\n  repository: nginx\n';
    const chartYaml = 'apiVersion: v2\nname: mychart\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 17.0.0\n    repository: https://charts.example.com\n';
    const tgz = chartArchive('mychart', { 'Chart.yaml': chartYaml, 'values.yaml': values, 'README.md': readme, 'templates/README.md': 'not this one' });
    await pushChart(reg, 'awa/chart', '0.1.0', tgz, { name: 'mychart', version: '0.1.0', apiVersion: 'v2' });
    const r = await api('GET', `${art('awa/chart', '0.1.0')}/additions/readme.md`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, readme);
    assert.match(r.headers.get('content-type') ?? '', /text\/markdown/);
    const v = await api('GET', `${art('awa/chart', '0.1.0')}/additions/values.yaml`);
    assert.equal(v.text, values);
    const d = await api('GET', `${art('awa/chart', '0.1.0')}/additions/dependencies`);
    assert.deepEqual(d.json, [{ name: 'redis', version: '17.0.0', repository: 'https://charts.example.com' }]);
    assert.equal((await api('GET', `${art('awa/chart', '0.1.0')}/additions/build_history`)).status, 400);
    // Another project's artifact under this project's path is not found.
    assert.equal((await api('GET', `/projects/awb/repositories/chart/artifacts/0.1.0/additions/readme.md`)).status, 404);
  });

  test("additions never read a blob the artifact's push did not check: another project's config or chart stays unread", async () => {
    const reg = asAdmin(h);
    const secretHistory = [{ created: '2024-01-01T00:00:00Z', created_by: 'RUN echo TOPSECRET' }];
    await pushImageWithHistory(reg, 'awhidden/app', 'v1', secretHistory);
    const victim = JSON.parse(await (await fetch(`${h.url}/v2/awhidden/app/manifests/v1`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).text());
    const secretValues = 'password: TOPSECRET\n';
    await pushChart(reg, 'awhidden/chart', '1.0.0', chartArchive('c', { 'Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n', 'values.yaml': secretValues }), { name: 'c', version: '1.0.0' });
    const victimChart = JSON.parse(await (await fetch(`${h.url}/v2/awhidden/chart/manifests/1.0.0`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).text());

    // An index carrying an extra "config" field that names the victim's config.
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [], config: victim.config }));
    assert.equal((await putManifest(reg, 'awb/evil', 'h', index, 'application/vnd.oci.image.index.v1+json')).status, 201);
    const bh = await api('GET', `${art('awb/evil', 'h')}/additions/build_history`);
    assert.equal(bh.status, 400, bh.text);
    assert.doesNotMatch(bh.text, /TOPSECRET/);

    // A chart whose content layer is declared non-distributable, so the push never checked it.
    const cfg = Buffer.from('{"name":"evil","version":"1.0.0"}');
    await pushBlob(reg, 'awb/evil', cfg);
    const forged = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: sha256(cfg), size: cfg.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', digest: victimChart.layers[0].digest, size: 1 }],
      }),
    );
    assert.equal((await putManifest(reg, 'awb/evil', 'c', forged)).status, 201);
    const values = await api('GET', `${art('awb/evil', 'c')}/additions/values.yaml`);
    assert.equal(values.status, 404, values.text);
    assert.doesNotMatch(values.text, /TOPSECRET/);
  });

  test('icons: Harbor\'s built-in digests answer a PNG, anything else 404', async () => {
    const r = await api('GET', '/icons/sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json['content-type'], 'image/png');
    const png = Buffer.from(r.json.content, 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.equal(png.readUInt32BE(16), 50);
    assert.equal((await api('GET', '/icons/sha256:0000000000000000000000000000000000000000000000000000000000000000')).status, 404);
  });

  test('an artifact\'s own icon layer is served to those who may read the artifact, as Harbor annotates it', async () => {
    const reg = asAdmin(h);
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a tiny png')]);
    const notImage = Buffer.from('<svg onload="alert(1)"></svg>');
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
    for (const b of [png, notImage, cfg]) await pushBlob(reg, 'awhidden/iconic', b);
    const iconLayer = (b: Buffer) => ({ mediaType: 'image/png', digest: sha256(b), size: b.length, annotations: { 'io.goharbor.artifact.v1alpha1.icon': '' } });
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
        layers: [iconLayer(png), iconLayer(notImage)],
      }),
    );
    assert.equal((await putManifest(reg, 'awhidden/iconic', 'v1', m)).status, 201);
    const r = await api('GET', `/icons/${sha256(png)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json['content-type'], 'image/png');
    assert.ok(Buffer.from(r.json.content, 'base64').equals(png));
    // Not an image: never served, whatever the annotation says.
    assert.equal((await api('GET', `/icons/${sha256(notImage)}`)).status, 404);
    // A caller who cannot see the project gets the answer of a missing icon.
    const hidden = await api('GET', `/icons/${sha256(png)}`, { as: dev });
    const missing = await api('GET', `/icons/sha256:${'1'.repeat(64)}`, { as: dev });
    assert.equal(hidden.status, 404);
    assert.equal(hidden.text.replace(sha256(png), 'X'), missing.text.replace(`sha256:${'1'.repeat(64)}`, 'X'));
    assert.equal((await api('GET', `/icons/${sha256(png)}`, { as: null })).status, 404);
  });

  test('names and digests of another project under a project\'s path change nothing', async () => {
    const { digest } = await pushImage(asAdmin(h), 'awb/victim', 'v1', 1, 64);
    assert.equal((await api('DELETE', `/projects/awa/repositories/victim/artifacts/${digest}`)).status, 404);
    assert.equal((await api('POST', '/projects/awa/repositories/victim/artifacts/v1/tags', { body: { name: 'x' } })).status, 404);
    assert.equal((await api('DELETE', '/projects/awa/repositories/victim/artifacts/v1/tags/v1')).status, 404);
    assert.equal((await api('GET', '/projects/awa/repositories/victim/artifacts/v1/tags')).status, 404);
    assert.equal(await manifestStatus('awb/victim', 'v1'), 200);
    assert.deepEqual(await tagNames('awb/victim', 'v1'), ['v1']);
  });
});
