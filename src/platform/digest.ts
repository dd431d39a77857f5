import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const digestPattern = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
  digest: string;
}

/** Parses a digest string; throws DIGEST_INVALID for anything we cannot verify. */
export function parseDigest(value: string): ParsedDigest {
  const m = digestPattern.exec(value);
  if (!m) throw new AppError('DIGEST_INVALID', `invalid digest "${truncate(value)}"`);
  const algorithm = m[1] as DigestAlgorithm;
  const hex = m[2]!;
  const expected = hexLength[algorithm];
  if (expected === undefined) {
    throw new AppError('DIGEST_INVALID', `unsupported digest algorithm "${truncate(m[1]!)}"`);
  }
  if (hex.length !== expected || !/^[a-f0-9]+$/.test(hex)) {
    throw new AppError('DIGEST_INVALID', `invalid ${algorithm} digest "${truncate(value)}"`);
  }
  return { algorithm, hex, digest: value };
}

export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestingStream extends Transform {
  readonly hash: Hash;
  bytes = 0;

  constructor(readonly algorithm: DigestAlgorithm, hash?: Hash, startBytes = 0) {
    super({ highWaterMark: 1 << 20 });
    this.hash = hash ?? createHash(algorithm);
    this.bytes = startBytes;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
