/**
 * Synthetic blob content that costs nothing to produce while the clock runs: one pool of random
 * bytes generated up front, and blobs assembled from 1 MiB blocks that each start with a 32-byte
 * header unique to (seed, block) followed by a slice of the pool at a block-dependent offset. No
 * two blocks (and no two blobs) are equal, nothing is copied, and a 1 GiB blob never exists as
 * one Buffer: it is streamed as subarrays of the pool.
 */
import { createHash, randomBytes } from 'node:crypto';

export const MiB = 1024 * 1024;
const blockSize = MiB;
const headerSize = 32;

/** Random bytes shared by every synthetic blob (generated once, before any timing). */
export class BytePool {
  readonly bytes: Buffer;
  constructor(size = 16 * MiB) {
    if (size < 2 * blockSize) throw new Error('pool must hold at least two blocks');
    this.bytes = randomBytes(size);
  }
}

/** A small fast deterministic PRNG (mulberry32) for sizes and choices, so both registries get the same workload. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}

export class SyntheticBlob {
  private digestValue: string | null = null;

  constructor(
    private readonly pool: BytePool,
    readonly seed: string,
    readonly size: number,
  ) {}

  private header(block: number): Buffer {
    return createHash('sha256').update(`${this.seed}/${block}`).digest();
  }

  private poolOffset(block: number): number {
    const span = this.pool.bytes.length - blockSize;
    // Multiplying by an odd number of pages walks the pool so neighbouring blocks differ.
    return ((block * 7919 + this.seed.length * 31) * 4096) % span;
  }

  /** The bytes of [start, end) as pool subarrays and headers, in order. */
  *pieces(start = 0, end = this.size): Generator<Buffer> {
    if (start < 0 || end > this.size || start > end) throw new RangeError(`bad range ${start}-${end} of ${this.size}`);
    let pos = start;
    while (pos < end) {
      const block = Math.floor(pos / blockSize);
      const blockStart = block * blockSize;
      const blockEnd = Math.min(blockStart + blockSize, this.size);
      const stop = Math.min(end, blockEnd);
      // The header part of the block, then the pool part.
      const inBlock = pos - blockStart;
      if (inBlock < headerSize) {
        const h = this.header(block);
        const hEnd = Math.min(headerSize, stop - blockStart);
        yield h.subarray(inBlock, hEnd);
        pos = blockStart + hEnd;
        if (pos >= stop) continue;
      }
      const off = this.poolOffset(block);
      yield this.pool.bytes.subarray(off + (pos - blockStart), off + (stop - blockStart));
      pos = stop;
    }
  }

  /** sha256 digest of the whole blob (computed once, before timing, by the caller). */
  get digest(): string {
    if (this.digestValue === null) {
      const h = createHash('sha256');
      for (const p of this.pieces()) h.update(p);
      this.digestValue = `sha256:${h.digest('hex')}`;
    }
    return this.digestValue;
  }

  /** A copy as one Buffer; only for small blobs. */
  toBuffer(): Buffer {
    if (this.size > 64 * MiB) throw new Error('refusing to materialise a large synthetic blob');
    return Buffer.concat([...this.pieces()], this.size);
  }
}

export const mediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

export interface Descriptor {
  digest: string;
  size: number;
}

/** A blob held in memory (configs, manifests): small by construction. */
export interface SmallBlob extends Descriptor {
  bytes: Buffer;
}

export function smallBlob(bytes: Buffer): SmallBlob {
  return { bytes, size: bytes.length, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

export interface SyntheticImage {
  tag: string;
  layers: SyntheticBlob[];
  config: SmallBlob;
  manifest: SmallBlob;
}

export function imageManifest(config: Descriptor, layers: Descriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.manifest,
      config: { mediaType: mediaTypes.config, digest: config.digest, size: config.size },
      layers: layers.map((l) => ({ mediaType: mediaTypes.layer, digest: l.digest, size: l.size })),
    }),
  );
}

/** An image config JSON that differs per image (so every config blob is distinct). */
function imageConfig(name: string, layers: Descriptor[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: [`BENCH_IMAGE=${name}`], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      history: layers.map((_, i) => ({ created_by: `bench layer ${i}` })),
    }),
  );
}

/**
 * `count` images of `layers` layers each, sizes uniform in [minBytes, maxBytes] from a fixed
 * seed, with every digest computed here (before timing).
 */
export function makeImages(
  pool: BytePool,
  prefix: string,
  count: number,
  layers: number,
  minBytes: number,
  maxBytes: number,
  seed = 42,
): SyntheticImage[] {
  const rng = new Prng(seed);
  const images: SyntheticImage[] = [];
  for (let i = 0; i < count; i++) {
    const ls = Array.from({ length: layers }, (_, j) => new SyntheticBlob(pool, `${prefix}-${i}-layer-${j}`, rng.int(minBytes, maxBytes)));
    const descs = ls.map((l) => ({ digest: l.digest, size: l.size }));
    const config = smallBlob(imageConfig(`${prefix}-${i}`, descs));
    const manifest = smallBlob(imageManifest(config, descs));
    images.push({ tag: `${prefix}-${i}`, layers: ls, config, manifest });
  }
  return images;
}
