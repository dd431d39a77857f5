import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** Most bytes gathered while a writev is in flight before the source is paused. */
const batchBytes = 2 << 20;

/**
 * Writes all of `source` into `handle` from `position` and resolves with the end position. The
 * lean path of a push: chunks go from the socket's 'data' events straight into writev batches,
 * with no stream in between (a Transform and a Writable per request cost more CPU than the
 * hashing). What arrives while a write is in flight becomes the next write, so a fast client
 * gets large batches and a slow one has its bytes on disk at once; past `batchBytes` waiting
 * the source is paused, so memory stays bounded whatever the client's speed. `onBytes` sees every chunk, in
 * order (the upload's sha256). On any failure the source is destroyed, as pipeline() would.
 */
export function receiveInto(
  source: Readable,
  handle: FileHandle,
  position: number,
  opts: { onBytes?: ((chunk: Buffer) => void) | undefined; signal?: AbortSignal | undefined } = {},
): Promise<number> {
  const { onBytes, signal } = opts;
  return new Promise<number>((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let writing = false;
    let ended = false;
    let done = false;
    let scheduled = false;
    let pos = position;

    const cleanup = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      source.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
    };
    function fail(err: unknown): void {
      if (done) return;
      done = true;
      cleanup();
      if (!source.destroyed) source.destroy(err as Error);
      reject(err);
    }
    function flush(): void {
      if (writing || done) return;
      if (pendingBytes === 0) {
        if (ended) {
          done = true;
          cleanup();
          resolve(pos);
        }
        return;
      }
      const buffers = pending;
      const n = pendingBytes;
      pending = [];
      pendingBytes = 0;
      writing = true;
      writeAll(handle, buffers, pos, n).then(() => {
        writing = false;
        pos += n;
        if (!ended && source.isPaused()) source.resume();
        flush();
      }, fail);
    }
    function onData(chunk: Buffer): void {
      try {
        onBytes?.(chunk);
      } catch (err) {
        fail(err);
        return;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= batchBytes) {
        if (writing) source.pause();
        flush();
      } else if (!writing && !scheduled) {
        // Whatever else this turn of the event loop reads joins the same writev.
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      }
    }
    function onEnd(): void {
      ended = true;
      flush();
    }
    function onClose(): void {
      if (!ended) fail(Object.assign(new Error('request body ended before it was complete'), { code: 'ECONNRESET' }));
    }
    function onAbort(): void {
      fail(signal?.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    }

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', fail);
    source.once('close', onClose);
    if (source.isPaused()) source.resume();
  });
}

/** writev until every byte is written (a file write may, rarely, be short). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number, total: number): Promise<void> {
  let written = 0;
  let bufs = buffers;
  while (written < total) {
    const { bytesWritten } = await handle.writev(bufs, position + written);
    written += bytesWritten;
    if (written < total) bufs = remainder(buffers, written);
  }
}

function remainder(buffers: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  let left = skip;
  for (const b of buffers) {
    if (left >= b.length) left -= b.length;
    else {
      out.push(left > 0 ? b.subarray(left) : b);
      left = 0;
    }
  }
  return out;
}
