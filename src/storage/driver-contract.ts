import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { NotFoundError, type BlobDriver } from './blob-driver.js';

export interface DriverUnderTest {
  driver: BlobDriver;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
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
      await d.cleanup();
    });

    test('stat of a missing object is null, read rejects with NotFoundError', async () => {
      assert.equal(await d.driver.stat('missing/object'), null);
      await assert.rejects(d.driver.read('missing/object'), NotFoundError);
    });

    test('write then read returns the same bytes and size', async () => {
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const n = await d.driver.write('a/one', Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      assert.equal(n, data.length);
      assert.deepEqual(await d.driver.stat('a/one'), { size: data.length });
      assert.ok((await readAll(await d.driver.read('a/one'))).equals(data));
    });

    test('read of an inclusive byte range', async () => {
      const data = Buffer.from('0123456789abcdef');
      await d.driver.write('a/range', Readable.from([data]));
      assert.equal((await readAll(await d.driver.read('a/range', { start: 3, end: 7 }))).toString(), '34567');
      assert.equal((await readAll(await d.driver.read('a/range', { start: 15, end: 15 }))).toString(), 'f');
    });

    test('copyTo (when offered) writes the object or a range into a stream, without ending it', async (t) => {
      if (!d.driver.copyTo) return t.skip(`${name} has no copyTo fast path`);
      const data = randomBytes(2 * 1024 * 1024 + 333);
      await d.driver.write('a/copy', Readable.from([data]));
      const collect = async (range?: { start: number; end: number }) => {
        const chunks: Buffer[] = [];
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(Buffer.from(chunk));
            setImmediate(cb);
          },
        });
        await d.driver.copyTo!('a/copy', sink, range);
        assert.equal(sink.writableEnded, false);
        return Buffer.concat(chunks);
      };
      assert.ok((await collect()).equals(data));
      assert.ok((await collect({ start: 1_000_000, end: 1_100_000 })).equals(data.subarray(1_000_000, 1_100_001)));
      await assert.rejects(d.driver.copyTo('a/missing', new Writable({ write: (_c, _e, cb) => cb() })), NotFoundError);
    });

    test('write at an offset appends and discards anything past the written end', async () => {
      await d.driver.write('a/chunks', Readable.from([Buffer.from('hello world, and more')]));
      const n = await d.driver.write('a/chunks', Readable.from([Buffer.from('there')]), { offset: 6 });
      assert.equal(n, 5);
      assert.equal((await readAll(await d.driver.read('a/chunks'))).toString(), 'hello there');
    });

    test('an empty write creates an empty object', async () => {
      assert.equal(await d.driver.write('a/empty', Readable.from([])), 0);
      assert.deepEqual(await d.driver.stat('a/empty'), { size: 0 });
    });

    test('a failing source rejects the write', async () => {
      const failing = new Readable({
        read() {
          this.destroy(new Error('client went away'));
        },
      });
      await assert.rejects(d.driver.write('a/failed', failing), /client went away/);
    });

    test('move replaces the target atomically and removes the source', async () => {
      await d.driver.write('tmp/x', Readable.from([Buffer.from('new')]));
      await d.driver.write('final/x', Readable.from([Buffer.from('old')]));
      await d.driver.move('tmp/x', 'final/x');
      assert.equal(await d.driver.stat('tmp/x'), null);
      assert.equal((await readAll(await d.driver.read('final/x'))).toString(), 'new');
      await assert.rejects(d.driver.move('tmp/missing', 'final/y'), NotFoundError);
    });

    test('delete removes objects and whole prefixes; deleting nothing is fine', async () => {
      await d.driver.write('del/a/1', Readable.from([Buffer.from('1')]));
      await d.driver.write('del/a/2', Readable.from([Buffer.from('2')]));
      await d.driver.delete('del/a/1');
      assert.equal(await d.driver.stat('del/a/1'), null);
      await d.driver.delete('del');
      assert.equal(await d.driver.stat('del/a/2'), null);
      await d.driver.delete('del/never/was');
    });

    test('list walks every object under a prefix with size and time', async () => {
      const before = Date.now() - 60_000;
      await d.driver.write('walk/x/1', Readable.from([Buffer.from('1')]));
      await d.driver.write('walk/y/z/2', Readable.from([Buffer.from('22')]));
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
        await assert.rejects(d.driver.write(bad, Readable.from([])), /invalid storage path/, bad);
      }
    });
  });
}
