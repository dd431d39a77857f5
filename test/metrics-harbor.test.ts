// Harbor's exporter metrics on /metrics, under Harbor's names, labels and help texts (so its
// Grafana dashboards work): values after pushes, pulls, members and quotas, read from the
// database, plus harbor_core_http_* request metrics labelled by Harbor's operation names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import { asAdmin, pushImage } from './helpers/oci.js';
import { eventually } from './helpers/eventually.js';

/** The value of one sample, by metric name and exact label text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('Harbor exporter gauges follow pushes, pulls, members and quotas', async () => {
  // cacheTime 0: every scrape collects afresh, so the test needs no waiting for a cache.
  // Protected by credentials, so private projects appear by name too.
  const h = await startHaven({ args: ['--metrics-cache-time', '0', '--metrics-username', 'prom', '--metrics-password', 'Scrape12345'] });
  const scrape = { Authorization: `Basic ${Buffer.from('prom:Scrape12345').toString('base64')}` };
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await h.adminFetch(`${h.url}/api/v2.0${path}`, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, ...(body ? { body: JSON.stringify(body) } : {}) });
      if (r.status >= 300) assert.fail(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r;
    };
    await api('POST', '/projects', { project_name: 'm-pub', metadata: { public: 'true' } });
    await api('POST', '/projects', { project_name: 'm-priv', metadata: { public: 'false' }, storage_limit: 50_000_000 });
    await api('POST', '/users', { username: 'carol', password: 'Carol12345', email: 'carol@example.com' });
    await api('POST', '/projects/m-priv/members', { role_id: 2, member_user: { username: 'carol' } });

    const reg = asAdmin(h);
    const a = await pushImage(reg, 'm-pub/a', 'v1', 2, 3000);
    await pushImage(reg, 'm-pub/b', 'v1', 1, 2000);
    await pushImage(reg, 'm-priv/c', 'v1', 1, 1000);
    for (let i = 0; i < 3; i++) {
      const r = await h.adminFetch(`${h.url}/v2/m-pub/a/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    assert.ok(a.digest);

    const projects = (await (await api('GET', '/projects?page_size=100')).json()) as Array<{ name: string; metadata: { public: string }; project_id: number }>;
    const publicCount = projects.filter((p) => p.metadata.public === 'true').length;
    const quotas = (await (await api('GET', '/quotas?page_size=100')).json()) as Array<{ ref: { name: string }; hard: { storage: number }; used: { storage: number } }>;
    const quotaOf = (name: string) => quotas.find((q) => q.ref.name === name)!;
    const members = (name: string) => api('GET', `/projects/${name}/members`).then((r) => r.json() as Promise<unknown[]>);

    const text = await eventually(async () => {
      const r = await fetch(`${h.url}/metrics`, { headers: scrape });
      assert.equal(r.status, 200);
      const t = await r.text();
      // Pull counts reach the database a moment after the pulls (the pull tracker's flush).
      assert.equal(sample(t, 'harbor_artifact_pulled', 'project_name="m-pub"'), 3);
      return t;
    });

    assert.match(text, /^# HELP harbor_project_total Total projects number$/m);
    assert.match(text, /^# TYPE harbor_project_total gauge$/m);
    assert.equal(sample(text, 'harbor_project_total', 'public="true"'), publicCount);
    assert.equal(sample(text, 'harbor_project_total', 'public="false"'), projects.length - publicCount);
    assert.match(text, /^# HELP harbor_project_repo_total Total project repos number$/m);
    assert.equal(sample(text, 'harbor_project_repo_total', 'project_name="m-pub",public="true"'), 2);
    assert.equal(sample(text, 'harbor_project_repo_total', 'project_name="m-priv",public="false"'), 1);
    assert.match(text, /^# HELP harbor_project_member_total Total members number of a project$/m);
    assert.equal(sample(text, 'harbor_project_member_total', 'project_name="m-priv"'), (await members('m-priv')).length);
    assert.equal(sample(text, 'harbor_project_member_total', 'project_name="m-pub"'), (await members('m-pub')).length);
    assert.match(text, /^# HELP harbor_project_quota_byte The quota of a project$/m);
    assert.equal(sample(text, 'harbor_project_quota_byte', 'project_name="m-priv"'), 50_000_000);
    assert.equal(sample(text, 'harbor_project_quota_byte', 'project_name="m-pub"'), quotaOf('m-pub').hard.storage);
    assert.match(text, /^# HELP harbor_project_quota_usage_byte The used resource of a project$/m);
    assert.ok(quotaOf('m-pub').used.storage > 8000);
    assert.equal(sample(text, 'harbor_project_quota_usage_byte', 'project_name="m-pub"'), quotaOf('m-pub').used.storage);
    assert.equal(sample(text, 'harbor_project_quota_usage_byte', 'project_name="m-priv"'), quotaOf('m-priv').used.storage);
    assert.match(text, /^# HELP harbor_artifact_pulled The pull number of an artifact$/m);
    assert.equal(sample(text, 'harbor_artifact_pulled', 'project_name="m-priv"'), 0);

    // Blobs: 3 configs of 64 bytes and layers of 2x3000, 2000 and 1000 bytes, each stored once.
    assert.equal(sample(text, 'harbor_statistics_total_storage_consumption'), 3 * 64 + 6000 + 2000 + 1000);
    assert.equal(sample(text, 'harbor_statistics_total_project_amount'), projects.length);
    assert.equal(sample(text, 'harbor_statistics_public_project_amount'), publicCount);
    assert.equal(sample(text, 'harbor_statistics_total_repo_amount'), 3);
    assert.equal(sample(text, 'harbor_statistics_private_repo_amount'), 1);

    assert.equal(sample(text, 'harbor_health'), 1);
    for (const c of ['core', 'database', 'storage']) assert.equal(sample(text, 'harbor_up', `component="${c}"`), 1, c);
    assert.match(text, /^# HELP harbor_up Running status of harbor component$/m);
    assert.match(text, /^harbor_system_info\{auth_mode="db_auth",harbor_version="haven-[^"]+",self_registration="false"\} 1$/m);

    // Harbor core's request metrics: operation is the swagger operationId or Harbor's v2_* name.
    assert.match(text, /^# HELP harbor_core_http_request_total The total number of requests$/m);
    assert.equal(sample(text, 'harbor_core_http_request_total', 'method="GET",code="200",operation="v2_manifest"'), 3);
    assert.equal(sample(text, 'harbor_core_http_request_total', 'method="GET",code="200",operation="listProjects"'), 1);
    assert.equal(sample(text, 'harbor_core_http_request_total', 'method="POST",code="201",operation="createProject"'), 2);
    assert.match(text, /^# TYPE harbor_core_http_request_duration_seconds summary$/m);
    assert.match(text, /^harbor_core_http_request_duration_seconds\{method="GET",operation="v2_manifest",quantile="0\.99"\} [\d.e-]+$/m);
    assert.equal(sample(text, 'harbor_core_http_request_duration_seconds_count', 'method="GET",operation="v2_manifest"'), 3);
    // The scrape itself is in flight while it is collected.
    assert.equal(sample(text, 'harbor_core_http_inflight_requests'), 1);

    // A member removed shows at the next scrape (cacheTime 0).
    await api('DELETE', '/projects/m-priv/members/' + String(((await members('m-priv')) as Array<{ id: number; entity_name: string }>).find((m) => m.entity_name === 'carol')!.id));
    const after = await (await fetch(`${h.url}/metrics`, { headers: scrape })).text();
    assert.equal(sample(after, 'harbor_project_member_total', 'project_name="m-priv"'), (await members('m-priv')).length);
  } finally {
    await h.cleanup();
  }
});

test('on an open /metrics, private projects are counted but never named', async () => {
  const h = await startHaven({ args: ['--metrics-cache-time', '0'] });
  try {
    for (const [name, pub] of [['open-pub', 'true'], ['secret-plans', 'false']]) {
      const r = await h.adminFetch(`${h.url}/api/v2.0/projects`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ project_name: name, metadata: { public: pub } }) });
      assert.equal(r.status, 201);
    }
    const text = await (await fetch(`${h.url}/metrics`)).text();
    assert.doesNotMatch(text, /secret-plans/);
    assert.equal(sample(text, 'harbor_project_member_total', 'project_name="open-pub"'), 1);
    assert.ok((sample(text, 'harbor_project_total', 'public="false"') ?? 0) >= 1, 'the private project is counted');
  } finally {
    await h.cleanup();
  }
});
