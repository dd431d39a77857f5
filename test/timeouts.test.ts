import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHaven, useHaven, type RunningHaven } from './helpers/haven.js';
import { rawConnection } from './helpers/raw-socket.js';

// Short limits so the test runs in seconds; the idle timeout is longer than the others, so
// what closes a connection early is the timer under test, not the inactivity one.
const headersMs = 1000;
const idleMs = 4000;
const keepAliveMs = 500;

let h: RunningHaven;
useHaven(
  { projects: ['timeouts'], args: ['--http-headers-timeout', `${headersMs}ms`, '--http-body-idle-timeout', '4s', '--http-keep-alive-timeout', `${keepAliveMs}ms`] },
  (x) => (h = x),
);

const basic = () => `Basic ${Buffer.from(`${h.admin.username}:${h.admin.password}`).toString('base64')}`;

async function startUpload(repo: string): Promise<string> {
  const r = await h.adminFetch(`${h.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(r.status, 202);
  return r.headers.get('location')!;
}

test('a stalled upload body (Content-Length 100000, 6 bytes sent) is cut once idle for the body timeout', async () => {
  const location = await startUpload('timeouts/stall');
  const c = await rawConnection(h.url);
  c.socket.write(
    `PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\n` +
      'Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\nabcdef',
  );
  assert.equal(await c.closesWithin(idleMs + 3000), true, 'the stalled connection is still open');
  const ms = await c.closed;
  assert.ok(ms >= idleMs - 300, `closed after ${ms} ms, before the idle timeout`);
});

test('a slow upload that keeps sending (a chunk every timeout/3) outlives the idle timeout and completes', async () => {
  const location = await startUpload('timeouts/slow');
  const c = await rawConnection(h.url);
  const chunks = 5;
  c.socket.write(
    `PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${chunks * 3}\r\n\r\n`,
  );
  const started = Date.now();
  for (let i = 0; i < chunks; i++) {
    await new Promise((r) => setTimeout(r, idleMs / 3)); // a slow client's pace: what is under test, not a wait
    assert.ok(!c.socket.destroyed, `cut after ${Date.now() - started} ms although bytes were flowing`);
    c.socket.write('abc');
  }
  const response = await c.waitFor(/\r\n\r\n/, 10_000);
  assert.ok(Date.now() - started > idleMs, 'the upload should have lasted longer than the idle timeout');
  assert.match(response, /^HTTP\/1\.1 202 /);
  assert.match(response, /\r\nrange: 0-14\r\n/i);
  c.socket.destroy();
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const c = await rawConnection(h.url);
  c.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
  await c.waitFor(/\r\n\r\n[\s\S]*\}/);
  const answered = Date.now();
  // Node adds a second to the advertised keep-alive timeout before it closes.
  assert.equal(await c.closesWithin(keepAliveMs + 1000 + 1500), true, 'the idle keep-alive connection is still open');
  assert.ok(Date.now() - answered < idleMs, 'closed by the idle timeout, not the keep-alive one');
});

test('a request whose headers never finish is cut after the headers timeout, even while bytes trickle in', async () => {
  const c = await rawConnection(h.url);
  c.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n');
  const trickle = setInterval(() => {
    if (!c.socket.destroyed) c.socket.write('X-Slow: y\r\n');
  }, 250);
  try {
    assert.equal(await c.closesWithin(headersMs + 2000), true, 'the connection with unfinished headers is still open');
  } finally {
    clearInterval(trickle);
  }
  const received = c.received();
  assert.ok(received === '' || /^HTTP\/1\.1 408 /.test(received), `unexpected answer ${JSON.stringify(received.slice(0, 100))}`);
});

test('connections per client address are capped: the N+1th is closed at once, a freed slot is usable again', async () => {
  const cap = 3;
  const hc = await startHaven({ args: ['--http-max-connections-per-ip', String(cap)] });
  try {
    const open = [];
    for (let i = 0; i < cap; i++) {
      const c = await rawConnection(hc.url);
      c.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(await c.waitFor(/\r\n\r\n/), /^HTTP\/1\.1 401 /);
      open.push(c);
    }
    const extra = await rawConnection(hc.url);
    extra.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(await extra.closesWithin(2000), true, 'the connection over the cap was not closed');
    assert.equal(extra.received(), '', 'the connection over the cap was served');
    // The first ones are still served.
    open[0]!.socket.write('GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n');
    await open[0]!.waitFor(/401[\s\S]*401/);

    open[1]!.socket.destroy();
    await open[1]!.closed;
    // The server sees the close a moment later; then a new connection is served again.
    const deadline = Date.now() + 5000;
    for (;;) {
      const c = await rawConnection(hc.url);
      c.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      const served = await c.waitFor(/\r\n\r\n[\s\S]*haven_http_connections_refused_total \d/, 2000).catch(() => null);
      if (served) {
        assert.match(served, /^HTTP\/1\.1 200 /);
        assert.match(served, /haven_http_connections_refused_total [1-9]/);
        break;
      }
      assert.ok(Date.now() < deadline, 'a freed connection slot was never given back');
    }
    for (const c of open) c.socket.destroy();
  } finally {
    await hc.cleanup();
  }
});
