import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { AppError } from '../platform/errors.js';

/** Limits on what a chart archive may cost to read: it is user-supplied. */
export interface ChartReadLimits {
  /** Bytes of the whole decompressed archive read at most (a gzip bomb stops here). */
  maxTotal: number;
  /** Bytes of one wanted file kept at most. */
  maxFile: number;
}

const defaults: ChartReadLimits = { maxTotal: 64 * 1024 * 1024, maxFile: 1024 * 1024 };

/**
 * Reads the top-level files a Helm chart's `.tgz` holds under its chart directory
 * (`mychart/values.yaml` -> "values.yaml"), keeping only those `wanted` accepts (by lower-cased
 * name). Streams: gunzip and a minimal ustar reader (GNU long names and pax `path` included),
 * so a big layer is never held whole.
 */
export async function readChartFiles(source: Readable, wanted: (name: string) => boolean, limits: Partial<ChartReadLimits> = {}): Promise<Map<string, Buffer>> {
  const { maxTotal, maxFile } = { ...defaults, ...limits };
  const out = new Map<string, Buffer>();
  const gunzip = createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  let buf: Buffer = Buffer.alloc(0);
  let total = 0;
  // The current entry: its name, bytes left, padding after it, and the kept bytes if wanted.
  let entry: { name: string; type: string; left: number; pad: number; kept: Buffer[] | null } | null = null;
  let longName: string | null = null;
  try {
    for await (const chunk of gunzip) {
      total += (chunk as Buffer).length;
      if (total > maxTotal) throw new AppError('BAD_REQUEST', 'the chart archive is too large to read');
      buf = buf.length === 0 ? (chunk as Buffer) : Buffer.concat([buf, chunk as Buffer]);
      for (;;) {
        if (entry) {
          const take = Math.min(entry.left, buf.length);
          if (entry.kept && take > 0) entry.kept.push(buf.subarray(0, take));
          entry.left -= take;
          buf = buf.subarray(take);
          if (entry.left > 0) break;
          if (buf.length < entry.pad) break;
          buf = buf.subarray(entry.pad);
          const done = entry;
          entry = null;
          if (done.kept) {
            const data = Buffer.concat(done.kept);
            if (done.type === 'L') longName = cString(data);
            else if (done.type === 'x') longName = paxPath(data) ?? longName;
            else out.set(done.name, data);
          }
          continue;
        }
        if (buf.length < 512) break;
        const header = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (header.every((b) => b === 0)) return out;
        const size = parseOctal(header.subarray(124, 136));
        const type = String.fromCharCode(header[156] || 0x30);
        const prefix = cString(header.subarray(345, 500));
        const raw = longName ?? (prefix ? `${prefix}/${cString(header.subarray(0, 100))}` : cString(header.subarray(0, 100)));
        if (type !== 'L' && type !== 'x') longName = null;
        const name = topLevelName(raw);
        const meta = type === 'L' || type === 'x';
        const keep = meta || (type === '0' && name !== null && wanted(name) && !out.has(name));
        if (keep && size > (meta ? 64 * 1024 : maxFile)) throw new AppError('BAD_REQUEST', `file ${raw.slice(0, 100)} of the chart archive is too large`);
        entry = { name: name ?? '', type, left: size, pad: (512 - (size % 512)) % 512, kept: keep ? [] : null };
      }
    }
    return out;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('BAD_REQUEST', 'the chart archive cannot be read');
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}

/** "mychart/values.yaml" -> "values.yaml"; deeper paths and odd names -> null. */
function topLevelName(path: string): string | null {
  const parts = path.replace(/^\.\//, '').split('/').filter((p) => p !== '');
  return parts.length === 2 ? (parts[1] as string).toLowerCase() : null;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

function parseOctal(b: Buffer): number {
  const s = cString(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new AppError('BAD_REQUEST', 'the chart archive has a malformed tar header');
  return Number.parseInt(s, 8);
}

/** The `path` record of a pax extended header ("<len> path=<value>\n"). */
function paxPath(b: Buffer): string | null {
  for (const line of b.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1] as string;
  }
  return null;
}
