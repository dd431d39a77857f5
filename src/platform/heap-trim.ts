import { closeSync, openSync, writeSync } from 'node:fs';

/** glibc's largest dynamic mmap threshold is 32 MiB; below it the threshold follows a freed block. */
const block = 16 << 20;

/**
 * Stops glibc from handing freed heap back to the kernel after every garbage collection.
 *
 * Why: each 64 KiB socket read of an upload body is a malloc'd Buffer, freed when V8 collects
 * it. With glibc's initial trim threshold (128 KiB), the heap top is returned to the kernel after
 * such a collection and faulted in again by the next reads: 0.2–0.35 system CPU-s per GiB pushed
 * on this project's VMs (measured per thread: main-thread system time 0.55–0.7 s per GiB, 0.31–0.4
 * with trimming held off). MALLOC_TRIM_THRESHOLD_ would do it, but glibc reads it when the process
 * starts, before any JavaScript runs.
 *
 * So this uses glibc's documented dynamic threshold (mallopt(3), M_MMAP_THRESHOLD): freeing a
 * block that was mmap'd raises the mmap threshold to its size and the trim threshold to twice
 * that. Writing a 16 MiB Latin-1 string makes Node malloc exactly that much (mmap'd, being above
 * the initial threshold) and free it at once. The heap may then keep up to 32 MiB free for reuse.
 * Elsewhere (musl, macOS) it is one harmless 16 MiB write to /dev/null.
 */
export function keepFreedHeap(): void {
  if (process.platform !== 'linux') return;
  const fd = openSync('/dev/null', 'w');
  try {
    writeSync(fd, 'x'.repeat(block), null, 'latin1');
  } finally {
    closeSync(fd);
  }
}
