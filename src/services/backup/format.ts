import { z } from 'zod';
import type { Row } from '../../db/snapshot.js';

/**
 * A Haven backup is a directory:
 *   backup.json            this header, written last: a directory without it is not a backup
 *   metadata/<table>.jsonl one JSON object per row, from one snapshot of the database
 *   blob-manifest.jsonl    {digest, size} of every blob the snapshot knows
 *   blobs/<alg>/<xx>/<hex> the blobs themselves (filesystem storage), laid out as in storage/
 *   files/<name>           the data dir's own keys (token signing key, CSRF key)
 * The rows are dialect-neutral (numbers, strings, null, bytes), so one format serves SQLite and
 * PostgreSQL installs alike and `haven migrate` moves data with the same code.
 */
export const formatName = 'haven-backup';
export const formatVersion = 1;

export const headerFile = 'backup.json';
export const blobManifestFile = 'blob-manifest.jsonl';
export const metadataDir = 'metadata';
export const filesDir = 'files';

/** Files of the data dir that a restored server needs to keep its tokens and sessions valid. */
export const dataDirFiles = ['token-signing-key.pem', 'csrf-key', 'admin-password'];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const headerSchema = z.strictObject({
  format: z.literal(formatName),
  version: z.literal(formatVersion),
  havenVersion: z.string(),
  createdAt: z.string(),
  source: z.strictObject({ dialect: z.enum(['sqlite', 'postgres']), storage: z.string() }),
  /** Applied migrations of the source, in order: the restore builds exactly that schema first. */
  migrations: z.array(z.string()).min(1),
  tables: z.array(z.strictObject({ name: z.string().min(1), rows: z.number().int().nonnegative(), sha256: sha256Hex })),
  /** Highest id handed out per serial column's table, so restored ids are never reused. */
  sequences: z.record(z.string(), z.number()),
  blobs: z.strictObject({ count: z.number().int().nonnegative(), bytes: z.number().nonnegative(), sha256: sha256Hex, copied: z.boolean() }),
  files: z.array(z.string()),
});
export type BackupHeader = z.infer<typeof headerSchema>;

export interface BlobEntry {
  digest: string;
  size: number;
}

/** Bytes are the one value JSON lacks; no column holds a JSON object, so an object is bytes. */
export function encodeRow(row: Row): string {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = Buffer.isBuffer(v) || v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : typeof v === 'bigint' ? Number(v) : v;
  }
  return JSON.stringify(out);
}

export function decodeRow(line: string): Row {
  const row = JSON.parse(line) as Row;
  for (const [k, v] of Object.entries(row)) {
    if (v !== null && typeof v === 'object') {
      const b = (v as { $bytes?: unknown }).$bytes;
      if (typeof b !== 'string') throw new Error(`column ${k} holds an object that is not bytes`);
      row[k] = Buffer.from(b, 'base64');
    }
  }
  return row;
}

const digestPattern = /^(sha256|sha512):([0-9a-f]+)$/;

export function parseBlobEntry(line: string): BlobEntry {
  const v = JSON.parse(line) as { digest?: unknown; size?: unknown };
  if (typeof v.digest !== 'string' || !digestPattern.test(v.digest) || typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw new Error(`not a blob entry: ${line.slice(0, 200)}`);
  }
  return { digest: v.digest, size: v.size };
}
