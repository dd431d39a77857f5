import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsAuthorized } from './metrics-auth.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

test('metrics Basic auth: open without credentials, exact match with them', () => {
  assert.equal(metricsAuthorized(undefined, null), true);
  const creds = { username: 'prom', password: 'p:ss' };
  assert.equal(metricsAuthorized(basic('prom:p:ss'), creds), true);
  assert.equal(metricsAuthorized(basic('prom:p:sS'), creds), false);
  assert.equal(metricsAuthorized(basic('prom'), creds), false);
  assert.equal(metricsAuthorized('Bearer x', creds), false);
  assert.equal(metricsAuthorized(undefined, creds), false);
});
