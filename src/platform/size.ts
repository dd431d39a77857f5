const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** Parses "512MiB", "1GiB", "10GB" (or a bare number of bytes) into bytes. */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`"${value}" is not a size`);
    return Math.round(value);
  }
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a size (use e.g. 512MiB, 1GiB, 10GB)`);
  return Math.round(Number(m[1]) * units[(m[2] ?? 'b').toLowerCase()]!);
}

/** "1.5 GiB", for messages. */
export function formatSize(bytes: number): string {
  const steps = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < steps.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${steps[i]}`;
}
