import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCloudEvents, formatDefault, formatDelivery, formatSlack, goJson, slackMessage, slackSectionLimit } from './formats.js';
import type { HarborPayload } from './payload.js';
import type { WebhookTarget } from './policy.js';

const digest = 'sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c';
/** The payload of Harbor's formats/cloudevents_test.go. */
const pulled: HarborPayload = {
  type: 'PULL_ARTIFACT',
  occur_at: 1678082923,
  operator: 'admin',
  event_data: {
    resources: [{ digest, tag: digest, resource_url: `harbor.dev/library/busybox@${digest}` }],
    repository: { date_created: 1677053165, name: 'busybox', namespace: 'library', repo_full_name: 'library/busybox', repo_type: 'public' },
  },
};
const harborData = `{"resources":[{"digest":"${digest}","tag":"${digest}","resource_url":"harbor.dev/library/busybox@${digest}"}],"repository":{"date_created":1677053165,"name":"busybox","namespace":"library","repo_full_name":"library/busybox","repo_type":"public"}}`;

describe('CloudEvents format', () => {
  it("matches Harbor's test: attributes, extensions, data", () => {
    const req = formatCloudEvents(pulled, { projectId: 1, policyId: 3, requestId: 'mock-request-id' });
    assert.deepEqual(req.headers, { 'Content-Type': 'application/cloudevents+json' });
    const ev = JSON.parse(req.body);
    assert.equal(ev.specversion, '1.0');
    assert.equal(ev.requestid, 'mock-request-id');
    assert.equal(ev.source, '/projects/1/webhook/policies/3');
    assert.equal(ev.type, 'harbor.artifact.pulled');
    assert.equal(ev.datacontenttype, 'application/json');
    assert.equal(ev.time, '2023-03-06T06:08:43Z');
    assert.equal(ev.operator, 'admin');
    assert.equal(JSON.stringify(ev.data), harborData);
    assert.match(ev.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(Object.keys(ev), ['specversion', 'requestid', 'id', 'source', 'type', 'datacontenttype', 'time', 'data', 'operator']);
  });

  it('keeps a given id and leaves out an absent request id', () => {
    const ev = JSON.parse(formatCloudEvents(pulled, { projectId: 2, policyId: 9, eventId: 'e-1' }).body);
    assert.equal(ev.id, 'e-1');
    assert.equal('requestid' in ev, false);
    assert.equal(ev.source, '/projects/2/webhook/policies/9');
  });

  const types: Array<[HarborPayload['type'], string]> = [
    ['PUSH_ARTIFACT', 'harbor.artifact.pushed'],
    ['DELETE_ARTIFACT', 'harbor.artifact.deleted'],
    ['QUOTA_EXCEED', 'harbor.quota.exceeded'],
    ['QUOTA_WARNING', 'harbor.quota.warned'],
    ['REPLICATION', 'harbor.replication.status.changed'],
    ['SCANNING_FAILED', 'harbor.scan.failed'],
    ['SCANNING_COMPLETED', 'harbor.scan.completed'],
    ['SCANNING_STOPPED', 'harbor.scan.stopped'],
    ['TAG_RETENTION', 'harbor.tag_retention.finished'],
  ];
  for (const [type, ce] of types) {
    it(`${type} is ${ce}`, () => assert.equal(JSON.parse(formatCloudEvents({ ...pulled, type }, { projectId: 1, policyId: 1 }).body).type, ce));
  }
});

describe('Default format', () => {
  it('writes the payload with application/json', () => {
    const req = formatDefault(pulled);
    assert.deepEqual(req.headers, { 'Content-Type': 'application/json' });
    assert.equal(req.body, `{"type":"PULL_ARTIFACT","occur_at":1678082923,"operator":"admin","event_data":${harborData}}`);
  });

  it("escapes like Go's encoding/json", () => {
    assert.equal(goJson({ s: '<a href="x">&</a>\u2028' }), '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\u2028"}');
    assert.deepEqual(JSON.parse(goJson({ s: '<&>' })), { s: '<&>' });
  });
});

describe('Slack format', () => {
  it("sends Harbor's blocks as valid JSON", () => {
    const req = formatSlack(pulled);
    assert.deepEqual(req.headers, { 'Content-Type': 'application/json' });
    const texts = JSON.parse(req.body).blocks.map((b: { type: string; text: { type: string; text: string } }) => {
      assert.equal(b.type, 'section');
      assert.equal(b.text.type, 'mrkdwn');
      return b.text.text;
    });
    assert.deepEqual(texts, [
      '*Harbor webhook events*',
      '*event_type:* PULL_ARTIFACT',
      '*occur_at:* <!date^1678082923^{date} at {time}|February 18th, 2014 at 6:39 AM PST>',
      '*operator:* admin',
      '*event_data:*',
      `\`\`\`${JSON.stringify(pulled.event_data, null, '\t')}\`\`\``,
    ]);
  });

  it('survives a quote in the operator (Harbor\'s template does not)', () => {
    const msg = JSON.parse(formatSlack({ ...pulled, operator: 'a"b' }).body);
    assert.equal(msg.blocks[3].text.text, '*operator:* a"b');
  });

  it('cuts event data to what one Slack section takes', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ type: 'image', status: 'SUCCESS', name_tag: `repo-${i}:tag-${i}`, references: null }));
    const big: HarborPayload = { type: 'TAG_RETENTION', occur_at: 1, operator: 'admin', event_data: { retention: { total: 200, retained: 0, deleted_artifact: many } } };
    const text = slackMessage(big).blocks[5]!.text.text;
    assert.ok(text.length <= slackSectionLimit, `${text.length}`);
    assert.ok(text.startsWith('```{') && text.endsWith('```'));
    assert.match(text, /cut: the event data is longer/);
    assert.doesNotMatch(slackMessage(pulled).blocks[5]!.text.text, /cut:/);
  });
});

describe('formatDelivery', () => {
  const http = (over: Partial<WebhookTarget>): WebhookTarget => ({ type: 'http', address: 'https://hooks.example.com/x', auth_header: '', skip_cert_verify: false, payload_format: 'Default', ...over });
  const ctx = { projectId: 1, policyId: 3, eventId: 'id-1' };
  const cases: Array<{ name: string; target: WebhookTarget; contentType: string; auth?: string }> = [
    { name: 'http Default without auth', target: http({}), contentType: 'application/json' },
    { name: 'http Default with auth', target: http({ auth_header: 'Bearer t0k' }), contentType: 'application/json', auth: 'Bearer t0k' },
    { name: 'http CloudEvents with auth', target: http({ payload_format: 'CloudEvents', auth_header: 'Basic eA==' }), contentType: 'application/cloudevents+json', auth: 'Basic eA==' },
    { name: 'slack never gets the auth header', target: { type: 'slack', address: 'https://hooks.slack.com/services/T/B/X', auth_header: 'Bearer no', skip_cert_verify: false }, contentType: 'application/json' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const req = formatDelivery(pulled, c.target, ctx);
      assert.equal(req.headers['Content-Type'], c.contentType);
      assert.equal(req.headers.Authorization, c.auth);
      const body = JSON.parse(req.body);
      if (c.target.type === 'slack') assert.ok(Array.isArray(body.blocks));
      else if (c.target.payload_format === 'CloudEvents') assert.equal(body.id, 'id-1');
      else assert.equal(body.type, 'PULL_ARTIFACT');
    });
  }
});
