import type { IncomingMessage } from 'node:http';

/** What Node raises on a stream whose peer went away mid-transfer. */
const disconnectCodes = new Set(['ABORT_ERR', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/** Whether the client's connection is closed: nothing more can be read from it or sent to it. */
export function connectionGone(req: IncomingMessage): boolean {
  return req.socket == null || req.socket.destroyed;
}

/**
 * Whether an error is the client leaving mid-transfer (closing the connection during an upload,
 * or cut for stalling), not a fault of Haven: logged at info, never as an unhandled error.
 */
export function isClientDisconnect(err: unknown, req: IncomingMessage): boolean {
  if (!connectionGone(req)) return false;
  const e = err as { code?: unknown; message?: unknown } | null;
  return (typeof e?.code === 'string' && disconnectCodes.has(e.code)) || e?.message === 'aborted' || e?.message === 'premature close';
}
