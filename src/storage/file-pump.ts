import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ClientClosedError } from '../platform/errors.js';

const chunkSize = 1 << 20;
const ringSize = 4;
/** Buffers kept between requests; a pull allocates none once the pool is warm. */
const pool: Buffer[] = [];
const maxPooled = 64;

function acquire(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(chunkSize);
}

function release(b: Buffer): void {
  if (pool.length < maxPooled) pool.push(b);
}

/**
 * Copies bytes [start, end] of a file into `dest` through a small ring of reused buffers. A
 * buffer goes back to the ring only when dest reports it written, so nothing is overwritten
 * while the socket still holds it. fs.ReadStream would allocate a fresh 1 MiB buffer per chunk,
 * and at gigabytes per second the garbage collector, not the disk, becomes the limit.
 */
export async function pumpFile(handle: FileHandle, dest: Writable, start: number, end: number): Promise<void> {
  let position = start;
  let inFlight = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onClose = () => {
    failure ??= new ClientClosedError();
    notify();
  };
  dest.on('close', onClose);
  dest.on('error', onClose);
  try {
    while (position <= end) {
      while (inFlight >= ringSize && !failure) await new Promise<void>((r) => (wake = r));
      if (failure) throw failure;
      const buf = acquire();
      const want = Math.min(chunkSize, end - position + 1);
      const { bytesRead } = await handle.read(buf, 0, want, position);
      if (bytesRead === 0) {
        release(buf);
        throw new Error(`file ended at ${position}, before ${end + 1}`);
      }
      position += bytesRead;
      inFlight++;
      dest.write(buf.subarray(0, bytesRead), (err) => {
        inFlight--;
        if (err) failure ??= new ClientClosedError();
        else release(buf);
        notify();
      });
    }
    while (inFlight > 0 && !failure) await new Promise<void>((r) => (wake = r));
    if (failure) throw failure;
  } finally {
    dest.off('close', onClose);
    dest.off('error', onClose);
  }
}
