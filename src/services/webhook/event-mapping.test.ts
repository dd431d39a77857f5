import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWebhookEvent } from './event-mapping.js';

const facts = { project: { name: 'lib', public: true }, repositoryCreatedAt: new Date(1_700_000_000_000) };
const row = (type: string, payload: unknown) => ({ id: 1, type, project_id: 3, payload: JSON.stringify(payload), created_at: 1_700_000_123_000 });

test('an artifact event keeps its origin, tags and the facts looked up', () => {
  const m = toWebhookEvent(row('PUSH_ARTIFACT', { operator: 'alice', host: 'reg:5000', requestId: 'r1', repository: 'lib/app', digest: 'sha256:ab', mediaType: 'x', tags: ['v1'] }), facts);
  assert.deepEqual(m, {
    event: { type: 'PUSH_ARTIFACT', occurAt: new Date(1_700_000_123_000), operator: 'alice', project: facts.project, repository: 'lib/app', repositoryCreatedAt: facts.repositoryCreatedAt, digest: 'sha256:ab', tags: ['v1'] },
    host: 'reg:5000',
    requestId: 'r1',
  });
});

test('a quota event carries the ledger message as its details', () => {
  const m = toWebhookEvent(row('QUOTA_EXCEED', { project: { id: 3, name: 'lib' }, repository: 'lib/app', digest: 'sha256:ab', usage: 1, hard: 2, message: 'over' }), facts);
  assert.equal(m?.event.type, 'QUOTA_EXCEED');
  assert.equal(m?.event.type === 'QUOTA_EXCEED' && m.event.details, 'over');
  assert.equal(m?.host, '');
});

test('a retention event takes its own time when it has one', () => {
  const m = toWebhookEvent(row('TAG_RETENTION', { occurAt: '2026-01-01T00:00:00.000Z', operator: '', dryRun: false, policyId: 1, projectName: 'lib', status: 'SUCCESS', total: 1, retained: 0, deleted: [], rules: [] }), facts);
  assert.equal(m?.event.occurAt.toISOString(), '2026-01-01T00:00:00.000Z');
});

test('events no webhook hears, and unreadable payloads, map to nothing', () => {
  assert.equal(toWebhookEvent(row('DELETE_TAG', { repository: 'lib/app', tag: 'v1' }), facts), null);
  assert.equal(toWebhookEvent({ ...row('PUSH_ARTIFACT', {}), payload: '{nope' }, facts), null);
});
