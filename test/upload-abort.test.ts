// A client that disconnects mid-chunk stops its upload (issue 8, §4): the request's AbortSignal
// reaches the write, the session keeps its acknowledged offset, and the upload goes on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { body, sha256 } from './helpers/oci.js';
import { rawConnection } from './helpers/raw-socket.js';
import { eventually } from './helpers/eventually.js';

let h: RunningHaven;
useHaven({ projects: ['stop'] }, (x) => (h = x));

const logLines = () =>
  readFileSync(join(h.dataDir, 'haven.log'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { msg: string; upload?: string; level: number });

/** The log is written asynchronously: poll for a line, with a deadline. */
function waitForLine(match: (l: ReturnType<typeof logLines>[number]) => boolean, ms = 10_000) {
  return eventually(() => {
    const found = logLines().find(match);
    if (!found) throw new Error(`no such log line yet`);
    return found;
  }, { timeoutMs: ms });
}

test('a PATCH whose client disconnects stops; the offset stays; the next PATCH and the commit work', async () => {
  const first = Buffer.alloc(1 << 20, 1);
  const second = Buffer.alloc(1 << 20, 2);
  const start = await h.adminFetch(`${h.url}/v2/stop/app/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const location = new URL(start.headers.get('location')!, h.url);
  const id = location.pathname.split('/').pop()!;
  const chunk1 = await h.adminFetch(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: body(first) });
  assert.equal(chunk1.status, 202);
  assert.equal(chunk1.headers.get('range'), '0-1048575');

  // A slow chunk: it promises 8 MiB, sends 1 MiB in two parts, and the socket is killed.
  const slow = await rawConnection(h.url);
  const auth = `Basic ${Buffer.from(`${h.admin.username}:${h.admin.password}`).toString('base64')}`;
  slow.socket.write(
    `PATCH ${location.pathname} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${8 << 20}\r\n\r\n`,
  );
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => slow.socket.write(Buffer.alloc(512 << 10, 9), () => r()));
  slow.socket.destroy();

  const stopped = await waitForLine((l) => l.msg === 'upload stopped: client disconnected' && l.upload === id);
  assert.equal(stopped.level, 30, 'at info: a client leaving is not a server fault');
  const status = await h.adminFetch(location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-1048575', 'the cut chunk was not acknowledged');

  const chunk2 = await h.adminFetch(location, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: body(second) });
  assert.equal(chunk2.status, 202, await chunk2.text());
  assert.equal(chunk2.headers.get('range'), '0-2097151');
  const digest = sha256(Buffer.concat([first, second]));
  const done = new URL(location);
  done.searchParams.set('digest', digest);
  assert.equal((await h.adminFetch(done, { method: 'PUT' })).status, 201);
  const blob = await h.adminFetch(`${h.url}/v2/stop/app/blobs/${digest}`);
  assert.equal(blob.status, 200);
  assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), digest, 'none of the cut chunk reached the blob');
  assert.deepEqual(logLines().filter((l) => l.level >= 50), [], 'nothing logged as an error');
});
