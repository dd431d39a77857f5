const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "90s", "30m", "24h", "7d" (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new Error(`"${value}" is not a duration (use e.g. 90s, 30m, 24h, 7d)`);
  return Math.round(Number(m[1]) * units[m[2] ?? 'ms']!);
}
