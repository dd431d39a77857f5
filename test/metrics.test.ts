import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven } from './helpers/haven.js';
import { pushBlob, randomBlob, asAdmin } from './helpers/oci.js';

test('/metrics exposes request counts, latencies and bytes per area in Prometheus format', async () => {
  const h = await startHaven({ projects: ['met'] });
  try {
    const blob = randomBlob(5000);
    await pushBlob(asAdmin(h), 'met/app', blob.bytes);
    for (let i = 0; i < 3; i++) {
      const r = await h.adminFetch(`${h.url}/v2/met/app/blobs/${blob.digest}`);
      assert.equal(r.status, 200);
      assert.equal((await r.arrayBuffer()).byteLength, 5000);
    }
    assert.equal((await fetch(`${h.url}/v2/`)).status, 401);
    // A request is counted when the server has finished sending it (onResponse), which may come
    // just after the client has read the body: ask again briefly until the last one is in.
    let r = await fetch(`${h.url}/metrics`);
    let text = await r.text();
    for (let i = 0; i < 20 && !(/registry_blob",method="GET",status="200"\} 3/.test(text) && /registry_base",method="GET",status="401"\} 1/.test(text)); i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await fetch(`${h.url}/metrics`);
      text = await r.text();
    }
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /text\/plain/);
    assert.match(text, /haven_http_requests_total\{area="registry_blob",method="GET",status="200"\} 3/);
    assert.match(text, /haven_http_requests_total\{area="registry_base",method="GET",status="401"\} 1/);
    assert.match(text, /haven_http_response_bytes_total\{area="registry_blob"\} 15000/);
    assert.match(text, /haven_http_request_bytes_total\{area="registry_upload"\} 5000/);
    assert.match(text, /haven_http_request_duration_seconds_bucket\{le="[\d.]+",area="registry_blob",method="GET",status="200"\}/);
    assert.match(text, /haven_nodejs_eventloop_lag_seconds/);
    // Labels never carry repository names or digests.
    assert.doesNotMatch(text, /met\/app|sha256:/);
  } finally {
    await h.cleanup();
  }
});
