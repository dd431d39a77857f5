import { statfs } from 'node:fs/promises';

/** Bytes an unprivileged writer can still use on the filesystem holding `path`. */
export async function freeBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return s.bavail * s.bsize;
}
