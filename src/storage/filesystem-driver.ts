import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ByteRange } from '../platform/byte-range.js';
import { NotFoundError, type BlobDriver, type StoredObject } from './blob-driver.js';
import { withPathChecks } from './checked-driver.js';
import { pumpFile } from './file-pump.js';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { freeBytes } from '../platform/free-space.js';
import { DirectWriter, directFile } from './direct-writer.js';

const readChunk = 1 << 20;

const uploadPath = (id: string) => `uploads/${id}`;

/**
 * Blobs as files under one root. Durability: upload bytes are fsynced before append() resolves
 * and the parent directory is fsynced after the commit's rename, so a committed object survives kill -9 and power
 * loss, and a half-written one only ever exists under its temporary (upload) path.
 */
export function createFilesystemDriver(root: string, opts: { directWrites?: boolean } = {}): BlobDriver {
  const abs = (p: string) => join(root, p);
  let rootReady: Promise<unknown> | null = null;
  /** Off when told, or once the filesystem refused O_DIRECT (tmpfs before Linux 6.6, some FUSE). */
  let direct = opts.directWrites ?? true;

  const driver: BlobDriver & { put(path: string, data: Buffer): Promise<void> } = {
    name: 'filesystem',

    async stat(path) {
      try {
        const s = await stat(abs(path));
        return s.isFile() ? { size: s.size } : null;
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },

    async read(path, range?: ByteRange) {
      const file = abs(path);
      // Open first so a missing file rejects here rather than as a stream error mid-response.
      const handle = await open(file, 'r').catch((err) => {
        throw isNotFound(err) ? new NotFoundError(path) : err;
      });
      return handle.createReadStream({
        highWaterMark: readChunk,
        ...(range ? { start: range.start, end: range.end } : {}),
      }) as unknown as Readable;
    },

    async copyTo(path, dest, range?: ByteRange) {
      const handle = await open(abs(path), 'r').catch((err) => {
        throw isNotFound(err) ? new NotFoundError(path) : err;
      });
      try {
        const end = range ? range.end : (await handle.stat()).size - 1;
        if (end >= (range?.start ?? 0)) await pumpFile(handle, dest, range?.start ?? 0, end);
      } finally {
        await handle.close();
      }
    },

    async put(path, data) {
      const file = abs(path);
      await mkdir(dirname(file), { recursive: true });
      // Through a temporary name, so a reader never sees a half-written object.
      const tmp = `${file}.${randomUUID()}.tmp`;
      const handle = await open(tmp, 'w');
      try {
        await handle.write(data, 0, data.length, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
      await syncDir(dirname(file));
    },

    async delete(path) {
      await rm(abs(path), { recursive: true, force: true });
    },

    async deleteMany(paths, concurrency = 8) {
      // Plain unlinks (rm's recursive walk costs several syscalls a file), a few in flight at once.
      let next = 0;
      const worker = async () => {
        while (next < paths.length) {
          await unlink(abs(paths[next++]!)).catch((err: unknown) => {
            if (!isNotFound(err)) throw err;
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
    },

    async *list(prefix) {
      yield* walk(root, prefix);
    },

    uploads: {
      async append(id, from, source, opts = {}) {
        const file = abs(uploadPath(id));
        if (from.size === 0) await mkdir(dirname(file), { recursive: true });
        const handle = await open(file, from.size > 0 ? 'r+' : 'w').catch((err) => {
          throw isNotFound(err) ? new NotFoundError(uploadPath(id)) : err;
        });
        const directOut = direct ? directFile(file) : null;
        try {
          const out = directOut ? new DirectWriter(directOut, handle, from.size) : new FileHandleWriter(handle, from.size);
          try {
            // The digest listens beside the pipe: the same chunks, in order, with no extra stage.
            if (opts.onBytes) source.on('data', opts.onBytes);
            await pipeline(source, out, opts.signal ? { signal: opts.signal } : {});
          } finally {
            await out.idle();
          }
          out.assertFlushed();
          if (out instanceof DirectWriter && out.refused) direct = false;
          const end = out.position;
          // A cut-off earlier append may have left bytes past the durable size: never keep them.
          await handle.truncate(end);
          await handle.sync();
          return { size: end, state: '' };
        } finally {
          await directOut?.close();
          await handle.close();
        }
      },

      async commit(id, upload, to, check) {
        const from = abs(uploadPath(id));
        if (upload.size === 0) await driver.put(uploadPath(id), Buffer.alloc(0));
        else {
          const handle = await open(from, 'r+').catch((err) => {
            throw isNotFound(err) ? new NotFoundError(uploadPath(id)) : err;
          });
          try {
            if ((await handle.stat()).size < upload.size) throw new Error(`upload ${id} holds fewer bytes than its ${upload.size}`);
            await handle.truncate(upload.size);
          } finally {
            await handle.close();
          }
        }
        if (check) await check(await driver.read(uploadPath(id)));
        const target = abs(to);
        await mkdir(dirname(target), { recursive: true });
        try {
          await rename(from, target);
        } catch (err) {
          throw isNotFound(err) ? new NotFoundError(uploadPath(id)) : err;
        }
        await syncDir(dirname(target));
      },

      async abort(id) {
        await rm(abs(uploadPath(id)), { force: true });
      },

      async *list() {
        for await (const o of walk(root, 'uploads')) yield { id: o.path.slice('uploads/'.length), modified: o.modified };
      },
    },

    async freeBytes() {
      // The root appears with the first write; statfs needs it before that, once.
      rootReady ??= mkdir(root, { recursive: true }).catch((err: unknown) => {
        rootReady = null;
        throw err;
      });
      await rootReady;
      return freeBytes(root);
    },
  };
  return withPathChecks(driver);
}

/** Bytes written between the flushes an append starts while its body still streams in. */
const flushEvery = 8 << 20;

/**
 * Writes at explicit positions through a FileHandle the caller keeps open (fs.WriteStream would
 * close it before we can truncate and fsync). Batches queued chunks into one writev.
 *
 * Every `flushEvery` bytes it starts an fdatasync in the background, so the disk writes while
 * the socket still delivers: the fsync that acknowledges the append then waits only for the
 * last few MiB, not for the whole body (16 MiB per PATCH, 1 GiB for a monolithic push). The
 * early flushes are only a head start; durability still comes from the caller's final fsync.
 */
class FileHandleWriter extends Writable {
  private unflushed = 0;
  private flushing: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(private readonly handle: FileHandle, public position: number) {
    super({ highWaterMark: readChunk });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.handle.write(chunk, 0, chunk.length, this.position).then(({ bytesWritten }) => this.wrote(bytesWritten, cb), cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    const buffers = chunks.map((c) => c.chunk);
    this.handle.writev(buffers, this.position).then(({ bytesWritten }) => this.wrote(bytesWritten, cb), cb);
  }

  /** Resolves once no background flush holds the handle (before the caller closes it). */
  async idle(): Promise<void> {
    await this.flushing;
  }

  assertFlushed(): void {
    if (this.failure) throw this.failure;
  }

  private wrote(bytes: number, cb: () => void): void {
    this.position += bytes;
    this.unflushed += bytes;
    if (this.unflushed >= flushEvery && this.flushing === null && !this.destroyed) {
      this.unflushed = 0;
      // Linux reports a writeback error to one fsync per descriptor only, so the final fsync
      // may never see what this one saw: keep it, and assertFlushed() rejects the append with it.
      this.flushing = this.handle.datasync().then(
        () => {
          this.flushing = null;
        },
        (err: Error) => {
          this.failure ??= err;
          this.flushing = null;
        },
      );
    }
    cb();
  }
}

async function* walk(root: string, rel: string): AsyncIterable<StoredObject> {
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch (err) {
    if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  for (const e of entries) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) yield* walk(root, child);
    else if (e.isFile()) {
      const s = await stat(join(root, child)).catch(() => null);
      if (s) yield { path: child, size: s.size, modified: s.mtimeMs };
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
