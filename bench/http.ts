/**
 * A thin client over node:http with keep-alive agents. Bodies are written piece by piece with
 * backpressure, so a 1 GiB upload is streamed from pool subarrays and never copied.
 */
import http, { type IncomingHttpHeaders } from 'node:http';

export interface Endpoint {
  /** e.g. http://127.0.0.1:5000 */
  url: string;
  host: string;
  port: number;
}

export function endpoint(url: string): Endpoint {
  const u = new URL(url);
  return { url: u.origin, host: u.hostname, port: Number(u.port) };
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

export interface CallOptions {
  headers?: Record<string, string | number>;
  /** Request body: one Buffer, or pieces written in order (Content-Length must then be given). */
  body?: Buffer | Iterable<Buffer>;
  /** Receives the response body instead of it being collected (large pulls). */
  sink?: (chunk: Buffer) => void;
}

export interface CallResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The collected body (empty when a sink was given). */
  body: Buffer;
  /** Bytes of response body received. */
  received: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

/** One request; resolves once the whole response body has arrived. */
export function call(agent: http.Agent, ep: Endpoint, method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  return new Promise<CallResult>((resolve, reject) => {
    const headers: Record<string, string | number> = { ...opts.headers };
    if (Buffer.isBuffer(opts.body)) headers['Content-Length'] ??= opts.body.length;
    else if (opts.body === undefined && (method === 'PUT' || method === 'POST' || method === 'PATCH')) headers['Content-Length'] ??= 0;
    const req = http.request({ agent, host: ep.host, port: ep.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (opts.sink) opts.sink(c);
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), received }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body === undefined) req.end();
    else if (Buffer.isBuffer(opts.body)) req.end(opts.body);
    else writePieces(req, opts.body).catch((err: unknown) => req.destroy(err as Error));
  });
}

async function writePieces(req: http.ClientRequest, pieces: Iterable<Buffer>): Promise<void> {
  for (const piece of pieces) {
    if (req.destroyed) return;
    if (!req.write(piece)) await drained(req);
  }
  req.end();
}

/** Resolves on 'drain', or on 'close' so a failed request never leaves the writer waiting. */
function drained(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** Like call(), but throws unless the status is one of `expect`. */
export async function expectStatus(
  agent: http.Agent,
  ep: Endpoint,
  method: string,
  path: string,
  expect: number | number[],
  opts: CallOptions = {},
): Promise<CallResult> {
  const r = await call(agent, ep, method, path, opts);
  const ok = Array.isArray(expect) ? expect.includes(r.status) : r.status === expect;
  if (!ok) {
    const text = r.body.toString('utf8').slice(0, 500);
    throw new HttpError(`${method} ${path.slice(0, 200)}: expected ${String(expect)}, got ${r.status} ${text}`, r.status, text);
  }
  return r;
}

export function header(r: CallResult, name: string): string {
  const v = r.headers[name.toLowerCase()];
  if (v === undefined) throw new Error(`response has no ${name} header`);
  return Array.isArray(v) ? v[0]! : v;
}

/** Turns a Location (absolute, as distribution sends it, or a path, as Haven does) into a path + query. */
export function locationPath(location: string, ep: Endpoint): string {
  const u = new URL(location, ep.url);
  return `${u.pathname}${u.search}`;
}

/** Adds a query parameter to a path that may already carry a query (distribution's _state). */
export function withQuery(path: string, key: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}
