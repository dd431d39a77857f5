import { AppError } from '../../platform/errors.js';
import type { ByteRange } from '../../platform/byte-range.js';

/**
 * Parses an HTTP `Range: bytes=…` header against a blob size. Multiple ranges are not served
 * (we answer the whole blob, as RFC 9110 allows); an unsatisfiable range is a 416.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw unsatisfiable(size);
    start = Math.max(size - suffix, 0);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) throw unsatisfiable(size);
  }
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): AppError {
  return new AppError('RANGE_INVALID', `requested range not satisfiable for a ${size}-byte blob`, {
    status: 416,
    headers: { 'Content-Range': `bytes */${size}` },
  });
}

/** Parses an upload chunk's `Content-Range: <start>-<end>` (inclusive, as the OCI spec writes it). */
export function parseContentRange(header: string | undefined): ByteRange | null {
  if (!header) return null;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) throw new AppError('BLOB_UPLOAD_INVALID', `malformed Content-Range "${header.slice(0, 100)}"`, { status: 416 });
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) throw new AppError('BLOB_UPLOAD_INVALID', `Content-Range end ${end} is before its start ${start}`, { status: 416 });
  return { start, end };
}
