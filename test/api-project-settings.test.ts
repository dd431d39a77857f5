// Project settings Haven has no place for (quotas, proxy cache, retention) are refused over HTTP
// with Harbor's error JSON, instead of being stored and ignored; Harbor's metadata keys (public,
// scanning, signing and SBOM switches, severity) are validated and stored, for the features that
// read them (test/project-metadata-api.test.ts covers them key by key).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiClient, type Reply } from './helpers/api-client.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';

let h: RunningHaven;
let client: ReturnType<typeof apiClient>;
useHaven({}, (x) => {
  h = x;
  client = apiClient(h);
});

let serial = 0;
const fresh = () => `settings-${++serial}`;

/** Harbor's error JSON: one error, code BAD_REQUEST, whose message matches. */
function assertRefused(r: Reply, message: RegExp): void {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json?.errors?.length, 1, r.text);
  assert.equal(r.json.errors[0].code, 'BAD_REQUEST');
  assert.match(r.json.errors[0].message, message);
}

const create = (body: Record<string, unknown>) => client.api('POST', '/projects', { body: { project_name: fresh(), ...body } });
const exists = async (name: string) => (await client.api('HEAD', `/projects?project_name=${name}`)).status === 200;

describe('POST /projects', () => {
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a negative storage_limit other than -1', { storage_limit: -2 }, /invalid non-positive value for quota limit, value=-2/],
    ['a storage_limit over 1024 TB', { storage_limit: 1_125_899_906_842_625 }, /exceeded 1024TB/],
    ['a fractional storage_limit', { storage_limit: 1.5 }, /storage_limit/],
    ['a registry_id (proxy cache)', { registry_id: 1 }, /registry_id.*not supported.*proxy cache/],
    ['cve_allowlist items', { cve_allowlist: { items: [{ cve_id: 'CVE-2024-1' }] } }, /cve_allowlist.*not supported/],
    ['a proxy cache setting', { metadata: { proxy_speed_kb: '100' } }, /proxy_speed_kb.*not supported.*proxy cache/],
    ['a retention policy', { metadata: { retention_id: '7' } }, /retention_id.*not supported/],
    ['an unknown metadata key', { metadata: { foo: 'bar' } }, /unknown project metadata key "foo"/],
    ['an unknown top-level field', { foo: 1 }, /foo/],
    ['public other than true/false', { metadata: { public: 'yes' } }, /metadata\.public must be "true" or "false"/],
    ['a boolean setting that is not a boolean', { metadata: { auto_scan: 'maybe' } }, /metadata\.auto_scan must be "true" or "false"/],
    ['an unknown severity', { metadata: { severity: 'dire' } }, /severity must be one of/],
  ];
  for (const [what, body, message] of refused) {
    test(`refuses ${what} (400), and creates nothing`, async () => {
      const name = fresh();
      const r = await client.api('POST', '/projects', { body: { project_name: name, ...body } });
      assertRefused(r, message);
      assert.equal(await exists(name), false, 'the project was not created');
    });
  }

  test('accepts the defaults: features off, storage_limit -1, no registry, the system CVE allowlist', async () => {
    const name = fresh();
    const r = await client.api('POST', '/projects', {
      body: {
        project_name: name,
        storage_limit: -1,
        registry_id: null,
        cve_allowlist: { items: [] },
        metadata: {
          public: 'false',
          enable_content_trust: 'false',
          enable_content_trust_cosign: 'false',
          prevent_vul: 'false',
          severity: 'low',
          auto_scan: 'false',
          auto_sbom_generation: 'false',
          reuse_sys_cve_allowlist: 'true',
        },
      },
    });
    assert.equal(r.status, 201, r.text);
    const view = await client.api('GET', `/projects/${name}`, { headers: { 'X-Is-Resource-Name': 'true' } });
    assert.equal(view.status, 200, view.text);
    assert.equal(view.json.metadata.public, 'false');
    assert.equal(view.json.metadata.auto_scan, 'false');
    assert.equal(view.json.metadata.foo, undefined);
  });
});

describe('PUT /projects/{id}', () => {
  test('refuses what POST refuses, and changes nothing', async () => {
    const name = fresh();
    assert.equal((await create({ project_name: name, metadata: { public: 'false' } })).status, 201);
    const path = `/projects/${name}`;
    const headers = { 'X-Is-Resource-Name': 'true' };
    assertRefused(await client.api('PUT', path, { headers, body: { metadata: { auto_scan: 'yes', public: 'true' } } }), /auto_scan must be "true" or "false"/);
    assertRefused(await client.api('PUT', path, { headers, body: { storage_limit: 10 } }), /storage_limit is not changed by updating a project; set it with PUT \/quotas\/\{id\}/);
    assertRefused(await client.api('PUT', path, { headers, body: { registry_id: 3 } }), /registry_id.*not supported/);
    assertRefused(await client.api('PUT', path, { headers, body: { metadata: { foo: 'bar' } } }), /unknown project metadata key "foo"/);
    const view = await client.api('GET', path, { headers });
    assert.equal(view.json.metadata.public, 'false', 'the refused request did not make the project public');
    assert.equal(view.json.metadata.auto_scan, undefined);
    assert.equal(view.json.metadata.foo, undefined);
  });

  test('accepts real settings and the defaults', async () => {
    const name = fresh();
    assert.equal((await create({ project_name: name })).status, 201);
    const headers = { 'X-Is-Resource-Name': 'true' };
    const r = await client.api('PUT', `/projects/${name}`, { headers, body: { storage_limit: -1, metadata: { public: 'true', auto_scan: 'false', severity: 'high' } } });
    assert.equal(r.status, 200, r.text);
    const view = await client.api('GET', `/projects/${name}`, { headers });
    assert.equal(view.json.metadata.public, 'true');
    assert.equal(view.json.metadata.severity, 'high');
  });
});
