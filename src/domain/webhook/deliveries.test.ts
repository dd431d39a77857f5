import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DeliveryPolicy, lastTriggers, planDeliveries, toWebhookJob } from './deliveries.js';
import type { ArtifactEvent, RetentionEvent } from './payload.js';

const site = { externalUrl: 'https://harbor.dev' };
const digest = 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c';
const push: ArtifactEvent = {
  type: 'PUSH_ARTIFACT',
  occurAt: new Date(1700000000_000),
  operator: 'admin',
  project: { name: 'library', public: false },
  repository: 'library/app',
  repositoryCreatedAt: new Date(1690000000_000),
  digest,
  tags: ['v1'],
};
const http = (address: string, extra: object = {}) => ({ type: 'http' as const, address, auth_header: '', skip_cert_verify: false, payload_format: 'Default' as const, ...extra });
const policies: DeliveryPolicy[] = [
  { id: 1, project_id: 7, enabled: true, event_types: ['PUSH_ARTIFACT'], targets: [http('https://a.example/h', { auth_header: 'Bearer a' })] },
  { id: 2, project_id: 7, enabled: false, event_types: ['PUSH_ARTIFACT'], targets: [http('https://off.example/h')] },
  { id: 3, project_id: 7, enabled: true, event_types: ['PULL_ARTIFACT', 'PUSH_ARTIFACT'], targets: [http('https://c.example/h', { payload_format: 'CloudEvents' }), { type: 'slack', address: 'https://hooks.slack.com/x', auth_header: '', skip_cert_verify: false }] },
  { id: 4, project_id: 7, enabled: true, event_types: ['DELETE_ARTIFACT'], targets: [http('https://d.example/h')] },
];

describe('planDeliveries', () => {
  it('one delivery per target of each enabled policy hearing the event', () => {
    let n = 0;
    const plan = planDeliveries(push, policies, { site, requestId: 'req-9', newId: () => `id-${++n}` });
    assert.deepEqual(
      plan.map((d) => [d.policyId, d.vendorType, d.target.address, d.request.headers['Content-Type'], d.request.headers.Authorization]),
      [
        [1, 'WEBHOOK', 'https://a.example/h', 'application/json', 'Bearer a'],
        [3, 'WEBHOOK', 'https://c.example/h', 'application/cloudevents+json', undefined],
        [3, 'SLACK', 'https://hooks.slack.com/x', 'application/json', undefined],
      ],
    );
    const ce = JSON.parse(plan[1]!.request.body);
    assert.deepEqual([ce.source, ce.requestid, ce.type, ce.data.resources[0].resource_url], ['/projects/7/webhook/policies/3', 'req-9', 'harbor.artifact.pushed', 'harbor.dev/library/app:v1']);
    assert.ok(ce.id.startsWith('id-'));
    assert.deepEqual(plan[0]!.extraAttrs, { event_type: 'PUSH_ARTIFACT', payload: plan[0]!.request.body });
    assert.equal(JSON.parse(plan[0]!.request.body).event_data.repository.date_created, 1690000000);
  });

  it('nothing when no policy hears it', () => {
    assert.deepEqual(planDeliveries({ ...push, type: 'PULL_ARTIFACT' }, [policies[0]!, policies[3]!], { site }), []);
  });

  it('nothing for a retention dry run, though a policy hears TAG_RETENTION', () => {
    const dry: RetentionEvent = { type: 'TAG_RETENTION', occurAt: new Date(), operator: 'admin', dryRun: true, policyId: 1, projectName: 'library', status: 'SUCCESS', total: 1, retained: 0, deleted: [{ repository: 'app', tags: ['v1'], digest, kind: 'image' }], rules: [] };
    const hearing: DeliveryPolicy = { ...policies[0]!, event_types: ['TAG_RETENTION'] };
    assert.deepEqual(planDeliveries(dry, [hearing], { site }), []);
    assert.equal(planDeliveries({ ...dry, dryRun: false }, [hearing], { site }).length, 1);
  });
});

describe('lastTriggers', () => {
  it('one row per policy and event type, last time when known', () => {
    const created = new Date('2024-01-01T00:00:00Z');
    const rows = lastTriggers(
      [
        { id: 1, name: 'a', enabled: true, event_types: ['PUSH_ARTIFACT', 'PULL_ARTIFACT'], creation_time: created },
        { id: 2, name: 'b', enabled: false, event_types: ['DELETE_ARTIFACT'], creation_time: created },
      ],
      (id, type) => (id === 1 && type === 'PUSH_ARTIFACT' ? new Date('2024-02-01T12:00:00Z') : undefined),
    );
    assert.equal(
      JSON.stringify(rows),
      '[{"creation_time":"2024-01-01T00:00:00.000Z","enabled":true,"event_type":"PUSH_ARTIFACT","last_trigger_time":"2024-02-01T12:00:00.000Z","policy_name":"a"},' +
        '{"creation_time":"2024-01-01T00:00:00.000Z","enabled":true,"event_type":"PULL_ARTIFACT","policy_name":"a"},' +
        '{"creation_time":"2024-01-01T00:00:00.000Z","enabled":false,"event_type":"DELETE_ARTIFACT","policy_name":"b"}]',
    );
  });
});

describe('toWebhookJob', () => {
  const base = { id: 11, vendorId: 3, status: 'Success', startTime: new Date('2024-03-01T00:00:00Z'), updateTime: new Date('2024-03-01T00:00:02Z') };
  const cases: Array<[string, Parameters<typeof toWebhookJob>[0], string]> = [
    [
      'http delivery',
      { ...base, vendorType: 'WEBHOOK', extraAttrs: { event_type: 'PUSH_ARTIFACT', payload: '{"type":"PUSH_ARTIFACT"}' } },
      '{"creation_time":"2024-03-01T00:00:00.000Z","event_type":"PUSH_ARTIFACT","id":11,"job_detail":"{\\"type\\":\\"PUSH_ARTIFACT\\"}","notify_type":"http","policy_id":3,"status":"Success","update_time":"2024-03-01T00:00:02.000Z"}',
    ],
    ['slack delivery, attrs missing', { ...base, vendorType: 'SLACK', status: '', extraAttrs: {} }, '{"creation_time":"2024-03-01T00:00:00.000Z","id":11,"notify_type":"slack","policy_id":3,"update_time":"2024-03-01T00:00:02.000Z"}'],
    ['unknown vendor, odd attrs', { ...base, vendorType: 'GC', extraAttrs: { event_type: 5, payload: null } }, '{"creation_time":"2024-03-01T00:00:00.000Z","id":11,"policy_id":3,"status":"Success","update_time":"2024-03-01T00:00:02.000Z"}'],
  ];
  for (const [name, exec, want] of cases) it(name, () => assert.equal(JSON.stringify(toWebhookJob(exec)), want));
});
