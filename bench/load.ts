/**
 * The request-rate load generator: a fixed number of requests over N keep-alive connections,
 * every response verified, reporting req/s and p50/p99 latency. wrk (C, little CPU) is used
 * when installed; the node generator is the fallback, and is also used for HEAD because wrk
 * 4.1 waits for a body after a HEAD response that carries Content-Length and hangs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadTool } from './config.js';
import { call, keepAliveAgent, type Endpoint } from './http.js';

export interface LoadSpec {
  ep: Endpoint;
  method: 'GET' | 'HEAD';
  path: string;
  headers: Record<string, string>;
  requests: number;
  connections: number;
  /** Every response must be 200 with this Docker-Content-Digest ... */
  digest: string;
  /** ... and, for GET, exactly this body (whose sha256 is `digest`, for manifests). */
  body?: Buffer;
  /** ... and, for HEAD, this Content-Length. */
  contentLength?: number;
}

export interface LoadResult {
  tool: LoadTool;
  requests: number;
  seconds: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** Responses that failed verification, plus transport errors. */
  errors: number;
}

/** Live wrk processes, so an interrupted bench can stop them too. */
const liveWrk = new Set<ChildProcess>();

export function killLoadGenerators(): void {
  for (const p of liveWrk) p.kill('SIGKILL');
  liveWrk.clear();
}

let wrkChecked: boolean | null = null;
export function wrkAvailable(): boolean {
  wrkChecked ??= spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
  return wrkChecked;
}

export function wrkVersion(): string {
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8', timeout: 5000 });
  return /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown';
}

/** The tool that will actually run `method` given the configured choice. */
export function toolFor(choice: LoadTool | 'auto', method: 'GET' | 'HEAD'): LoadTool {
  if (method === 'HEAD') return 'node';
  if (choice === 'node') return 'node';
  if (choice === 'wrk') {
    if (!wrkAvailable()) throw new Error('BENCH_LOADGEN=wrk but wrk is not installed');
    return 'wrk';
  }
  return wrkAvailable() ? 'wrk' : 'node';
}

/** Runs a short warm-up (untimed, same tool) and then the measured load. */
export async function runLoad(spec: LoadSpec, choice: LoadTool | 'auto'): Promise<LoadResult> {
  const tool = toolFor(choice, spec.method);
  const run = tool === 'wrk' ? wrkLoad : nodeLoad;
  const warm = await run({ ...spec, requests: Math.max(spec.connections, Math.min(2000, Math.floor(spec.requests / 10))) });
  if (warm.errors > 0) throw new Error(`load warm-up on ${spec.path}: ${warm.errors} bad responses`);
  const result = await run(spec);
  if (result.errors > 0) throw new Error(`load on ${spec.path}: ${result.errors} of ${result.requests} responses failed verification`);
  return result;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function nodeLoad(spec: LoadSpec): Promise<LoadResult> {
  const agent = keepAliveAgent(spec.connections);
  const latencies = new Float64Array(spec.requests);
  const hex = spec.digest.slice('sha256:'.length);
  let next = 0;
  let errors = 0;
  const verify = (status: number, digest: unknown, length: unknown, body: Buffer): boolean => {
    if (status !== 200 || digest !== spec.digest) return false;
    if (spec.method === 'HEAD') return spec.contentLength === undefined || Number(length) === spec.contentLength;
    if (spec.body && !body.equals(spec.body)) return false;
    return createHash('sha256').update(body).digest('hex') === hex;
  };
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: spec.connections }, async () => {
        for (;;) {
          const i = next++;
          if (i >= spec.requests) return;
          const s = performance.now();
          try {
            const r = await call(agent, spec.ep, spec.method, spec.path, { headers: spec.headers });
            latencies[i] = performance.now() - s;
            if (!verify(r.status, r.headers['docker-content-digest'], r.headers['content-length'], r.body)) errors++;
          } catch {
            latencies[i] = performance.now() - s;
            errors++;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort();
  return {
    tool: 'node',
    requests: spec.requests,
    seconds,
    rps: spec.requests / seconds,
    p50ms: percentile(latencies, 0.5),
    p99ms: percentile(latencies, 0.99),
    errors,
  };
}

const luaScript = join(import.meta.dirname, 'fixed-count.lua');

async function wrkLoad(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    let bodyFile = '-';
    if (spec.body) {
      bodyFile = join(dir, 'expected-body');
      writeFileSync(bodyFile, spec.body);
    }
    // wrk needs a duration; it is only a cap here: the script stops after `requests`.
    const cap = 300;
    const args = [
      '-t1',
      `-c${spec.connections}`,
      `-d${cap}s`,
      '--timeout',
      '30s',
      '-s',
      luaScript,
      `${spec.ep.url}${spec.path}`,
      '--',
      String(spec.requests),
      spec.method,
      bodyFile,
      spec.digest,
      ...Object.entries(spec.headers).map(([k, v]) => `${k}: ${v}`),
    ];
    const proc = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    liveWrk.add(proc);
    proc.once('exit', () => liveWrk.delete(proc));
    let out = '';
    let interrupted = false;
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      // One thread: when it has stopped, interrupt wrk's sleep so it reports now.
      if (!interrupted && out.includes('BENCH-THREAD')) {
        interrupted = true;
        proc.kill('SIGINT');
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (c) => resolve(c));
    });
    const thread = /BENCH-THREAD (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
    const done = /BENCH-DONE (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(out);
    if (!thread || !done) throw new Error(`wrk did not report (exit ${code}):\n${out.slice(-2000)}`);
    const count = Number(thread[1]);
    const seconds = Number(thread[4]) - Number(thread[3]);
    const transportErrors = [5, 6, 7, 8].reduce((s, i) => s + Number(done[i]), 0);
    return {
      tool: 'wrk',
      requests: count,
      seconds,
      rps: count / seconds,
      p50ms: Number(done[3]) / 1000,
      p99ms: Number(done[4]) / 1000,
      errors: Number(thread[2]) + transportErrors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
