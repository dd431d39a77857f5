import { createHash } from 'node:crypto';
import type { Row } from '../../db/snapshot.js';

const mod = 1n << 128n;

/**
 * An order-independent digest of a table's rows: the sum of each row's hash, modulo 2^128. Two
 * databases whose rows come back in different orders (or with int8 as a string, as
 * node-postgres returns it) agree exactly when they hold the same rows; it streams, so a table of
 * any size is compared without holding it.
 */
export class TableFingerprint {
  rows = 0;
  private sum = 0n;

  add(row: Row): void {
    const keys = Object.keys(row).sort();
    const bytes: Buffer[] = [];
    // Values as text in one JSON array (null stays null); bytes stand in it as their length and
    // are hashed after it as they are, so no text copy of a large value is ever made.
    const text = JSON.stringify(
      keys.map((k) => {
        const v = row[k];
        if (v === null || v === undefined) return [k, null];
        if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
          bytes.push(Buffer.isBuffer(v) ? v : Buffer.from(v));
          return [k, { bytes: v.length }];
        }
        return [k, String(v)];
      }),
    );
    const h = createHash('sha256').update(text);
    for (const b of bytes) h.update(b);
    const d = h.digest();
    this.sum = (this.sum + ((d.readBigUInt64BE(0) << 64n) | d.readBigUInt64BE(8))) % mod;
    this.rows++;
  }

  get value(): string {
    return `${this.rows}:${this.sum.toString(16).padStart(32, '0')}`;
  }
}
