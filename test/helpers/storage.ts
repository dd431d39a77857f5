import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every committed blob file under a data dir: `sha256:<hex>` -> path. */
export function blobFiles(dataDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = join(dataDir, 'storage', 'blobs');
  if (!existsSync(root)) return out;
  for (const algorithm of readdirSync(root)) {
    for (const prefix of readdirSync(join(root, algorithm))) {
      for (const hex of readdirSync(join(root, algorithm, prefix))) {
        out.set(`${algorithm}:${hex}`, join(root, algorithm, prefix, hex));
      }
    }
  }
  return out;
}

export function uploadFiles(dataDir: string): string[] {
  const root = join(dataDir, 'storage', 'uploads');
  return existsSync(root) ? readdirSync(root).filter((f) => statSync(join(root, f)).isFile()) : [];
}

export async function fileDigest(path: string, algorithm = 'sha256'): Promise<string> {
  const h = createHash(algorithm);
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return `${algorithm}:${h.digest('hex')}`;
}

/** Asserts-by-return: the blob files whose bytes do not hash to their own name. */
export async function corruptBlobs(dataDir: string): Promise<string[]> {
  const bad: string[] = [];
  for (const [digest, path] of blobFiles(dataDir)) {
    if ((await fileDigest(path, digest.split(':')[0])) !== digest) bad.push(digest);
  }
  return bad;
}
