#!/usr/bin/env node
// The `haven` command. CommonJS on purpose: libuv's thread pool (file writes, fsyncs, unlinks)
// is sized when it is first used, and Node's ESM loader uses it to read the first module, so
// only a CommonJS entry can size it in time. Its default of 4 threads let a garbage collection's
// unlinks queue the pushes' fsyncs behind them; the threads mostly wait on the disk, so 16 cost
// little. An operator's own UV_THREADPOOL_SIZE wins. (src/cli/main.ts is the command line.)
process.env.UV_THREADPOOL_SIZE ??= '16';
import('../dist/cli/main.js').catch((err) => {
  // Most often a checkout that was never built.
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND' ? 'haven: dist/ is missing: run `npm run build` first' : err);
  process.exit(1);
});
