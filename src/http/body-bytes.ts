import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream';

const counted = new WeakMap<IncomingMessage, { bytes: number }>();

/**
 * The request body as a stream. With a Content-Length the raw request is returned untouched
 * (the header is the count); a chunked body passes through a counter, so the request log can
 * still say how many bytes came in.
 */
export function requestBody(req: IncomingMessage): Readable {
  if (req.headers['content-length'] !== undefined) return req;
  const state = { bytes: 0 };
  counted.set(req, state);
  const counter = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      state.bytes += chunk.length;
      cb(null, chunk);
    },
  });
  pipeline(req, counter, () => {});
  return counter;
}

export function bodyBytes(req: IncomingMessage): number {
  const c = counted.get(req);
  if (c) return c.bytes;
  return Number(req.headers['content-length'] ?? 0) || 0;
}
