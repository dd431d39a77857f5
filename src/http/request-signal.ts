import type { IncomingMessage } from 'node:http';

/**
 * Aborted when the client goes away before its request body has fully arrived, so an upload
 * streaming that body stops at once (its session keeps the last acknowledged offset). A body
 * that arrived in full never aborts: its bytes are made durable and acknowledged.
 */
export function abortedOnDisconnect(req: IncomingMessage): AbortSignal {
  const controller = new AbortController();
  req.once('close', () => {
    if (!req.complete) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}
