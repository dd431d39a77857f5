/** The units a quota is entered in (the project's storage limit, the default quota). */
export const quotaUnits = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
/** The quota units as a unit picker lists them. */
export const quotaUnitOptions = Object.keys(quotaUnits).map((u) => ({ value: u, label: u }));

/** Bytes as people read them: 1.5 GiB, 230 MiB. */
export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '-';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

/** A timestamp in the user's locale; '-' for Harbor's zero time or none. */
export function formatTime(iso: string | undefined | null, language: string): string {
  if (!iso || iso.startsWith('0001-')) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  return d.toLocaleString(language === 'zh-CN' ? 'zh-CN' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
}
