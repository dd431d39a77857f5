// Harbor's artifact reads over HTTP: what a push records (type, size, extra_attrs, references,
// accessories), the list's q/sort/paging, and who may see what (private projects, other
// projects' ids). Pushes go through /v2 exactly as clients send them.
import { havenSql } from './helpers/haven-db.js';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { apiClient, type Creds } from './helpers/api-client.js';
import { chartYaml, cosignTag, helmChart, imageParts, ociConfig, pushIndex, pushManifest, referrerParts, type Pushed } from './helpers/artifacts.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { eventually } from './helpers/eventually.js';
import { asAdmin, putManifest, type Registry } from './helpers/oci.js';

let h: RunningHaven;
let reg: Registry;
let client: ReturnType<typeof apiClient>;
useHaven({ projects: ['arta', 'artb', 'artsecret'] }, (x) => {
  h = x;
  reg = asAdmin(h);
  client = apiClient(h);
});
const api = (path: string, as?: Creds | null) => client.api('GET', path, as === undefined ? {} : { as });
const list = (repo: string, qs = '') => api(`/projects/arta/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts${qs}`);

describe('artifacts of images and indexes', () => {
  let amd: Pushed;
  let arm: Pushed;
  let index: Pushed;
  before(async () => {
    amd = await pushManifest(reg, 'arta/multi', null, imageParts({ architecture: 'amd64', author: 'Ann <ann@example.com>', layers: 2 }));
    arm = await pushManifest(reg, 'arta/multi', null, imageParts({ architecture: 'arm64', layers: 1 }));
    index = await pushIndex(reg, 'arta/multi', 'v1', [
      { ...amd, platform: { architecture: 'amd64', os: 'linux' } },
      { ...arm, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
    ]);
  });

  test('an index is one IMAGE artifact, sized with its children, its references carrying their platforms', async () => {
    const r = await list('multi');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-total-count'), '1');
    assert.equal(r.json.length, 1, 'untagged children are not listed');
    const a = r.json[0];
    assert.equal(a.digest, index.digest);
    assert.equal(a.type, 'IMAGE');
    assert.equal(a.manifest_media_type, 'application/vnd.oci.image.index.v1+json');
    assert.equal(a.media_type, 'application/vnd.oci.image.index.v1+json');
    assert.equal(a.size, index.manifest.length + amd.totalSize + arm.totalSize);
    assert.equal(a.repository_name, 'arta/multi');
    assert.deepEqual(a.tags.map((t: { name: string }) => t.name), ['v1']);
    assert.equal(a.tags[0].immutable, false);
    assert.equal(a.tags[0].artifact_id, a.id);
    assert.equal(a.pull_time, '0001-01-01T00:00:00.000Z');
    assert.ok(Date.parse(a.push_time) > Date.now() - 60_000);
    assert.deepEqual(
      a.references.map((x: { child_digest: string; platform: unknown }) => [x.child_digest, x.platform]),
      [
        [amd.digest, { architecture: 'amd64', os: 'linux' }],
        [arm.digest, { architecture: 'arm64', os: 'linux', variant: 'v8' }],
      ],
    );
    assert.ok(a.references.every((x: { child_id: number; parent_id: number }) => x.child_id > 0 && x.parent_id === a.id));
    assert.equal(a.extra_attrs, undefined);
    assert.equal(a.labels, null);
    assert.equal(a.accessories, null);
  });

  test('each child is an IMAGE with its size and the architecture, os and author of its config', async () => {
    const r = await api(`/projects/arta/repositories/multi/artifacts/${amd.digest}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.type, 'IMAGE');
    assert.equal(r.json.media_type, ociConfig);
    assert.equal(r.json.size, amd.totalSize);
    assert.equal(r.json.extra_attrs.architecture, 'amd64');
    assert.equal(r.json.extra_attrs.os, 'linux');
    assert.equal(r.json.extra_attrs.author, 'Ann <ann@example.com>');
    assert.equal(r.json.extra_attrs.created, '2024-05-06T07:08:09Z');
    assert.deepEqual(r.json.extra_attrs.config.Env, ['A=1']);
    assert.equal(r.json.tags, null);
    assert.equal(r.json.references, null);
    assert.deepEqual(Object.keys(r.json.addition_links), ['build_history']);
    assert.equal(r.json.addition_links.build_history.href, `/api/v2.0/projects/arta/repositories/multi/artifacts/${amd.digest}/additions/build_history`);
    const byTag = await api('/projects/arta/repositories/multi/artifacts/v1');
    assert.equal(byTag.json.digest, index.digest);
    const all = await list('multi', '?q=base%3D*');
    assert.equal(all.headers.get('x-total-count'), '3', 'base=* lists the children too, never accessories');
  });

  test("a signature on the index is inherited by its children (with_inherited_accessory)", async () => {
    const sig = await pushManifest(reg, 'arta/multi', null, {
      ...referrerParts('application/vnd.cncf.notary.signature', 'application/jose+json', Buffer.from('{"sig":"index"}'), index),
      subject: { digest: index.digest, size: index.manifest.length, mediaType: 'application/vnd.oci.image.index.v1+json' },
    });
    const child = await api(`/projects/arta/repositories/multi/artifacts/${arm.digest}?with_inherited_accessory=true&with_accessory=true`);
    assert.equal(child.status, 200, child.text);
    assert.equal(child.json.accessories, null, 'the child itself has none');
    assert.equal(child.json.inherited_accessories.length, 1);
    assert.equal(child.json.inherited_accessories[0].digest, sig.digest);
    assert.equal(child.json.inherited_accessories[0].subject_artifact_digest, index.digest);
    assert.equal(child.json.inherited_accessories[0].type, 'signature.notation');
    const without = await api(`/projects/arta/repositories/multi/artifacts/${arm.digest}`);
    assert.equal(without.json.inherited_accessories, undefined);
    const top = await list('multi', '?with_accessory=true');
    assert.equal(top.json.length, 1, 'the signature is not listed');
    assert.deepEqual(top.json[0].accessories.map((a: { digest: string }) => a.digest), [sig.digest]);
  });

  test('a missing reference is 404 in Harbor JSON; a repository with none lists nothing', async () => {
    const r = await api('/projects/arta/repositories/multi/artifacts/nope');
    assert.equal(r.status, 404);
    assert.equal(r.json.errors[0].code, 'NOT_FOUND');
    const d = await api(`/projects/arta/repositories/multi/artifacts/sha256:${'0'.repeat(64)}`);
    assert.equal(d.status, 404);
    const none = await list('nothing-here');
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, []);
  });
});

describe('configs that say nothing', () => {
  test('a config that is not JSON, or is over 1 MiB, leaves extra_attrs out and the push works', async () => {
    const junk = await pushManifest(reg, 'arta/odd', 'junk', { config: Buffer.from('not json at all'), configMediaType: ociConfig, layers: [] });
    const big = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', pad: 'x'.repeat(1024 * 1024 + 10) }));
    const large = await pushManifest(reg, 'arta/odd', 'large', { config: big, configMediaType: ociConfig, layers: [] });
    for (const [tag, p] of [['junk', junk], ['large', large]] as const) {
      const r = await api(`/projects/arta/repositories/odd/artifacts/${tag}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.type, 'IMAGE');
      assert.equal(r.json.size, p.totalSize);
      assert.equal(r.json.extra_attrs, undefined, tag);
    }
    const unknown = await pushManifest(reg, 'arta/odd', 'unknown', { config: Buffer.from('{"a":1}'), configMediaType: 'application/x-custom', layers: [] });
    const u = await api('/projects/arta/repositories/odd/artifacts/unknown');
    assert.equal(u.json.digest, unknown.digest);
    assert.equal(u.json.type, 'UNKNOWN');
    assert.equal(u.json.icon, 'sha256:da834479c923584f4cbcdecc0dac61f32bef1d51e8aae598cf16bd154efab49f');
    assert.equal(u.json.extra_attrs, undefined);
    assert.equal(u.json.addition_links, undefined);
  });
});

describe('a Helm chart', () => {
  test('pushed with Helm media types is a CHART with the attributes of its Chart.yaml', async () => {
    const chart = helmChart();
    const p = await pushManifest(reg, 'arta/charts/demo-chart', '1.2.3', chart.parts);
    const r = await list('charts/demo-chart');
    assert.equal(r.status, 200, r.text);
    const a = r.json[0];
    assert.equal(a.digest, p.digest);
    assert.equal(a.type, 'CHART');
    assert.equal(a.media_type, 'application/vnd.cncf.helm.config.v1+json');
    assert.equal(a.size, p.totalSize);
    for (const k of ['name', 'version', 'appVersion', 'description'] as const) assert.equal(a.extra_attrs[k], chartYaml[k], k);
    assert.deepEqual(a.extra_attrs.keywords, ['haven', 'test']);
    assert.deepEqual(Object.keys(a.addition_links).sort(), ['dependencies', 'readme.md', 'values.yaml']);
    assert.match(a.addition_links['readme.md'].href, /\/repositories\/charts%252Fdemo-chart\/artifacts\//);
    // Single-encoded works too.
    const single = await api(`/projects/arta/repositories/${encodeURIComponent('charts/demo-chart')}/artifacts/1.2.3`);
    assert.equal(single.status, 200, single.text);
    assert.equal(single.json.type, 'CHART');
  });
});

describe('a CNAB bundle', () => {
  test("is a CNAB whose extra_attrs are its bundle.json, read from the config manifest's config", async () => {
    const bundle = { schemaVersion: 'v1.0.0', name: 'hello-bundle', version: '0.1.0', description: 'a CNAB bundle' };
    const configManifest = await pushManifest(reg, 'arta/bundle', null, { config: Buffer.from(JSON.stringify(bundle)), configMediaType: 'application/vnd.cnab.config.v1+json', layers: [] });
    const invocation = await pushManifest(reg, 'arta/bundle', null, imageParts({ nonce: 'invocation' }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: configManifest.digest, size: configManifest.manifest.length, annotations: { 'io.cnab.manifest.type': 'config' } },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: invocation.digest, size: invocation.manifest.length, annotations: { 'io.cnab.manifest.type': 'invocation' } },
        ],
        annotations: { 'io.cnab.runtime_version': 'v1.0.0', 'org.opencontainers.artifactType': 'application/vnd.cnab.manifest.v1' },
      }),
    );
    const r = await putManifest(reg, 'arta/bundle', '0.1.0', manifest, 'application/vnd.oci.image.index.v1+json');
    assert.equal(r.status, 201, await r.text());
    const a = await api('/projects/arta/repositories/bundle/artifacts/0.1.0');
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.type, 'CNAB');
    assert.equal(a.json.media_type, 'application/vnd.cnab.manifest.v1');
    assert.deepEqual(a.json.extra_attrs, bundle);
    assert.equal(a.json.size, manifest.length + configManifest.totalSize + invocation.totalSize);
    assert.equal(a.json.icon, 'sha256:089bdda265c14d8686111402c8ad629e8177a1ceb7dcd0f7f39b6480f623b3bd');
    assert.deepEqual(a.json.references.map((x: { annotations: Record<string, string> }) => x.annotations['io.cnab.manifest.type']), ['config', 'invocation']);
  });
});

describe('accessories', () => {
  let subject: Pushed;
  const acc: Record<string, Pushed> = {};
  before(async () => {
    subject = await pushManifest(reg, 'arta/signed', 'v1', imageParts({ nonce: 'signed' }));
    acc.notation = await pushManifest(reg, 'arta/signed', null, referrerParts('application/vnd.cncf.notary.signature', 'application/jose+json', Buffer.from('{"sig":1}'), subject));
    acc.spdx = await pushManifest(reg, 'arta/signed', null, referrerParts('application/spdx+json', 'application/spdx+json', Buffer.from('{"spdxVersion":"SPDX-2.3"}'), subject));
    // cosign's classic signature: an image config and a simplesigning layer, under sha256-<hex>.sig.
    acc.cosignSig = await pushManifest(reg, 'arta/signed', cosignTag(subject.digest, 'sig'), {
      config: Buffer.from('{"architecture":"","os":""}'),
      configMediaType: ociConfig,
      layers: [{ bytes: Buffer.from('{"critical":{}}'), mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', annotations: { 'dev.cosignproject.cosign/signature': 'MEUC' } }],
    });
    // cosign attach sbom: the SBOM as the only layer, under sha256-<hex>.sbom.
    acc.cosignSbom = await pushManifest(reg, 'arta/signed', cosignTag(subject.digest, 'sbom'), {
      config: Buffer.from('{"architecture":"","os":"","sbom":1}'),
      configMediaType: ociConfig,
      layers: [{ bytes: Buffer.from('SPDXVersion: SPDX-2.2\n'), mediaType: 'text/spdx' }],
    });
  });

  test('are hidden from the list, and shown on their subject with with_accessory', async () => {
    const plain = await list('signed');
    assert.equal(plain.status, 200, plain.text);
    assert.deepEqual(plain.json.map((a: { digest: string }) => a.digest), [subject.digest]);
    assert.equal(plain.json[0].accessories, null, 'only with with_accessory');
    const r = await list('signed', '?with_accessory=true');
    const accs = r.json[0].accessories as Array<Record<string, unknown>>;
    const byDigest = new Map(accs.map((a) => [a.digest, a]));
    assert.equal(accs.length, 4);
    assert.equal(byDigest.get(acc.notation!.digest)?.type, 'signature.notation');
    assert.equal(byDigest.get(acc.spdx!.digest)?.type, 'subject.accessory');
    assert.equal(byDigest.get(acc.cosignSig!.digest)?.type, 'signature.cosign');
    assert.equal(byDigest.get(acc.cosignSbom!.digest)?.type, 'sbom.cosign');
    const n = byDigest.get(acc.notation!.digest)!;
    assert.equal(n.subject_artifact_digest, subject.digest);
    assert.equal(n.subject_artifact_repo, 'arta/signed');
    assert.equal(n.subject_artifact_id, r.json[0].id);
    assert.equal(n.size, acc.notation!.totalSize);
    assert.equal(n.id, n.artifact_id);
  });

  test('listAccessories pages and filters them; each is an artifact of its own type', async () => {
    const base = `/projects/arta/repositories/signed/artifacts/${subject.digest}/accessories`;
    const all = await api(base);
    assert.equal(all.status, 200, all.text);
    assert.equal(all.headers.get('x-total-count'), '4');
    const page = await api(`${base}?page_size=3`);
    assert.equal(page.json.length, 3);
    assert.match(page.headers.get('link') ?? '', /rel="next"/);
    const sigs = await api(`${base}?q=${encodeURIComponent('type={signature.cosign signature.notation}')}`);
    assert.deepEqual(sigs.json.map((a: { type: string }) => a.type).sort(), ['signature.cosign', 'signature.notation']);
    const byTag = await api('/projects/arta/repositories/signed/artifacts/v1/accessories');
    assert.equal(byTag.headers.get('x-total-count'), '4');
    const bad = await api(`${base}?q=owner%3Dme`);
    assert.equal(bad.status, 400);

    const types = async (d: string) => (await api(`/projects/arta/repositories/signed/artifacts/${d}`)).json.type;
    assert.equal(await types(acc.notation!.digest), 'SIGNATURE');
    assert.equal(await types(acc.cosignSig!.digest), 'SIGNATURE');
    assert.equal(await types(acc.spdx!.digest), 'SBOM');
    assert.equal(await types(acc.cosignSbom!.digest), 'SBOM');
  });

  test('a plain image under a cosign-looking tag is no accessory', async () => {
    const other = await pushManifest(reg, 'arta/signed', null, imageParts({ nonce: 'other' }));
    const plain = await pushManifest(reg, 'arta/signed', cosignTag(other.digest, 'att'), imageParts({ nonce: 'not-an-attestation' }));
    const r = await list('signed', '?with_accessory=true');
    assert.ok(r.json.some((a: { digest: string }) => a.digest === plain.digest), 'listed as an artifact');
  });
});

describe('q, sort and paging', () => {
  const pushed: Pushed[] = [];
  before(async () => {
    for (let i = 1; i <= 5; i++) pushed.push(await pushManifest(reg, 'arta/many', `t${i}`, imageParts({ nonce: `many-${i}`, layers: i })));
    pushed.push(await pushManifest(reg, 'arta/many', null, imageParts({ nonce: 'untagged' })));
    await pushManifest(reg, 'arta/many', 'chart', helmChart().parts);
  });
  const digests = (r: { json: Array<{ digest: string }> }) => r.json.map((a) => a.digest);

  test('newest first by default, pages with X-Total-Count and Link', async () => {
    const r = await list('many', '?page_size=2');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-total-count'), '7');
    assert.equal(r.json.length, 2);
    assert.match(r.headers.get('link') ?? '', /[?&]page=2\b[^>]*>; rel="next"/);
    const p4 = await list('many', '?page=4&page_size=2');
    assert.equal(p4.json.length, 1);
    const asc = await list('many', '?sort=push_time,id&page_size=3');
    assert.deepEqual(digests(asc), pushed.slice(0, 3).map((p) => p.digest));
    const bySize = await list('many', '?sort=-size&q=type%3DIMAGE&page_size=1');
    assert.equal(bySize.json[0].digest, pushed[4]!.digest);
  });

  test('q on tags, type, digest and media_type', async () => {
    const q = async (expr: string) => list('many', `?q=${encodeURIComponent(expr)}&page_size=100`);
    assert.deepEqual(digests(await q('tags=t3')), [pushed[2]!.digest]);
    assert.equal((await q('tags=~t')).json.length, 6, 't1..t5 and chart');
    assert.equal((await q('tags=~t3')).json.length, 1);
    assert.deepEqual(digests(await q('tags=nil')), [pushed[5]!.digest]);
    assert.equal((await q('tags=*')).json.length, 6);
    assert.deepEqual((await q('type=CHART')).json.map((a: { type: string }) => a.type), ['CHART']);
    assert.equal((await q('type={IMAGE CHART}')).json.length, 7);
    assert.deepEqual(digests(await q(`digest=${pushed[1]!.digest}`)), [pushed[1]!.digest]);
    assert.equal((await q('media_type=application/vnd.cncf.helm.config.v1+json')).json.length, 1);
    assert.equal((await q('tags=t1,type=CHART')).json.length, 0);
    // Values are bound, never SQL: a quote or a LIKE wildcard matches only itself.
    assert.equal((await q("tags=~'%")).json.length, 0);
    assert.equal((await q("tags=x' or '1'='1")).json.length, 0);
  });

  test('a bad q or sort is a 400 in Harbor JSON', async () => {
    for (const qs of ['?q=owner%3Dme', '?sort=name', '?q=labels%3D(abc)', '?q=tags%3D%5Ba~b%5D', '?q=base%3Dall', '?q=push_time%3Dyesterday', '?page_size=1000', '?with_tag=maybe&q=nokey']) {
      const r = await list('many', qs);
      assert.equal(r.status, 400, `${qs}: ${r.text}`);
      assert.equal(r.json.errors[0].code, 'BAD_REQUEST', qs);
    }
    const ok = await list('many', `?q=${encodeURIComponent('push_time=[2000-01-01 00:00:00~2999-01-01 00:00:00]')}`);
    assert.equal(ok.headers.get('x-total-count'), '7');
    const none = await list('many', `?q=${encodeURIComponent('push_time=[~2000-01-01 00:00:00]')}`);
    assert.equal(none.headers.get('x-total-count'), '0');
  });

  test('with_tag=false leaves tags out', async () => {
    const r = await list('many', '?with_tag=false&page_size=1');
    assert.equal(r.json[0].tags, null);
  });
});

describe('labels', () => {
  // The labels API is another area's; here the rows it writes are made directly, to see them read.
  const ids: Record<string, number> = {};
  let one: Pushed;
  let both: Pushed;
  before(async () => {
    one = await pushManifest(reg, 'arta/labelled', 'one', imageParts({ nonce: 'one' }));
    both = await pushManifest(reg, 'arta/labelled', 'both', imageParts({ nonce: 'both' }));
    await pushManifest(reg, 'arta/labelled', 'none', imageParts({ nonce: 'none' }));
    const now = Date.now();
    const one1 = async <R>(text: string, params: unknown[]) => (await havenSql<R>(h, text, params)).rows[0]!;
    const project = await one1<{ id: number }>('SELECT id FROM projects WHERE name = ?', ['arta']);
    const label = (...v: unknown[]) =>
      one1<{ id: number }>('INSERT INTO labels (name, description, color, scope, project_id, scope_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id', v);
    ids.global = Number((await label('<b>release</b>', 'global one', '#00FF00', 'g', null, 'g', now, now)).id);
    ids.project = Number((await label('qa', '', '', 'p', project.id, `p:${project.id}`, now, now)).id);
    const manifestId = async (d: string) => (await one1<{ id: number }>('SELECT id FROM manifests WHERE digest = ?', [d])).id;
    const attach = async (m: number, l: number, at: number) => havenSql(h, 'INSERT INTO artifact_labels (manifest_id, label_id, created_at) VALUES (?, ?, ?)', [m, l, at]);
    await attach(await manifestId(one.digest), ids.global, now);
    await attach(await manifestId(both.digest), ids.global, now);
    await attach(await manifestId(both.digest), ids.project, now + 1);
  });

  test('with_label shows them as given; q=labels=(a b) is their intersection', async () => {
    const r = await list('labelled', '?with_label=true&sort=push_time');
    assert.equal(r.status, 200, r.text);
    const byDigest = new Map(r.json.map((a: { digest: string; labels: unknown }) => [a.digest, a.labels]));
    const l = byDigest.get(both.digest) as Array<Record<string, unknown>>;
    assert.deepEqual(l.map((x) => x.name), ['<b>release</b>', 'qa']);
    assert.equal(l[0]!.scope, 'g');
    assert.equal(l[0]!.project_id, 0);
    assert.equal(l[0]!.color, '#00FF00');
    assert.equal(l[1]!.scope, 'p');
    assert.ok((l[1]!.project_id as number) > 0);
    assert.equal(r.json.find((a: { tags: Array<{ name: string }> }) => a.tags[0]!.name === 'none').labels, null);
    const noLabels = await list('labelled');
    assert.ok(noLabels.json.every((a: { labels: unknown }) => a.labels === null), 'only with with_label');
    const q = async (expr: string) => (await list('labelled', `?q=${encodeURIComponent(expr)}`)).json.map((a: { digest: string }) => a.digest).sort();
    assert.deepEqual(await q(`labels=(${ids.global} ${ids.project})`), [both.digest]);
    assert.deepEqual(await q(`labels=(${ids.global})`), [one.digest, both.digest].sort());
    assert.deepEqual(await q(`labels=${ids.project}`), [both.digest]);
    assert.deepEqual(await q('labels=(999999)'), []);
  });
});

describe('who sees what', () => {
  const outsider: Creds = { username: 'artoutsider', password: 'Outsider123' };
  let secretDigest: string;
  let bDigest: string;
  before(async () => {
    const r = await client.api('POST', '/users', { body: { username: outsider.username, password: outsider.password, email: 'artoutsider@example.com' } });
    assert.equal(r.status, 201, r.text);
    secretDigest = (await pushManifest(reg, 'artsecret/app', 'v1', imageParts({ nonce: 'secret' }))).digest;
    bDigest = (await pushManifest(reg, 'artb/app', 'v1', imageParts({ nonce: 'b' }))).digest;
    await pushManifest(reg, 'arta/app', 'v1', imageParts({ nonce: 'a' }));
  });

  test("a private project's artifacts are 404 to outsiders, exactly as a missing project's", async () => {
    for (const path of ['/artifacts', `/artifacts/${secretDigest}`, '/artifacts/v1', `/artifacts/${secretDigest}/accessories`]) {
      const hidden = await api(`/projects/artsecret/repositories/app${path}`, outsider);
      const missing = await api(`/projects/artnothere/repositories/app${path}`, outsider);
      assert.equal(hidden.status, 404, path);
      assert.equal(hidden.text.replace('artsecret', 'X'), missing.text.replace('artnothere', 'X'), path);
      const anon = await api(`/projects/artsecret/repositories/app${path}`, null);
      assert.equal(anon.status, 404, path);
    }
    const admin = await api('/projects/artsecret/repositories/app/artifacts');
    assert.equal(admin.json.length, 1);
  });

  test("an artifact or repository of project B asked under project A's path is not found", async () => {
    const byDigest = await api(`/projects/arta/repositories/app/artifacts/${bDigest}`);
    assert.equal(byDigest.status, 404, byDigest.text);
    assert.doesNotMatch(byDigest.text, /artb/);
    const acc = await api(`/projects/arta/repositories/app/artifacts/${bDigest}/accessories`);
    assert.equal(acc.status, 404);
    // "artb/app" under arta is arta/artb/app, which does not exist: nothing of B's leaks.
    const repo = await api(`/projects/arta/repositories/${encodeURIComponent(encodeURIComponent('../artb/app'))}/artifacts`);
    assert.ok(repo.status === 200 || repo.status === 404, repo.text);
    if (repo.status === 200) assert.deepEqual(repo.json, []);
    const q = await api(`/projects/arta/repositories/app/artifacts?q=${encodeURIComponent(`digest=${bDigest}`)}`);
    assert.deepEqual(q.json, []);
  });
});

describe('sorting by pull time', () => {
  test('never-pulled artifacts sort as the oldest pull on every database: first ascending, last descending', async () => {
    const pulled = await pushManifest(reg, 'arta/pulltime', 'pulled', imageParts({ nonce: 'pulled' }));
    const never = await pushManifest(reg, 'arta/pulltime', 'never', imageParts({ nonce: 'never' }));
    const get = await fetch(`${h.url}/v2/arta/pulltime/manifests/pulled`, { headers: { ...h.asAdmin, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(get.status, 200);
    await get.arrayBuffer();
    // Pull times reach the database in batches, about every second. (Unpulled, both would list
    // newest first, never before pulled, whichever the direction.)
    await eventually(async () => {
      const desc = await list('pulltime', '?sort=-pull_time');
      assert.deepEqual(desc.json.map((a: { digest: string }) => a.digest), [pulled.digest, never.digest]);
    });
    const asc = await list('pulltime', '?sort=pull_time,-id');
    assert.deepEqual(asc.json.map((a: { digest: string }) => a.digest), [never.digest, pulled.digest]);
    const ascById = await list('pulltime', '?sort=pull_time,id');
    assert.deepEqual(ascById.json.map((a: { digest: string }) => a.digest), [never.digest, pulled.digest], 'pull time decides before id');
  });
});
