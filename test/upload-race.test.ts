// F1 of the security probe: a tenant racing a PATCH against its own upload's commit must never
// change a blob another project holds, nor make a pull send more bytes than the blob has.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { body, sha256 } from './helpers/oci.js';

let haven: RunningHaven;
useHaven({}, (h) => (haven = h));

const adminAuth = () => `Basic ${Buffer.from(`admin:${haven.admin.password}`).toString('base64')}`;
const tenant = { username: 'tenant1', password: 'Tenant12345' };
const tenantAuth = `Basic ${Buffer.from(`${tenant.username}:${tenant.password}`).toString('base64')}`;

async function setup(): Promise<{ target: Buffer; digest: string }> {
  let r = await fetch(`${haven.url}/api/v2.0/users`, {
    method: 'POST',
    headers: { Authorization: adminAuth(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: tenant.username, password: tenant.password, email: 't1@example.com', realname: 'Tenant One' }),
  });
  assert.equal(r.status, 201, await r.text());
  await haven.createProject('victim', false);
  r = await fetch(`${haven.url}/api/v2.0/projects`, {
    method: 'POST',
    headers: { Authorization: tenantAuth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ project_name: 'attacker' }),
  });
  assert.equal(r.status, 201, await r.text());
  // Large enough that re-hashing it at commit takes a few milliseconds: the window the race needs.
  const target = randomBytes(16 << 20);
  const digest = sha256(target);
  r = await fetch(`${haven.url}/v2/victim/base/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { Authorization: adminAuth(), 'Content-Type': 'application/octet-stream' },
    body: body(target),
  });
  assert.equal(r.status, 201, await r.text());
  return { target, digest };
}

/** Sends a request's headers now and its body only when `release` resolves; resolves with the status. */
function delayedPatch(path: string, extra: Buffer, release: Promise<void>): Promise<number> {
  const { hostname, port } = new URL(haven.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `PATCH ${path} HTTP/1.1\r\nHost: ${haven.host}\r\nAuthorization: ${tenantAuth}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${extra.length}\r\nConnection: close\r\n\r\n`,
      );
      void release.then(() => socket.write(extra));
    });
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0)));
  });
}

/** One race; true when the commit won the upload's lock (else the PATCH did, and the commit was refused). */
async function attempt(target: Buffer, digest: string, delayMs: number): Promise<boolean> {
  const base = `${haven.url}/v2/attacker/x/blobs/uploads/`;
  let r = await fetch(base, { method: 'POST', headers: { Authorization: tenantAuth } });
  assert.equal(r.status, 202);
  const location = new URL(r.headers.get('location')!, haven.url);
  // 1. The target's bytes, so the digest will verify.
  r = await fetch(location, { method: 'PATCH', headers: { Authorization: tenantAuth, 'Content-Type': 'application/octet-stream' }, body: body(target) });
  assert.equal(r.status, 202);
  // 2. A chunk that claims more than it sends: refused, and the remembered hash is gone.
  r = await fetch(location, {
    method: 'PATCH',
    headers: { Authorization: tenantAuth, 'Content-Type': 'application/octet-stream', 'Content-Range': `${target.length}-${target.length + 9}` },
    body: body(Buffer.from('xx')),
  });
  assert.equal(r.status, 416);
  // 3 and 4. The commit, and a PATCH whose headers arrive during it and whose body comes after.
  const commitUrl = new URL(location);
  commitUrl.searchParams.set('digest', digest);
  const commit = fetch(commitUrl, { method: 'PUT', headers: { Authorization: tenantAuth } });
  let done!: () => void;
  const committed = new Promise<void>((res) => (done = res));
  await new Promise((res) => setTimeout(res, delayMs)); // where in the commit the PATCH lands: the race under test
  const patched = delayedPatch(location.pathname + location.search, Buffer.from('INJECTED HTTP/1.1 200 OK\r\n\r\n'), committed);
  const put = await commit;
  await put.arrayBuffer();
  done();
  const patchStatus = await patched;
  // With no delay the PATCH may reach the upload's lock first: then the commit is refused as busy
  // (416) and nothing was committed for the PATCH to reach. Either way the victim's blob is checked.
  if (put.status === 416) return false;
  assert.equal(put.status, 201, `commit answered ${put.status}`);
  assert.notEqual(patchStatus, 202, 'a PATCH racing the commit must never be accepted');
  return true;
}

/** Pulls the victim's blob twice on one keep-alive connection: exact bytes, then a clean response. */
async function pullTwice(digest: string, target: Buffer): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status: number; bytes: Buffer; length: string | undefined }>((resolve, reject) => {
      const req = request(`${haven.url}/v2/victim/base/blobs/${digest}`, { agent, headers: { Authorization: adminAuth() } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, bytes: Buffer.concat(chunks), length: res.headers['content-length'] }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  try {
    for (let i = 0; i < 2; i++) {
      const g = await get();
      assert.equal(g.status, 200);
      assert.equal(g.length, String(target.length));
      assert.equal(g.bytes.length, target.length);
      assert.equal(`sha256:${createHash('sha256').update(g.bytes).digest('hex')}`, digest, 'the victim blob changed');
    }
  } finally {
    agent.destroy();
  }
}

test('a PATCH racing its upload commit never reaches the committed blob (F1)', { timeout: 300_000 }, async () => {
  const { target, digest } = await setup();
  let committed = 0;
  const delays = [0, 1, 2, 3, 4, 6, 8, 10, 12, 15, 20, 25];
  for (const delay of delays) {
    if (await attempt(target, digest, delay)) committed++;
    await pullTwice(digest, target);
  }
  assert.ok(committed >= delays.length / 2, `only ${committed} of ${delays.length} commits ran: the race was not exercised`);
});
