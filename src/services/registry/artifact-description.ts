import { artifactMediaType, readsConfig, resolveKind, type KindInput } from '../../domain/artifact/artifact-kind.js';
import { extraAttrsFromConfig, maxConfigBytes, wasmManifestAttrs } from '../../domain/artifact/extra-attrs.js';
import { parseManifest, type Descriptor, type ParsedManifest } from '../../domain/oci/manifest.js';
import { indexManifestTypes } from '../../domain/oci/media-types.js';
import type { BlobContent } from '../../content/blob-content.js';
import type { ManifestRecord } from '../../db/manifests.js';
import type { Logger } from '../../platform/logger.js';

export interface ArtifactDescriptionDeps {
  content: Pick<BlobContent, 'readSmall'>;
  /** Total sizes of the repository's manifests among `digests` (an index's children). */
  childSizes(repository: string, digests: string[]): Promise<Map<string, number>>;
  /** The bytes of a manifest of the repository (a CNAB bundle's config manifest), or null. */
  manifestBytes(repository: string, digest: string): Promise<Buffer | null>;
  log: Logger;
}

/**
 * What Harbor shows of an artifact, worked out at push before the manifest's transaction: its
 * type, media type, total size (manifest + config + layers; an index adds its children's totals,
 * as Harbor's index abstractor) and extra_attrs from the config blob. Only the config is read,
 * and only when it is small; a config that cannot be read or parsed leaves extra_attrs empty
 * rather than refusing a push the registry itself accepts.
 */
export function createArtifactDescriber(deps: ArtifactDescriptionDeps) {
  /**
   * A CNAB bundle is an index; as Harbor's CNAB processor, its metadata is the config of the
   * child manifest annotated io.cnab.manifest.type=config (the bundle.json).
   */
  async function cnabConfig(repository: string, parsed: ParsedManifest): Promise<Descriptor | null> {
    const child = parsed.manifests.find((m) => m.annotations?.['io.cnab.manifest.type'] === 'config');
    if (!child) return null;
    const bytes = await deps.manifestBytes(repository, child.digest);
    if (!bytes) return null;
    try {
      // Only an image manifest's config was checked to be in the repository at its push.
      return parseManifest(bytes, undefined).config;
    } catch {
      return null;
    }
  }

  return async function describe(repository: string, parsed: ParsedManifest, body: Buffer): Promise<NonNullable<ManifestRecord['artifact']>> {
    const isIndex = indexManifestTypes.has(parsed.mediaType);
    const input: KindInput = {
      manifestMediaType: parsed.mediaType,
      isIndex,
      // ParsedManifest falls back to the config media type; Harbor's rule wants only the explicit one.
      artifactType: parsed.artifactType !== null && parsed.artifactType !== parsed.config?.mediaType ? parsed.artifactType : null,
      configMediaType: parsed.config?.mediaType ?? null,
      layerMediaTypes: parsed.layers.map((l) => l.mediaType),
      annotations: parsed.annotations,
    };
    const kind = resolveKind(input);
    let totalSize = body.length;
    if (isIndex) {
      const sizes = parsed.manifests.length > 0 ? await deps.childSizes(repository, [...new Set(parsed.manifests.map((m) => m.digest))]) : new Map<string, number>();
      for (const child of parsed.manifests) totalSize += sizes.get(child.digest) ?? child.size;
    } else {
      totalSize += parsed.config?.size ?? 0;
      for (const l of parsed.layers) totalSize += l.size;
    }
    let extra: Record<string, unknown> | null = null;
    let config = parsed.config;
    if (kind === 'CNAB') config = await cnabConfig(repository, parsed);
    if (kind === 'WASM' && config?.mediaType === 'application/vnd.wasm.config.v1+json') {
      extra = wasmManifestAttrs(parsed.layers);
    } else if (config && config.size > 0 && (readsConfig(kind, isIndex) || kind === 'CNAB')) {
      try {
        const bytes = await deps.content.readSmall(config.digest, config.size, maxConfigBytes);
        if (bytes) extra = extraAttrsFromConfig(kind, bytes);
      } catch (err) {
        deps.log.warn({ err, repository, config: config.digest }, 'could not read the config blob for extra_attrs');
      }
    }
    return {
      configMediaType: artifactMediaType(input),
      kind,
      totalSize,
      extraAttrs: extra ? JSON.stringify(extra) : null,
    };
  };
}

export type ArtifactDescriber = ReturnType<typeof createArtifactDescriber>;
