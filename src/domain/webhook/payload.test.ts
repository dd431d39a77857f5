import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDefault } from './formats.js';
import { type ArtifactEvent, buildPayload, extUrl, harborHostname, type RetentionEvent, resourceUrl, type WebhookEvent } from './payload.js';

const site = { externalUrl: 'https://harbor.dev' };
const digest = 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c';
const library = { name: 'library', public: true };
const at = (s: number) => new Date(s * 1000);

const pull: ArtifactEvent = {
  type: 'PULL_ARTIFACT',
  occurAt: at(1678082303),
  operator: 'admin',
  project: library,
  repository: 'library/busybox',
  repositoryCreatedAt: at(1677053165),
  digest,
  tags: [],
};

describe('buildPayload, Default format', () => {
  it("gives Harbor's bytes for a pull by digest (formats/default_test.go)", () => {
    const body = formatDefault(buildPayload(pull, site)!).body;
    assert.equal(
      body,
      `{"type":"PULL_ARTIFACT","occur_at":1678082303,"operator":"admin","event_data":{"resources":[{"digest":"${digest}","tag":"${digest}","resource_url":"harbor.dev/library/busybox@${digest}"}],"repository":{"date_created":1677053165,"name":"busybox","namespace":"library","repo_full_name":"library/busybox","repo_type":"public"}}}`,
    );
  });

  const cases: Array<{ name: string; event: WebhookEvent; want: unknown }> = [
    {
      name: 'push of a tag, private project, nested repository',
      event: { ...pull, type: 'PUSH_ARTIFACT', project: { name: 'team', public: false }, repository: 'team/app/api', tags: ['v1.2', 'latest'] },
      want: {
        type: 'PUSH_ARTIFACT',
        occur_at: 1678082303,
        operator: 'admin',
        event_data: {
          resources: [{ digest, tag: 'v1.2', resource_url: 'harbor.dev/team/app/api:v1.2' }],
          repository: { date_created: 1677053165, name: 'app/api', namespace: 'team', repo_full_name: 'team/app/api', repo_type: 'private' },
        },
      },
    },
    {
      name: 'delete after the repository is gone: no date_created',
      event: { ...pull, type: 'DELETE_ARTIFACT', repositoryCreatedAt: undefined, tags: ['old'], operator: 'robot$library+ci' },
      want: {
        type: 'DELETE_ARTIFACT',
        occur_at: 1678082303,
        operator: 'robot$library+ci',
        event_data: {
          resources: [{ digest, tag: 'old', resource_url: 'harbor.dev/library/busybox:old' }],
          repository: { name: 'busybox', namespace: 'library', repo_full_name: 'library/busybox', repo_type: 'public' },
        },
      },
    },
    {
      name: 'quota exceeded: resource without URL, Details attribute',
      event: {
        type: 'QUOTA_EXCEED',
        occurAt: at(1700000000),
        operator: 'alice',
        project: library,
        repository: 'library/nginx',
        details: 'adding 10.0 MiB of storage resource, which when updated to current usage of 95.0 MiB will exceed the configured upper limit of 100.0 MiB.',
        tag: 'latest',
        digest,
      },
      want: {
        type: 'QUOTA_EXCEED',
        occur_at: 1700000000,
        operator: 'alice',
        event_data: {
          resources: [{ digest, tag: 'latest' }],
          repository: { name: 'nginx', namespace: 'library', repo_full_name: 'library/nginx', repo_type: 'public' },
          custom_attributes: {
            Details: 'adding 10.0 MiB of storage resource, which when updated to current usage of 95.0 MiB will exceed the configured upper limit of 100.0 MiB.',
          },
        },
      },
    },
    {
      name: 'quota warning without tag or digest: no resources',
      event: { type: 'QUOTA_WARNING', occurAt: at(1700000000), operator: '', project: library, repository: 'library/nginx', details: 'quota usage reach 85%' },
      want: {
        type: 'QUOTA_WARNING',
        occur_at: 1700000000,
        operator: '',
        event_data: {
          repository: { name: 'nginx', namespace: 'library', repo_full_name: 'library/nginx', repo_type: 'public' },
          custom_attributes: { Details: 'quota usage reach 85%' },
        },
      },
    },
    {
      name: 'scan completed: overview, scan type',
      event: {
        type: 'SCANNING_COMPLETED',
        occurAt: at(1700000001),
        operator: 'auto',
        project: library,
        repository: 'library/busybox',
        digest,
        tag: 'latest',
        scanType: 'vulnerability',
        scanOverview: { 'application/vnd.security.vulnerability.report; version=1.1': { severity: 'High', scan_status: 'Success' } },
      },
      want: {
        type: 'SCANNING_COMPLETED',
        occur_at: 1700000001,
        operator: 'auto',
        event_data: {
          resources: [
            {
              digest,
              tag: 'latest',
              resource_url: 'harbor.dev/library/busybox:latest',
              scan_overview: { 'application/vnd.security.vulnerability.report; version=1.1': { severity: 'High', scan_status: 'Success' } },
            },
          ],
          repository: { name: 'busybox', namespace: 'library', repo_full_name: 'library/busybox', repo_type: 'public' },
          scan: { scan_type: 'vulnerability' },
        },
      },
    },
    {
      name: 'scan failed by digest: no tag, URL by digest, empty overview left out',
      event: { type: 'SCANNING_FAILED', occurAt: at(1700000001), operator: 'admin', project: library, repository: 'library/busybox', digest, scanType: 'sbom', sbomOverview: {} },
      want: {
        type: 'SCANNING_FAILED',
        occur_at: 1700000001,
        operator: 'admin',
        event_data: {
          resources: [{ digest, resource_url: `harbor.dev/library/busybox@${digest}` }],
          repository: { name: 'busybox', namespace: 'library', repo_full_name: 'library/busybox', repo_type: 'public' },
          scan: { scan_type: 'sbom' },
        },
      },
    },
    {
      name: 'replication: empty fields left out',
      event: {
        type: 'REPLICATION',
        occurAt: at(1700000002),
        operator: 'admin',
        replication: {
          harbor_hostname: 'harbor.dev',
          job_status: 'Success',
          description: '',
          artifact_type: 'image',
          authentication_type: 'basic',
          override_mode: false,
          trigger_type: 'MANUAL',
          execution_timestamp: 1700000000,
          src_resource: { registry_type: 'harbor', endpoint: 'https://harbor.dev', namespace: 'library' },
          dest_resource: { registry_name: 'hub', registry_type: 'docker-hub', endpoint: 'https://hub.docker.com', namespace: 'me' },
          successful_artifact: [{ type: 'image', status: 'Success', name_tag: 'busybox:latest', references: ['latest'] }],
          failed_artifact: [],
          execution_id: 7,
          task_id: 0,
        },
      },
      want: {
        type: 'REPLICATION',
        occur_at: 1700000002,
        operator: 'admin',
        event_data: {
          replication: {
            harbor_hostname: 'harbor.dev',
            job_status: 'Success',
            artifact_type: 'image',
            authentication_type: 'basic',
            trigger_type: 'MANUAL',
            execution_timestamp: 1700000000,
            src_resource: { registry_type: 'harbor', endpoint: 'https://harbor.dev', namespace: 'library' },
            dest_resource: { registry_name: 'hub', registry_type: 'docker-hub', endpoint: 'https://hub.docker.com', namespace: 'me' },
            successful_artifact: [{ type: 'image', status: 'Success', name_tag: 'busybox:latest', references: ['latest'] }],
            execution_id: 7,
          },
        },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const payload = buildPayload(c.event, site);
      assert.deepEqual(payload, c.want);
      // What goes on the wire is the same object.
      assert.deepEqual(JSON.parse(formatDefault(payload!).body), c.want);
    });
  }

  it('refuses an event without a repository name, as Harbor does', () => {
    assert.throws(() => buildPayload({ ...pull, repository: '' }, site), /empty repository name/);
  });
});

describe('buildPayload, tag retention', () => {
  const retention: RetentionEvent = {
    type: 'TAG_RETENTION',
    occurAt: at(1700000100),
    operator: 'admin',
    dryRun: false,
    policyId: 3,
    projectName: 'library',
    status: 'SUCCESS',
    total: 3,
    retained: 1,
    deleted: [
      { repository: 'nginx', tags: ['1.0', 'old'], digest, kind: 'image' },
      { repository: 'team/api', tags: [], digest, kind: 'image' },
    ],
    rules: [
      {
        template: 'latestPushedK',
        params: { latestPushedK: 1 },
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**' }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
      },
    ],
  };

  it("builds Harbor's retention record: deleted name_tag by tag or digest, references null", () => {
    assert.deepEqual(buildPayload(retention, { externalUrl: 'https://harbor.dev:8443' }), {
      type: 'TAG_RETENTION',
      occur_at: 1700000100,
      operator: 'admin',
      event_data: {
        retention: {
          total: 3,
          retained: 1,
          harbor_hostname: 'harbor.dev',
          project_name: 'library',
          retention_policy_id: 3,
          retention_rule: [
            {
              template: 'latestPushedK',
              params: { latestPushedK: 1 },
              tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: '**', extras: '' }],
              scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**', extras: '' }] },
            },
          ],
          result: 'SUCCESS',
          deleted_artifact: [
            { type: 'image', status: 'SUCCESS', name_tag: 'nginx:1.0', references: null },
            { type: 'image', status: 'SUCCESS', name_tag: `team/api@${digest}`, references: null },
          ],
        },
      },
    });
    assert.match(formatDefault(buildPayload(retention, site)!).body, /"references":null/);
  });

  const silent: Array<[string, RetentionEvent]> = [
    ['a dry run', { ...retention, dryRun: true }],
    ['a run that deleted nothing', { ...retention, deleted: [] }],
  ];
  for (const [name, event] of silent) {
    it(`sends nothing for ${name}, as Harbor`, () => assert.equal(buildPayload(event, site), null));
  }
});

describe('external URL helpers', () => {
  const cases: Array<[string, string, string]> = [
    ['https://harbor.dev', 'harbor.dev', 'harbor.dev'],
    ['http://harbor.dev:8080/', 'harbor.dev:8080', 'harbor.dev'],
    ['harbor.dev', 'harbor.dev', 'harbor.dev'],
  ];
  for (const [url, ext, host] of cases) {
    it(`${url} -> ${ext}, ${host}`, () => {
      assert.equal(extUrl({ externalUrl: url }), ext);
      assert.equal(harborHostname({ externalUrl: url }), host);
    });
  }
  it('resource URLs: ":" for tags, "@" for digests', () => {
    assert.equal(resourceUrl(site, 'library/a', 'v1'), 'harbor.dev/library/a:v1');
    assert.equal(resourceUrl(site, 'library/a', digest), `harbor.dev/library/a@${digest}`);
  });
});
