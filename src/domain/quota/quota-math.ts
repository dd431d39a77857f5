/**
 * Harbor's quota arithmetic and wording (src/pkg/quota/errors.go, types/format.go), so clients
 * and scripts that match on Harbor's messages see the same text.
 */

/** Harbor's `storage_per_project` and a quota's hard limit: -1 is unlimited. */
export const unlimited = -1;

/** Harbor's cap on a limited quota: 1024 TiB. */
export const maxLimitedStorage = 1_125_899_906_842_624;

/** Harbor warns (QUOTA_WARNING) when usage reaches this share of the hard limit. */
export const warningPercent = 85;

/** Harbor's byteCountToDisplaySize: "512 B", "1.5 KiB", "2.0 GiB". */
export function formatBytes(value: number): string {
  const unit = 1024;
  if (value < unit) return `${value} B`;
  let div = unit;
  let exp = 0;
  for (let n = Math.floor(value / unit); n >= unit; n = Math.floor(n / unit)) {
    div *= unit;
    exp++;
  }
  return `${(value / div).toFixed(1)} ${'KMGTPE'[exp]}iB`;
}

/** Harbor's ResourceOverflow message for the storage resource. */
export function overflowMessage(hard: number, currentUsed: number, newUsed: number): string {
  const adding = newUsed > currentUsed;
  const delta = adding ? newUsed - currentUsed : currentUsed - newUsed;
  return `${adding ? 'adding' : 'subtracting'} ${formatBytes(delta)} of storage resource, which when updated to current usage of ${formatBytes(currentUsed)} will exceed the configured upper limit of ${formatBytes(hard)}.`;
}

/** Whether `delta` more bytes fit under `hard` (unlimited always fits). */
export function fits(hard: number, used: number, delta: number): boolean {
  return hard < 0 || used + delta <= hard;
}

/** Whether a change from `before` to `after` bytes crosses the warning threshold of a limited quota. */
export function crossesWarning(hard: number, before: number, after: number): boolean {
  if (hard <= 0) return false;
  const threshold = (hard * warningPercent) / 100;
  return before < threshold && after >= threshold;
}

/** Harbor's warning text (src/server/middleware/quota/quota.go). */
export function warningMessage(hard: number, used: number): string {
  return `quota usage reach ${warningPercent}%: resource storage used ${formatBytes(used)} of ${formatBytes(hard)}`;
}

/** Harbor's ValidateQuotaLimit: -1, or 1 byte up to 1024 TiB. Null when valid, else the reason. */
export function invalidLimit(value: number): string | null {
  if (!Number.isSafeInteger(value)) return `invalid value for quota limit, value=${value}`;
  if (value <= 0) return value === unlimited ? null : `invalid non-positive value for quota limit, value=${value}`;
  if (value > maxLimitedStorage) return `exceeded 1024TB, which is 1125899906842624 Bytes, value=${value}`;
  return null;
}
