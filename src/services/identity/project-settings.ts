import { invalidLimit } from '../../domain/quota/quota-math.js';
import { AppError } from '../../platform/errors.js';

/**
 * What POST/PUT /projects may set today. Harbor's project settings that drive features Haven does
 * not have yet (signing, scanning, quotas, proxy cache, retention) are refused with a 400 that
 * says so, rather than stored and silently ignored: a user who asks for "scan on push" must not
 * believe images are scanned. Switching such a feature off (Harbor's default) is accepted.
 */
export interface ProjectSettingsRequest {
  metadata?: Record<string, string> | undefined;
  storage_limit?: number | null | undefined;
  registry_id?: number | null | undefined;
  cve_allowlist?: unknown;
}

const notYet = (what: string, feature: string) => new AppError('BAD_REQUEST', `${what} is not supported: Haven has no ${feature} yet`);

/** Boolean settings whose "true" needs a feature Haven lacks; "false" is Harbor's default and fine. */
const offOnly: Record<string, string> = {
  enable_content_trust: 'content trust (image signing)',
  enable_content_trust_cosign: 'cosign signature enforcement',
  prevent_vul: 'vulnerability scanning',
  auto_scan: 'vulnerability scanning',
  auto_sbom_generation: 'SBOM generation',
};

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

function checkMetadata(metadata: Record<string, string>): void {
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'public') {
      if (value !== 'true' && value !== 'false') throw new AppError('BAD_REQUEST', `metadata.public must be "true" or "false", not ${JSON.stringify(value)}`);
    } else if (key in offOnly) {
      if (value === 'true') throw notYet(`metadata.${key}=true`, offOnly[key]!);
      if (value !== 'false') throw new AppError('BAD_REQUEST', `metadata.${key} must be "true" or "false", not ${JSON.stringify(value)}`);
    } else if (key === 'severity') {
      // Harbor's portal always sends a severity; it only matters with prevent_vul, refused above.
      if (!severities.has(value)) throw new AppError('BAD_REQUEST', `metadata.severity must be one of ${[...severities].join(', ')}`);
    } else if (key === 'reuse_sys_cve_allowlist') {
      // The system allowlist (empty) is the only one there is.
      if (value !== 'true') throw notYet(`metadata.reuse_sys_cve_allowlist=${JSON.stringify(value)}`, 'project CVE allowlists');
    } else if (key in absent) {
      throw notYet(`metadata.${key}`, absent[key]!);
    } else {
      throw new AppError('BAD_REQUEST', `unknown project metadata key ${JSON.stringify(key.slice(0, 100))}`);
    }
  }
}

/** Throws the 400 for the first setting in `req` that Haven would otherwise have to ignore. */
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
