// Preloaded into every test process (scripts/run-tests.mjs). A failing assert.ok without a
// message makes Node rebuild the message from the call's source: it re-reads the file at the
// call's line and column, which under tsx are positions in the transformed code, and can spin
// for minutes on a long file. Inside eventually(), where failing is the normal way to wait, that
// stalled whole test files for up to 8 minutes. Supplying the message skips that search.
import assert from 'node:assert';
import { inspect } from 'node:util';

const original: (value: unknown, message?: string | Error) => void = assert.ok;
const ok = function ok(value: unknown, message?: string | Error): void {
  original(value, message ?? `expected a truthy value, got ${inspect(value, { depth: 1 })}`);
} as typeof assert.ok;
assert.ok = ok;
assert.strict.ok = ok;
