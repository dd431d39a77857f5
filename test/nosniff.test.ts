import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { pushImage, asAdmin } from './helpers/oci.js';

let h: RunningHaven;
useHaven({ projects: ['sniff'] }, (x) => (h = x));

test('every response carries X-Content-Type-Options: nosniff, hijacked blob GETs included', async () => {
  const img = await pushImage(asAdmin(h), 'sniff/app', 'v1', 1, 4096);
  const layer = img.layers[0]!;
  const requests: Array<[string, RequestInit?]> = [
    [`/v2/sniff/app/blobs/${layer.digest}`],
    [`/v2/sniff/app/blobs/${layer.digest}`, { headers: { Range: 'bytes=0-9' } }],
    [`/v2/sniff/app/blobs/${layer.digest}`, { method: 'HEAD' }],
    ['/v2/sniff/app/manifests/v1'],
    ['/v2/', { headers: { Authorization: '' } }], // anonymous
    ['/v2/sniff/app/blobs/sha256:' + '0'.repeat(64)],
    ['/api/v2.0/systeminfo'],
    ['/api/v2.0/projects/nope'],
    ['/no/such/path'],
    ['/service/token?service=haven'],
    ['/c/login', { method: 'POST', headers: { Authorization: '', 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'principal=x&password=y' }],
    ['/metrics'],
  ];
  for (const [path, init] of requests) {
    const r = await h.adminFetch(`${h.url}${path}`, init);
    await r.arrayBuffer();
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${init?.method ?? 'GET'} ${path} (${r.status})`);
  }
});
