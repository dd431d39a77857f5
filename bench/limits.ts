/**
 * The machine's physical limits the registry figures are read against: how fast one core hashes
 * sha256 (every push and every verified pull pays it) and how fast two node processes move bytes
 * over loopback TCP (the ceiling of any pull).
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { MiB } from './data.js';

/** MB/s (10^6 bytes) of node's sha256 over one buffer of `bytes`; best of three passes. */
export function sha256Speed(bytes: number): number {
  const buf = randomBytes(bytes);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    createHash('sha256').update(buf).digest();
    best = Math.min(best, performance.now() - t0);
  }
  return bytes / 1e6 / (best / 1000);
}

/**
 * MB/s of a node TCP sender (in a worker thread, so it has its own event loop and core) to a
 * node receiver on 127.0.0.1, sending `bytes` in 1 MiB writes; best of `runs`. The receiver only counts.
 */
export async function loopbackSpeed(bytes: number, runs = 2): Promise<number> {
  let best = 0;
  for (let i = 0; i < runs; i++) best = Math.max(best, await loopbackOnce(bytes));
  return best;
}

async function loopbackOnce(bytes: number): Promise<number> {
  const receiver = createServer();
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as AddressInfo).port;
  try {
    const received = new Promise<number>((resolve, reject) => {
      receiver.once('connection', (sock) => {
        let got = 0;
        let t0 = 0;
        sock.on('data', (c: Buffer) => {
          if (got === 0) t0 = performance.now();
          got += c.length;
        });
        sock.on('end', () => {
          const ms = performance.now() - t0;
          if (got !== bytes) reject(new Error(`loopback: received ${got} of ${bytes} bytes`));
          else resolve(bytes / 1e6 / (ms / 1000));
        });
        sock.on('error', reject);
      });
    });
    const sender = new Worker(senderSource, { eval: true, workerData: { port, bytes, chunk: MiB } });
    const sent = new Promise<void>((resolve, reject) => {
      sender.once('error', reject);
      sender.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loopback sender exited ${code}`))));
    });
    const [speed] = await Promise.all([received, sent]);
    return speed;
  } finally {
    receiver.close();
  }
}

/**
 * MB/s of the bench's own verifying pull client (node http GET, sha256 of every byte, one
 * thread) against a trivial node HTTP server in a worker thread that sends `bytes` from one
 * reused buffer: the fastest a verified pull can be measured on this machine, whatever the
 * registry does. Best of `runs`.
 */
export async function verifiedPullCeiling(bytes: number, runs = 2): Promise<number> {
  const server = new Worker(httpSenderSource, { eval: true, workerData: { bytes, chunk: MiB } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('message', (m: { port: number }) => resolve(m.port));
      server.once('error', reject);
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let best = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const h = createHash('sha256');
      let got = 0;
      await new Promise<void>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            res.on('data', (c: Buffer) => {
              got += c.length;
              h.update(c);
            });
            res.on('end', () => resolve());
            res.on('error', reject);
          })
          .on('error', reject);
      });
      h.digest();
      if (got !== bytes) throw new Error(`verified-pull ceiling: received ${got} of ${bytes} bytes`);
      best = Math.max(best, bytes / 1e6 / ((performance.now() - t0) / 1000));
    }
    agent.destroy();
    return best;
  } finally {
    await server.terminate();
  }
}

const httpSenderSource = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { bytes, chunk } = workerData;
const buf = randomBytes(chunk);
const srv = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Length': bytes, 'Content-Type': 'application/octet-stream' });
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(chunk, left);
      left -= n;
      if (!res.write(n === chunk ? buf : buf.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
srv.keepAliveTimeout = 60000;
srv.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: srv.address().port }));
`;

// Plain JS: worker eval code is not compiled by tsx.
const senderSource = `
const { workerData } = require('node:worker_threads');
const { createConnection } = require('node:net');
const { randomBytes } = require('node:crypto');
const { port, bytes, chunk } = workerData;
const buf = randomBytes(chunk);
const sock = createConnection({ host: '127.0.0.1', port }, () => {
  let left = bytes;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(chunk, left);
      left -= n;
      if (!sock.write(n === chunk ? buf : buf.subarray(0, n))) return void sock.once('drain', pump);
    }
    sock.end();
  };
  pump();
});
sock.on('close', () => process.exit(0));
sock.on('error', (e) => { console.error(e); process.exit(1); });
`;
