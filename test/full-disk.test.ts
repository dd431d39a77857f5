// F4 of the security probe: a full disk recovers. Haven runs with its data dir on a small tmpfs
// (mounting one needs root, as CI and the developers' machines run; elsewhere this test fails).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from './helpers/eventually.js';
import { startHaven, type RunningHaven } from './helpers/haven.js';
import { basic } from './helpers/api-client.js';
import { body } from './helpers/oci.js';

const mounts: string[] = [];

function smallDisk(mib: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'haven-fulldisk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

function unmountAll(): void {
  for (const d of mounts) {
    try {
      execFileSync('umount', ['-l', d]);
      rmSync(d, { recursive: true, force: true });
    } catch {
      // Best effort: a busy mount is released lazily.
    }
  }
}

const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** The server's own account of what happened, attached to a failure so CI output explains it. */
async function explained<T>(h: RunningHaven, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(join(h.dataDir, 'haven.log'), 'utf8').split('\n').slice(-25).join('\n');
    } catch {
      // The log itself may be what the full disk took.
    }
    throw new Error(`${(err as Error).message}\n--- haven output ---\n${h.output().slice(-3000)}\n--- haven.log (last lines) ---\n${log}`, { cause: err });
  }
}

/**
 * PATCHes until `stopAt` accepts a status. A write that fails mid-body (ENOSPC) may be answered
 * before the client has sent all of it, and the server then closes the connection rather than
 * read the rest: to the client that is a dropped request, reported here as status 0.
 */
async function fillUpload(h: RunningHaven, repo: string, stopAt: (status: number) => boolean): Promise<{ location: URL; last: { status: number; arrayBuffer(): Promise<unknown>; json(): Promise<unknown> } }> {
  const auth = { Authorization: basic(h.admin) };
  // A kept-alive connection the server closed after a dropped request fails once, as a client's
  // first request on it would; clients retry that, and so does this one.
  const post = () => fetch(`${h.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: auth });
  const start = await post().catch(post);
  assert.equal(start.status, 202);
  let location = new URL(start.headers.get('location')!, h.url);
  const chunk = Buffer.alloc(4 << 20, 7);
  const dropped = { status: 0, arrayBuffer: async () => null, json: async () => null };
  for (let i = 0; i < 100; i++) {
    const r = await fetch(location, { method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: body(chunk) }).catch(() => null);
    if (r === null && stopAt(500)) return { location, last: dropped };
    assert.ok(r, 'the request was dropped before the disk was full');
    if (stopAt(r.status)) return { location, last: r };
    assert.equal(r.status, 202, await r.text());
    location = new URL(r.headers.get('location')!, h.url);
  }
  throw new Error('the disk never filled');
}

async function health(h: RunningHaven): Promise<{ status: number; storage: { status: string; error?: string } }> {
  const r = await fetch(`${h.url}/api/v2.0/health`);
  const b = (await r.json()) as { components: Array<{ name: string; status: string; error?: string }> };
  return { status: r.status, storage: b.components.find((c) => c.name === 'storage')! };
}

let reserved: RunningHaven;
let unreserved: RunningHaven;

before(async () => {
  reserved = await startHaven({ dataDir: smallDisk(64), args: ['--storage-reserve', '24MiB'] });
  unreserved = await startHaven({ dataDir: smallDisk(48), args: ['--storage-reserve', '0', '--uploads-purge-age', '1s', '--uploads-purge-interval', '300ms'] });
  await reserved.createProject('fill');
  await unreserved.createProject('fill');
});

after(async () => {
  await reserved?.cleanup();
  await unreserved?.cleanup();
  unmountAll();
});

test('below the reserve, uploads get 507 INSUFFICIENT_STORAGE, /health says why, and deleting the upload recovers (F4)', () => explained(reserved, async () => {
  assert.equal((await health(reserved)).storage.status, 'healthy');
  const { location, last } = await fillUpload(reserved, 'fill/big', (s) => s !== 202);
  assert.equal(last.status, 507);
  const err = (await last.json()) as { errors: Array<{ code: string; message: string }> };
  assert.equal(err.errors[0]!.code, 'INSUFFICIENT_STORAGE');
  assert.match(err.errors[0]!.message, /storage\.reserve/);
  assert.ok(free(reserved.dataDir) > 0, 'the reserve kept the disk from filling');

  // A new upload is refused too, before it writes anything.
  const fresh = await fetch(`${reserved.url}/v2/fill/other/blobs/uploads/`, { method: 'POST', headers: { Authorization: basic(reserved.admin) } });
  assert.equal(fresh.status, 507);
  await fresh.arrayBuffer();

  // Health polls with a deadline rather than assuming when the refusal shows there.
  await eventually(async () => {
    const h = await health(reserved);
    assert.equal(h.status, 503);
    assert.match(h.storage.error ?? '', /below the 24\.0 MiB reserve/);
  });

  const del = await fetch(location, { method: 'DELETE', headers: { Authorization: basic(reserved.admin) } });
  assert.equal(del.status, 204);
  await eventually(async () => assert.equal((await health(reserved)).storage.status, 'healthy'));
}));

test('with no reserve the disk really fills: the upload DELETE still frees the bytes, and so does the purge (F4)', () => explained(unreserved, async () => {
  const before = free(unreserved.dataDir);
  const first = await fillUpload(unreserved, 'fill/a', (s) => s >= 500);
  assert.ok([0, 500].includes(first.last.status), `ENOSPC while writing: ${first.last.status}`);
  await first.last.arrayBuffer();
  assert.ok(free(unreserved.dataDir) < 1 << 20, 'the disk is full');

  const del = await fetch(first.location, { method: 'DELETE', headers: { Authorization: basic(unreserved.admin) } });
  assert.equal(del.status, 204, await del.text());
  assert.ok(free(unreserved.dataDir) > before - (4 << 20), 'the upload bytes are freed');

  // Fill it again and walk away: the purge frees the bytes on a full disk too.
  const second = await fillUpload(unreserved, 'fill/b', (s) => s >= 500);
  await second.last.arrayBuffer();
  await eventually(() => {
    const freed = free(unreserved.dataDir);
    assert.ok(freed > before - (4 << 20), `the purge freed the abandoned upload (free ${freed}, before ${before})`);
  }, { timeoutMs: 15_000 });
  // As for the POST in fillUpload: the first request on a connection the server closed may fail.
  const get = () => fetch(second.location, { headers: { Authorization: basic(unreserved.admin) } });
  const status = await get().catch(get);
  assert.equal(status.status, 404, 'the purged upload is gone');
}));
