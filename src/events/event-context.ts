import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventOrigin } from './domain-events.js';

/**
 * Who and where, for events written deep in the stores: one mutable record per request, set
 * up by the server's first hook and completed when the caller is identified (the /v2 access
 * hook, the API's identify hook), so manifests.put and friends need no extra parameters. Outside
 * a request (jobs, tests of stores) the origin is the system: operator '' and no host.
 */
const storage = new AsyncLocalStorage<EventOrigin>();

/** Runs `work` (a Fastify hook's `done`) with a fresh origin for the request. */
export function runWithEventOrigin(origin: EventOrigin, work: () => void): void {
  storage.run(origin, work);
}

/** Names the caller of the current request, once known. */
export function setEventOperator(operator: string): void {
  const origin = storage.getStore();
  if (origin) origin.operator = operator;
}

/** A copy of the current origin (the system's outside a request). */
export function eventOrigin(): EventOrigin {
  const o = storage.getStore();
  return o ? { operator: o.operator, host: o.host, requestId: o.requestId } : { operator: '', host: '', requestId: '' };
}

/**
 * Runs a job's `work` as its operator (the caller of a run now, the system's name for a schedule):
 * the events its deletes write name who the audit log names, and the Host the run was asked
 * through (none for a schedule), but no request id: the request has ended.
 */
export function runAsOperator<T>(operator: string, work: () => Promise<T>, host = ''): Promise<T> {
  return storage.run({ operator, host, requestId: '' }, work);
}
