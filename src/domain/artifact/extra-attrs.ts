import type { ArtifactKind } from './artifact-kind.js';

/** Config blobs are small (a few KiB); past this one is not read for extra_attrs at all. */
export const maxConfigBytes = 1024 * 1024;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Harbor's extra_attrs from a config blob. Images (manifest_v2 processor): created,
 * architecture, os, config and author (the author falls back to the
 * org.opencontainers.image.authors or maintainer label). WASM images by annotation, the same.
 * Charts, and Harbor's default processor: the whole config JSON (a chart's is its Chart.yaml).
 * Null when the config is not a JSON object.
 */
export function extraAttrsFromConfig(kind: ArtifactKind, config: Buffer): Json | null {
  let json: unknown;
  try {
    json = JSON.parse(config.toString('utf8'));
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  if (kind !== 'IMAGE' && kind !== 'WASM') return json;
  const runConfig = isObject(json.config) ? json.config : {};
  const labels = isObject(runConfig.Labels) ? runConfig.Labels : {};
  const author = str(json.author) || str(labels['org.opencontainers.image.authors']) || str(labels.maintainer);
  return {
    // Go's zero time when absent, as Harbor's v1.Image marshals it.
    created: str(json.created) || null,
    architecture: str(json.architecture),
    os: str(json.os),
    config: runConfig,
    author,
  };
}

/** WASM pushed the wasm-to-oci way (no image config): what Harbor records from the manifest. */
export function wasmManifestAttrs(layers: Array<{ mediaType: string; annotations?: Record<string, string> | undefined }>): Json {
  const first = layers[0];
  return {
    'manifest.config.mediaType': 'application/vnd.wasm.config.v1+json',
    ...(first ? { 'manifest.layers.mediaType': first.mediaType, 'org.opencontainers.image.title': first.annotations?.['org.opencontainers.image.title'] ?? '' } : {}),
  };
}
