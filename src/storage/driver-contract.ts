import { pipeline } from 'node:stream/promises';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { emptyUpload, NotFoundError, type BlobDriver, type UploadState } from './blob-driver.js';

export interface DriverUnderTest {
  driver: BlobDriver;
  /** A new driver instance on the same storage: what another instance, or a restart, sees. */
  reopen(): BlobDriver;
  /** Bytes above which an append becomes a stored part (S3's part size), to test around it. */
  partSize: number;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function uploadIds(driver: BlobDriver): Promise<string[]> {
  const ids: string[] = [];
  for await (const u of driver.uploads.list()) ids.push(u.id);
  return ids;
}

/** Appends `pieces` one request each, as a chunked push does, returning each durable state. */
async function appendAll(driver: BlobDriver, id: string, pieces: Buffer[], from: UploadState = emptyUpload): Promise<UploadState> {
  let s = from;
  for (const p of pieces) {
    const next = await driver.uploads.append(id, s, Readable.from([p]));
    assert.equal(next.size, s.size + p.length);
    await driver.uploads.settle?.(id, next);
    s = next;
  }
  return s;
}

function split(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push(data.subarray(at, at + n));
    at += n;
  }
  if (at < data.length) out.push(data.subarray(at));
  return out;
}

/**
 * The contract every BlobDriver must honour. Each implementation's test file calls this with a
 * factory; the same assertions then hold for filesystem, S3, and whatever comes next.
 */
export function describeDriverContract(name: string, make: () => Promise<DriverUnderTest>): void {
  describe(`BlobDriver contract: ${name}`, () => {
    let d: DriverUnderTest;
    before(async () => {
      d = await make();
    });
    after(async () => {
      await d?.cleanup();
    });

    test('stat of a missing object is null, read rejects with NotFoundError', async () => {
      assert.equal(await d.driver.stat('missing/object'), null);
      await assert.rejects(d.driver.read('missing/object'), NotFoundError);
      await assert.rejects(d.driver.read('missing/object', { start: 0, end: 3 }), NotFoundError);
    });

    test('put then read returns the same bytes and size; an empty put makes an empty object', async () => {
      const data = randomBytes(64 * 1024 + 17);
      await d.driver.put('a/one', data);
      assert.deepEqual(await d.driver.stat('a/one'), { size: data.length });
      assert.ok((await readAll(await d.driver.read('a/one'))).equals(data));
      await d.driver.put('a/empty', Buffer.alloc(0));
      assert.deepEqual(await d.driver.stat('a/empty'), { size: 0 });
      assert.equal((await readAll(await d.driver.read('a/empty'))).length, 0);
      await d.driver.put('a/one', Buffer.from('replaced'));
      assert.equal((await readAll(await d.driver.read('a/one'))).toString(), 'replaced');
    });

    test('read of an inclusive byte range', async () => {
      await d.driver.put('a/range', Buffer.from('0123456789abcdef'));
      assert.equal((await readAll(await d.driver.read('a/range', { start: 3, end: 7 }))).toString(), '34567');
      assert.equal((await readAll(await d.driver.read('a/range', { start: 15, end: 15 }))).toString(), 'f');
      assert.equal((await readAll(await d.driver.read('a/range', { start: 0, end: 0 }))).toString(), '0');
    });

    test('serving into a stream (copyTo when offered, else read): the object or a range, without ending it', async () => {
      // What the blob GET does with either kind of driver (content/blob-content.ts send()).
      const serve = async (path: string, dest: Writable, range?: { start: number; end: number }) => {
        if (d.driver.copyTo) return d.driver.copyTo(path, dest, range);
        await pipeline(await d.driver.read(path, range), dest, { end: false });
      };
      const data = randomBytes(2 * 1024 * 1024 + 333);
      await d.driver.put('a/copy', data);
      const collect = async (range?: { start: number; end: number }) => {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(Buffer.from(chunk));
            setImmediate(cb);
          },
        });
        await serve('a/copy', sink, range);
        assert.equal(sink.writableEnded, false);
        return Buffer.concat(chunks);
      };
      assert.ok((await collect()).equals(data));
      assert.ok((await collect({ start: 1_000_000, end: 1_100_000 })).equals(data.subarray(1_000_000, 1_100_001)));
      await assert.rejects(serve('a/missing', new Writable({ write: (_c, _e, cb) => cb() })), NotFoundError);
    });

    test('an upload of appends smaller than the part size commits to exactly its bytes', async () => {
      const id = randomUUID();
      const data = randomBytes(d.partSize * 2 + 12_345);
      const small = Math.floor(d.partSize / 3);
      // Pieces below the part size, then one that crosses two part boundaries at once.
      const s = await appendAll(d.driver, id, split(data, [small, small, small, 1, d.partSize + 5]));
      assert.equal(s.size, data.length);
      assert.ok((await uploadIds(d.driver)).includes(id), 'the upload is listed while in progress');
      await d.driver.uploads.commit(id, s, 'c/chunked');
      assert.deepEqual(await d.driver.stat('c/chunked'), { size: data.length });
      assert.ok((await readAll(await d.driver.read('c/chunked'))).equals(data));
      assert.ok(!(await uploadIds(d.driver)).includes(id), 'a committed upload is gone');
      const tail = await readAll(await d.driver.read('c/chunked', { start: data.length - 100, end: data.length - 1 }));
      assert.ok(tail.equals(data.subarray(data.length - 100)));
    });

    test('appends that start and end anywhere, sent in odd socket chunks, commit to exactly their bytes', async () => {
      // Boundaries on and off the disk's 512- and 4096-byte blocks and the 1 MiB staging halves
      // of the filesystem driver's direct writes, and a chunk that crosses several of them.
      const sizes = [1, 4095, 4097, 511, (1 << 20) - 3, 4096, (3 << 20) + 5, 513];
      const data = randomBytes(sizes.reduce((a, b) => a + b, 0));
      const id = randomUUID();
      let s = emptyUpload;
      let at = 0;
      for (const n of sizes) {
        const piece = data.subarray(at, at + n);
        const chunks = split(piece, [3, 70_001, 1, 65_536, 2_000_000]);
        s = await d.driver.uploads.append(id, s, Readable.from(chunks));
        await d.driver.uploads.settle?.(id, s);
        at += n;
        assert.equal(s.size, at);
      }
      await d.driver.uploads.commit(id, s, 'c/odd');
      assert.deepEqual(await d.driver.stat('c/odd'), { size: data.length });
      assert.ok((await readAll(await d.driver.read('c/odd'))).equals(data));
    });

    test('an upload continues on a fresh driver instance (a restart, another instance)', async () => {
      const id = randomUUID();
      const data = randomBytes(d.partSize + 4321);
      const half = await appendAll(d.driver, id, [data.subarray(0, 1000), data.subarray(1000, d.partSize - 10)]);
      const other = d.reopen();
      const s = await appendAll(other, id, [data.subarray(d.partSize - 10)], half);
      await d.reopen().uploads.commit(id, s, 'c/resumed');
      assert.ok((await readAll(await d.driver.read('c/resumed'))).equals(data));
    });

    test('an unacknowledged append is forgotten: a retry from the last durable state wins', async () => {
      const id = randomUUID();
      const good = await appendAll(d.driver, id, [Buffer.from('hello ')]);
      const failing = new Readable({
        read() {
          this.push(Buffer.alloc(1000, 0x78));
          this.destroy(new Error('client went away'));
        },
      });
      await assert.rejects(d.driver.uploads.append(id, good, failing), /client went away/);
      // A complete append whose state the caller never made durable (its row update failed).
      await d.driver.uploads.append(id, good, Readable.from([Buffer.from('stale bytes')]));
      const s = await appendAll(d.driver, id, [Buffer.from('world')], good);
      await d.driver.uploads.commit(id, s, 'c/retried');
      assert.equal((await readAll(await d.driver.read('c/retried'))).toString(), 'hello world');
    });

    test('a long append in socket-sized chunks: whole, or cut off with its error and forgotten', async () => {
      // 20 MiB in 64 KiB pieces passes a driver's in-stream flush points (the filesystem
      // driver's background fdatasync every 8 MiB) several times.
      const id = randomUUID();
      const data = randomBytes(20 << 20);
      const pieces = split(data, Array.from({ length: 320 }, () => 64 << 10));
      const head = await appendAll(d.driver, id, [data.subarray(0, 1000)]);
      let sent = 0;
      const cut = new Readable({
        read() {
          if (sent >= 18 << 20) return void this.destroy(new Error('client went away'));
          this.push(pieces[sent / (64 << 10)]);
          sent += 64 << 10;
        },
      });
      await assert.rejects(d.driver.uploads.append(id, head, cut), /client went away/);
      const rest = data.subarray(1000);
      const whole = await d.driver.uploads.append(id, head, Readable.from(split(rest, Array.from({ length: 320 }, () => 64 << 10))));
      assert.equal(whole.size, data.length);
      await d.driver.uploads.settle?.(id, whole);
      await d.driver.uploads.commit(id, whole, 'c/long');
      assert.deepEqual(await d.driver.stat('c/long'), { size: data.length });
      assert.ok((await readAll(await d.driver.read('c/long'))).equals(data));
      // What the cut-off append left (an S3 multipart upload) is the purge's to remove, as here.
      await d.driver.uploads.abort(id, null);
      assert.ok((await readAll(await d.driver.read('c/long'))).equals(data));
    });

    test('an empty upload commits to an empty object; an empty append changes nothing', async () => {
      const id = randomUUID();
      const s = await d.driver.uploads.append(id, emptyUpload, Readable.from([]));
      assert.equal(s.size, 0);
      await d.driver.uploads.commit(id, s, 'c/empty');
      assert.deepEqual(await d.driver.stat('c/empty'), { size: 0 });
      const id2 = randomUUID();
      await d.driver.uploads.commit(id2, emptyUpload, 'c/empty2');
      assert.deepEqual(await d.driver.stat('c/empty2'), { size: 0 });
    });

    test('commit hands exactly the stored bytes to the check; a refusal writes nothing', async () => {
      const id = randomUUID();
      const data = randomBytes(d.partSize + 99);
      const s = await appendAll(d.driver, id, split(data, [d.partSize - 1]));
      await assert.rejects(
        d.driver.uploads.commit(id, s, 'c/refused', async (bytes) => {
          assert.ok((await readAll(bytes)).equals(data));
          throw new Error('digest mismatch');
        }),
        /digest mismatch/,
      );
      assert.equal(await d.driver.stat('c/refused'), null);
      await d.driver.uploads.abort(id, s);
      assert.ok(!(await uploadIds(d.driver)).includes(id));
      let seen = 0;
      const id2 = randomUUID();
      const s2 = await appendAll(d.driver, id2, [data]);
      await d.driver.uploads.commit(id2, s2, 'c/checked', async (bytes) => {
        seen = (await readAll(bytes)).length;
      });
      assert.equal(seen, data.length);
      assert.deepEqual(await d.driver.stat('c/checked'), { size: data.length });
    });

    test('commit onto an already stored object replaces it', async () => {
      await d.driver.put('c/existing', Buffer.from('old old old'));
      const id = randomUUID();
      const s = await appendAll(d.driver, id, [Buffer.from('new')]);
      await d.driver.uploads.commit(id, s, 'c/existing');
      assert.equal((await readAll(await d.driver.read('c/existing'))).toString(), 'new');
    });

    test('abort removes an upload and all it holds; aborting twice or a never-started upload is fine', async () => {
      const id = randomUUID();
      const s = await appendAll(d.driver, id, [randomBytes(d.partSize + 10), Buffer.from('tail')]);
      assert.ok((await uploadIds(d.driver)).includes(id));
      const listed = [];
      for await (const u of d.driver.uploads.list()) if (u.id === id) listed.push(u);
      assert.ok(listed[0]!.modified > Date.now() - 120_000, 'the listing carries the last write time');
      await d.driver.uploads.abort(id, s);
      assert.ok(!(await uploadIds(d.driver)).includes(id));
      await d.driver.uploads.abort(id, s);
      await d.driver.uploads.abort(randomUUID(), null);
    });

    test('abort without the state (a purge of an orphan) still removes everything', async () => {
      const id = randomUUID();
      await appendAll(d.driver, id, [randomBytes(d.partSize + 10), Buffer.from('tail')]);
      await d.reopen().uploads.abort(id, null);
      assert.ok(!(await uploadIds(d.driver)).includes(id));
    });

    test('an upload told its destination (one final append) is invisible there until commit', async () => {
      for (const size of [2 * d.partSize + 3, 1000]) {
        const id = randomUUID();
        const data = randomBytes(size);
        const to = `c/in-place-${size}`;
        const s = await d.driver.uploads.append(id, emptyUpload, Readable.from(split(data, [7, d.partSize])), { destination: to, final: true });
        assert.equal(s.size, size);
        assert.equal(await d.driver.stat(to), null, 'nothing is visible before commit');
        await d.driver.uploads.commit(id, s, to);
        assert.ok((await readAll(await d.driver.read(to))).equals(data));
        assert.ok(!(await uploadIds(d.driver)).includes(id), 'nothing of the upload is left');
      }
    });

    test('an in-place upload whose instance died is removed by an abort that knows only its id', async () => {
      const id = randomUUID();
      const s = await d.driver.uploads.append(id, emptyUpload, Readable.from([randomBytes(d.partSize + 1)]), { destination: 'c/never', final: true });
      assert.ok(s.size > 0);
      assert.ok((await uploadIds(d.driver)).includes(id), 'the purge can find it');
      await d.reopen().uploads.abort(id, null);
      assert.ok(!(await uploadIds(d.driver)).includes(id));
      assert.equal(await d.driver.stat('c/never'), null);
    });

    test('delete removes objects and whole prefixes; deleting nothing is fine', async () => {
      await d.driver.put('del/a/1', Buffer.from('1'));
      await d.driver.put('del/a/2', Buffer.from('2'));
      await d.driver.delete('del/a/1');
      assert.equal(await d.driver.stat('del/a/1'), null);
      await d.driver.delete('del');
      assert.equal(await d.driver.stat('del/a/2'), null);
      await d.driver.delete('del/never/was');
    });

    test('list walks every object under a prefix with size and time', async () => {
      const before = Date.now() - 60_000;
      await d.driver.put('walk/x/1', Buffer.from('1'));
      await d.driver.put('walk/y/z/2', Buffer.from('22'));
      const seen = [];
      for await (const o of d.driver.list('walk')) seen.push(o);
      seen.sort((a, b) => a.path.localeCompare(b.path));
      assert.deepEqual(seen.map((o) => [o.path, o.size]), [['walk/x/1', 1], ['walk/y/z/2', 2]]);
      assert.ok(seen.every((o) => o.modified > before));
      const none = [];
      for await (const o of d.driver.list('nothing-here')) none.push(o);
      assert.equal(none.length, 0);
    });

    test('paths that could escape the store are refused', async () => {
      for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a/./b', 'a/b\\..\\c']) {
        await assert.rejects(d.driver.stat(bad), /invalid storage path/, bad);
        await assert.rejects(d.driver.put(bad, Buffer.alloc(0)), /invalid storage path/, bad);
        await assert.rejects(d.driver.uploads.commit(randomUUID(), emptyUpload, bad), /invalid storage path/, bad);
      }
      await assert.rejects(d.driver.uploads.append('../x', emptyUpload, Readable.from([])), /invalid storage path/);
      await assert.rejects(d.driver.uploads.append('a/b', emptyUpload, Readable.from([])), /invalid storage path/);
    });
  });
}
