/**
 * Imported first by the command line: libuv runs file writes, fsyncs, unlinks and hashing-free
 * crypto work on a pool of 4 threads by default, so a garbage collection unlinking blobs and a few
 * pushes fsyncing chunks queue behind each other and pushes slow by half. The threads mostly wait
 * on the disk, not the CPU, so a larger pool costs little. It must be set before the pool's first
 * use; an operator's own UV_THREADPOOL_SIZE wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
