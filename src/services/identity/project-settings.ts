import { invalidLimit } from '../../domain/quota/quota-math.js';
import { AppError } from '../../platform/errors.js';

/**
 * What POST/PUT /projects may set today. Harbor's project metadata keys (public, scanning,
 * signing and SBOM switches, severity, the CVE allowlist choice) are validated and stored, for
 * the features that read them. Settings of features Haven has no place for (quotas, proxy cache,
 * retention) are refused with a 400 that says so, rather than stored and silently ignored.
 */
export interface ProjectSettingsRequest {
  metadata?: Record<string, string> | undefined;
  storage_limit?: number | null | undefined;
  registry_id?: number | null | undefined;
  cve_allowlist?: unknown;
}

const notYet = (what: string, feature: string) => new AppError('BAD_REQUEST', `${what} is not supported: Haven has no ${feature} yet`);

/**
 * Harbor's boolean project settings. They are stored and returned (the scanning, signing and SBOM
 * features behind some of them come later and will read them), spelled "true" or "false".
 */
const booleanKeys = new Set(['public', 'enable_content_trust', 'enable_content_trust_cosign', 'prevent_vul', 'auto_scan', 'auto_sbom_generation', 'reuse_sys_cve_allowlist']);

/** Settings of features Haven lacks entirely: any value is refused. */
const absent: Record<string, string> = {
  retention_id: 'tag retention',
  proxy_speed_kb: 'proxy cache',
  max_upstream_conn: 'proxy cache',
  proxy_cache_local_on_not_found: 'proxy cache',
  proxy_referrer_api: 'proxy cache',
  proxy_cache_filter_pattern: 'proxy cache',
  proxy_cache_filter_kind: 'proxy cache',
};

const severities = new Set(['none', 'low', 'medium', 'high', 'critical']);

/** Go's strconv.ParseBool, which Harbor parses these with: 1, t, T, TRUE, true, True and the false forms. */
const truthy = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const falsy = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/**
 * A metadata value as Harbor stores it: booleans as "true"/"false", severities lower case (CVSS
 * v3 ratings; "negligible" is "none"). Throws Harbor's 400 for a key or value it would refuse.
 */
export function metadataValue(key: string, value: string): string {
  if (booleanKeys.has(key)) {
    if (truthy.has(value)) return 'true';
    if (falsy.has(value)) return 'false';
    throw new AppError('BAD_REQUEST', `metadata.${key} must be "true" or "false", not ${JSON.stringify(value.slice(0, 100))}`);
  }
  if (key === 'severity') {
    const v = value.toLowerCase() === 'negligible' ? 'none' : value.toLowerCase();
    if (!severities.has(v)) throw new AppError('BAD_REQUEST', `metadata.severity must be one of ${[...severities].join(', ')}, not ${JSON.stringify(value.slice(0, 100))}`);
    return v;
  }
  if (Object.hasOwn(absent, key)) throw notYet(`metadata.${key}`, absent[key]!);
  throw new AppError('BAD_REQUEST', `unknown project metadata key ${JSON.stringify(key.slice(0, 100))}`);
}

/** Checks every value and rewrites it in Harbor's spelling, in place. */
function checkMetadata(metadata: Record<string, string>): void {
  for (const [key, value] of Object.entries(metadata)) metadata[key] = metadataValue(key, value);
}

/** Throws the 400 for the first setting in `req` Haven refuses; metadata values are rewritten in Harbor's spelling. */
export function checkProjectSettings(req: ProjectSettingsRequest): void {
  if (req.metadata) checkMetadata(req.metadata);
  // Harbor validates storage_limit (0 and null mean the default); a change goes through /quotas.
  if (req.storage_limit !== undefined && req.storage_limit !== null && req.storage_limit !== 0) {
    const invalid = invalidLimit(req.storage_limit);
    if (invalid) throw new AppError('BAD_REQUEST', invalid);
  }
  if (req.registry_id !== undefined && req.registry_id !== null) throw notYet('registry_id', 'proxy cache projects');
  if (req.cve_allowlist !== undefined && req.cve_allowlist !== null) {
    const items = (req.cve_allowlist as { items?: unknown }).items;
    if (Array.isArray(items) ? items.length > 0 : items !== undefined && items !== null) throw notYet('cve_allowlist', 'project CVE allowlists');
  }
}
