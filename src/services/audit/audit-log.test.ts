import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord, AuditStore } from '../../db/audit.js';
import type { Logger } from '../../platform/logger.js';
import { createAuditLog } from './audit-log.js';

function fakeStore(gate?: Promise<void>) {
  const batches: AuditRecord[][] = [];
  const store = {
    async insertMany(records: AuditRecord[]) {
      if (gate) await gate;
      batches.push(records);
    },
  } as unknown as AuditStore;
  return { store, batches };
}

function fakeLog() {
  const warnings: Array<Record<string, unknown>> = [];
  const log = { warn: (o: Record<string, unknown>) => warnings.push(o), error: () => {} } as unknown as Logger;
  return { log, warnings };
}

const rec = (operation = 'pull') => ({ projectId: 1, operation, resourceType: 'artifact', resource: 'p/r:t', username: 'u', clientIp: '::1', success: true });

test('a full queue drops new records, counts them and warns once, instead of growing', async () => {
  let open!: () => void;
  const { store, batches } = fakeStore(new Promise<void>((r) => (open = r)));
  const { log, warnings } = fakeLog();
  const audit = createAuditLog(store, log, { flushEveryMs: 60_000, maxQueued: 10, maxBatch: 4 });
  for (let i = 0; i < 25; i++) audit.record(rec());
  assert.deepEqual(audit.stats(), { queued: 10, written: 0, dropped: 15 });
  const closing = audit.close();
  open();
  await closing;
  // Ten records in batches of at most four, each its own insertMany (one transaction).
  assert.deepEqual(batches.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(audit.stats(), { queued: 0, written: 10, dropped: 15 });
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.dropped, 15);
});

test('pulls: false skips pull records only', async () => {
  const { store, batches } = fakeStore();
  const audit = createAuditLog(store, fakeLog().log, { flushEveryMs: 60_000, pulls: false });
  audit.record(rec('pull'));
  audit.record(rec('create'));
  audit.record(rec('delete'));
  await audit.close();
  assert.deepEqual(batches.flat().map((r) => r.operation), ['create', 'delete']);
});
