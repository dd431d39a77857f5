import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('metrics.username/password: /metrics wants those Basic credentials, nothing else', async () => {
  const h = await startHaven({ args: ['--metrics-username', 'prom'], env: { HAVEN_METRICS_PASSWORD: 'Scrape-Secret-1' } });
  try {
    const none = await fetch(`${h.url}/metrics`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate')!, /^Basic realm="haven-metrics"/);
    assert.doesNotMatch(await none.text(), /haven_http_requests_total/);
    assert.equal((await fetch(`${h.url}/metrics`, { headers: basic('prom', 'wrong') })).status, 401);
    // Haven's own users are not scrapers: the admin's credentials do not open it.
    assert.equal((await fetch(`${h.url}/metrics`, { headers: basic(h.admin.username, h.admin.password) })).status, 401);
    const ok = await fetch(`${h.url}/metrics`, { headers: basic('prom', 'Scrape-Secret-1') });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /haven_http_requests_total\{area="other",method="GET",status="401"\} 3/);
  } finally {
    await h.cleanup();
  }
});

test('metrics.listen: /metrics moves to its own address and leaves the registry port', async () => {
  const h = await startHaven({ args: ['--metrics-listen', '127.0.0.1:0', '--metrics-username', 'prom', '--metrics-password', 'Scrape-Secret-2'] });
  try {
    const m = /Metrics at (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(h.output());
    assert.ok(m, `no metrics address in:\n${h.output()}`);
    const metricsUrl = m[1]!;
    assert.notEqual(metricsUrl, h.url);
    assert.equal((await fetch(`${h.url}/metrics`, { headers: basic('prom', 'Scrape-Secret-2') })).status, 404);
    assert.equal((await fetch(`${h.url}/v2/`)).status, 401);
    assert.equal((await fetch(`${metricsUrl}/metrics`)).status, 401);
    const r = await fetch(`${metricsUrl}/metrics`, { headers: basic('prom', 'Scrape-Secret-2') });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /text\/plain/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const text = await r.text();
    assert.match(text, /haven_http_requests_total\{area="registry_base",method="GET",status="401"\} 1/);
    assert.match(text, /haven_audit_records_dropped_total 0/);
    assert.match(text, /haven_audit_queue_records \d/);
    // Only /metrics is served there.
    assert.equal((await fetch(`${metricsUrl}/v2/`, { headers: basic('prom', 'Scrape-Secret-2') })).status, 404);
  } finally {
    await h.cleanup();
  }
});

test('metrics credentials come in pairs: one without the other stops startup', async () => {
  await assert.rejects(startHaven({ args: ['--metrics-username', 'prom'] }), /metrics\.password.*set together/);
});
