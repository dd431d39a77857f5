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
    const parts = keys.map((k) => {
      const v = row[k];
      if (v === null || v === undefined) return [k, null];
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) return [k, `bytes:${Buffer.from(v).toString('hex')}`];
      return [k, String(v)];
    });
    const h = createHash('sha256').update(JSON.stringify(parts)).digest();
    this.sum = (this.sum + BigInt(`0x${h.subarray(0, 16).toString('hex')}`)) % mod;
    this.rows++;
  }

  get value(): string {
    return `${this.rows}:${this.sum.toString(16).padStart(32, '0')}`;
  }
}
