import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, test } from 'node:test';
import { DirectWriter, directFile, type DirectFile } from './direct-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'haven-direct-'));

after(() => rmSync(dir, { recursive: true, force: true }));

/** A direct descriptor whose every write fails as the kernel would with `code`; `opens` counts its opening. */
function refusing(code: 'EINVAL' | 'ENOSPC') {
  const stub = {
    opens: 0,
    file: (): DirectFile => ({
      handle: async () => {
        stub.opens++;
        return {
          write: async () => {
            throw Object.assign(new Error(`${code}: write refused`), { code });
          },
        } as unknown as FileHandle;
      },
      close: async () => {},
    }),
  };
  return stub;
}

/** Appends `data` after the file's first `from` bytes, in chunks of `chunk`, as the driver does. */
async function append(file: string, from: number, data: Buffer, chunk: number, direct: (file: string) => DirectFile) {
  const buffered = await open(file, 'r+');
  const d = direct(file);
  try {
    const out = new DirectWriter(d, buffered, from);
    const pieces = Array.from({ length: Math.ceil(data.length / chunk) }, (_, i) => data.subarray(i * chunk, (i + 1) * chunk));
    await pipeline(Readable.from(pieces), out);
    out.assertFlushed();
    return out;
  } finally {
    await d.close();
    await buffered.close();
  }
}

test('bytes appended mid-block, across staging halves, land exactly after the ones before', async () => {
  const file = join(dir, 'mid');
  const head = randomBytes(5000);
  writeFileSync(file, head);
  const data = randomBytes((2 << 20) + 777);
  const real = directFile(file);
  assert.ok(await real.handle(), 'this filesystem takes O_DIRECT');
  const out = await append(file, head.length, data, 70_001, () => real);
  assert.equal(out.position, head.length + data.length);
  assert.equal(out.refused, false);
  assert.ok(readFileSync(file).equals(Buffer.concat([head, data])));
});

test('a filesystem that opens O_DIRECT but refuses the writes (EINVAL) gets every byte through the cache', async () => {
  const file = join(dir, 'refused');
  writeFileSync(file, Buffer.alloc(0));
  // The kernel's answer where the device wants a bigger alignment than 4 KiB: nothing here
  // refuses a 4 KiB-aligned write, so the refusal is stood in for.
  const data = randomBytes((3 << 20) + 5);
  const out = await append(file, 0, data, 65_536, refusing('EINVAL').file);
  assert.equal(out.refused, true);
  assert.ok(readFileSync(file).equals(data));
});

test('another write error fails the append with that error', async () => {
  const file = join(dir, 'failing');
  writeFileSync(file, Buffer.alloc(0));
  await assert.rejects(append(file, 0, randomBytes(2 << 20), 65_536, refusing('ENOSPC').file), /ENOSPC/);
});

test('an append smaller than a staging half goes through the page cache whole', async () => {
  const file = join(dir, 'small');
  const head = randomBytes(3000);
  writeFileSync(file, head);
  // A direct descriptor that would refuse any write: none may reach it, nor is it even opened.
  const data = randomBytes(700_000);
  const direct = refusing('EINVAL');
  const out = await append(file, head.length, data, 65_536, direct.file);
  assert.equal(out.refused, false, 'no direct write was tried');
  assert.equal(direct.opens, 0, 'no direct descriptor was opened');
  assert.ok(readFileSync(file).equals(Buffer.concat([head, data])));
});

test('a filesystem that refuses the O_DIRECT open gets every byte through the cache', async () => {
  const file = join(dir, 'no-direct');
  writeFileSync(file, Buffer.alloc(0));
  const data = randomBytes((2 << 20) + 9);
  const out = await append(file, 0, data, 65_536, () => ({ handle: async () => null, close: async () => {} }));
  assert.equal(out.refused, true);
  assert.ok(readFileSync(file).equals(data));
});
