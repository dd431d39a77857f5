import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { useHaven, type RunningHaven } from './helpers/haven.js';
import { pushBlob, randomBlob, asAdmin } from './helpers/oci.js';
import { rawConnection } from './helpers/raw-socket.js';

let h: RunningHaven;
useHaven({ projects: ['gone'] }, (x) => (h = x));

interface LogLine {
  level: number;
  msg: string;
  path?: string;
  during?: string;
}

const logLines = (): LogLine[] =>
  readFileSync(join(h.dataDir, 'haven.log'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);

/** The log is written asynchronously: wait (with a deadline) for a line to show up. */
const waitForLine = (match: (l: LogLine) => boolean): Promise<LogLine> =>
  eventually(() => {
    const found = logLines().find(match);
    if (!found) throw new Error(`no such log line:\n${logLines().map((l) => JSON.stringify(l)).join('\n')}`);
    return found;
  });

const basic = () => `Basic ${Buffer.from(`${h.admin.username}:${h.admin.password}`).toString('base64')}`;

test('a client leaving mid-upload and mid-download is logged at info, never as an unhandled error', async () => {
  // Upload: a PATCH that promises 4 MiB, sends 1 MiB, and hangs up.
  const start = await h.adminFetch(`${h.url}/v2/gone/app/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const location = start.headers.get('location')!;
  const up = await rawConnection(h.url);
  up.socket.write(`PATCH ${location} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${4 << 20}\r\n\r\n`);
  await new Promise<void>((r) => up.socket.write(Buffer.alloc(1 << 20), () => r()));
  up.socket.destroy();
  const uploadLine = await waitForLine((l) => l.msg === 'client disconnected' && l.path === new URL(location, h.url).pathname);
  assert.equal(uploadLine.level, 30);
  assert.equal(uploadLine.during, 'request');

  // Download: a 32 MiB blob, read for 1 MiB, then the connection is dropped.
  const blob = randomBlob(32 << 20);
  await pushBlob(asAdmin(h), 'gone/app', blob.bytes);
  const down = await rawConnection(h.url);
  down.socket.write(`GET /v2/gone/app/blobs/${blob.digest} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\n\r\n`);
  await new Promise<void>((resolve) => {
    let n = 0;
    down.socket.on('data', (d: string) => {
      n += d.length;
      if (n > 1 << 20) resolve();
    });
  });
  down.socket.destroy();
  const downloadLine = await waitForLine((l) => l.msg === 'client disconnected' && l.path === `/v2/gone/app/blobs/${blob.digest}`);
  assert.equal(downloadLine.level, 30);
  assert.equal(downloadLine.during, 'response');

  // Both were logged; the server is fine; nothing was an error or a warning.
  assert.equal((await h.adminFetch(`${h.url}/v2/`)).status, 200);
  await waitForLine((l) => l.msg === 'request' && l.path === '/v2/');
  const bad = logLines().filter((l) => /unhandled/i.test(l.msg) || l.level >= 40);
  assert.deepEqual(bad, []);
});
