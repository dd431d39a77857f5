import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configKeys, configSchema, type HavenConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** "uploads.purgeAge" -> "HAVEN_UPLOADS_PURGE_AGE" */
export function envName(key: string): string {
  return `HAVEN_${key.replace(/\./g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** "uploads.purgeAge" -> "uploads-purge-age" */
export function flagName(key: string): string {
  return key.replace(/\./g, '-').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

export interface LoadOptions {
  /** Explicit config file (flag --config or HAVEN_CONFIG); otherwise ./haven.yml when present. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values keyed by flag name (kebab-case). */
  flags?: Record<string, string | undefined>;
}

export function loadConfig(opts: LoadOptions = {}): HavenConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HAVEN_CONFIG ?? (existsSync('haven.yml') ? 'haven.yml' : undefined);
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      raw = (parseYaml(text) as Record<string, unknown> | null) ?? {};
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`config file ${file} must be a mapping`);
  }
  for (const key of configKeys) {
    const fromEnv = env[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') setPath(raw, key, fromEnv);
    const fromFlag = opts.flags?.[flagName(key)];
    if (fromFlag !== undefined) setPath(raw, key, fromFlag);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.join('.') || '(root)';
    const hint = configKeys.includes(key) ? ` (env ${envName(key)}, flag --${flagName(key)})` : '';
    const msg = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
    throw new ConfigError(`invalid configuration at "${key}"${hint}: ${msg}`);
  }
  return result.data;
}
