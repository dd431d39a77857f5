/**
 * What Harbor calls an artifact's type, resolved from the manifest the way Harbor's processors
 * do (src/controller/artifact/processor/*): the explicit `artifactType`, else the config's media
 * type, picks a processor; an index is an IMAGE unless it says otherwise; anything else follows
 * Harbor's default rule (`application/vnd.<vendor>.<type>.config.<v>+json` -> <TYPE>) or is
 * UNKNOWN. Signatures and SBOMs, which Harbor leaves to its accessory model, get their own types
 * here, by their media types (cosign, notation, SPDX, CycloneDX), so they read for what they are.
 */

export const artifactMedia = {
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
  cnab: 'application/vnd.cnab.manifest.v1',
  wasmConfig: 'application/vnd.wasm.config.v1+json',
  harborSbom: 'application/vnd.goharbor.harbor.sbom.v1',
  cosignLayer: 'application/vnd.dev.cosign.simplesigning.v1+json',
  cosignConfig: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  notarySignature: 'application/vnd.cncf.notary.signature',
  dsseEnvelope: 'application/vnd.dsse.envelope.v1+json',
} as const;

export type ArtifactKind = 'IMAGE' | 'CHART' | 'CNAB' | 'SIGNATURE' | 'SBOM' | 'WASM' | 'UNKNOWN' | (string & {});

const harborDefaultRule = /^application\/vnd\.[^.]*\.(.*)\.config\.[^.]*\+json$/;
const wasmAnnotations: Array<[string, string]> = [
  ['module.wasm.image/variant', 'compat'],
  ['run.oci.handler', 'wasm'],
];

/** Media types of signatures: cosign's (and sigstore bundles) and notation's. */
export function isSignatureType(mediaType: string): boolean {
  return (
    mediaType.startsWith('application/vnd.dev.cosign.') ||
    mediaType.startsWith('application/vnd.dev.sigstore.bundle') ||
    mediaType.startsWith('application/vnd.cncf.notary.') ||
    mediaType === artifactMedia.dsseEnvelope
  );
}

/** Media types of software bills of materials: SPDX, CycloneDX, and Harbor's own. */
export function isSbomType(mediaType: string): boolean {
  const t = mediaType.toLowerCase();
  return (
    t === artifactMedia.harborSbom ||
    t.startsWith('application/spdx') ||
    t.startsWith('text/spdx') ||
    t.startsWith('application/vnd.spdx') ||
    t.startsWith('application/vnd.cyclonedx') ||
    t.startsWith('application/cyclonedx') ||
    t.startsWith('application/vnd.syft')
  );
}

export interface KindInput {
  /** The manifest's own media type. */
  manifestMediaType: string;
  isIndex: boolean;
  /** The manifest's explicit artifactType (not the config fallback). */
  artifactType: string | null;
  /** Null for an index. */
  configMediaType: string | null;
  layerMediaTypes: string[];
  annotations: Record<string, string> | null;
}

/**
 * Harbor's artifact `media_type`: the config media type for a manifest (the wasm media type for a
 * wasm image by annotation); for an index its own media type, or the annotation CNAB uses.
 */
export function artifactMediaType(m: KindInput): string {
  if (m.isIndex) return m.annotations?.['org.opencontainers.artifactType'] || m.manifestMediaType;
  if (wasmAnnotations.some(([k, v]) => m.annotations?.[k] === v)) return artifactMedia.wasmConfig;
  return m.configMediaType ?? m.manifestMediaType;
}

export function resolveKind(m: KindInput): ArtifactKind {
  const mediaType = artifactMediaType(m);
  const effective = m.artifactType || mediaType;
  if (m.isIndex && effective === m.manifestMediaType) return 'IMAGE';
  switch (effective) {
    case artifactMedia.ociConfig:
    case artifactMedia.dockerConfig:
      // Classic cosign signatures, attestations and attached SBOMs carry an image config: their
      // layers say what they are.
      return kindOfLayers(m.layerMediaTypes) ?? 'IMAGE';
    case artifactMedia.helmConfig:
      return 'CHART';
    case artifactMedia.cnab:
      return 'CNAB';
    case artifactMedia.wasmConfig:
      return 'WASM';
  }
  if (isSignatureType(effective)) return 'SIGNATURE';
  if (isSbomType(effective)) return 'SBOM';
  const m2 = harborDefaultRule.exec(mediaType);
  if (m2?.[1]) return m2[1].toUpperCase();
  return 'UNKNOWN';
}

function kindOfLayers(layers: string[]): ArtifactKind | null {
  if (layers.length === 0) return null;
  if (layers.every(isSignatureType)) return 'SIGNATURE';
  if (layers.every(isSbomType)) return 'SBOM';
  return null;
}

/** Whether Harbor reads the manifest's own config blob into extra_attrs for this kind (CNAB reads a child's). */
export function readsConfig(kind: ArtifactKind, isIndex: boolean): boolean {
  if (isIndex) return false;
  return kind !== 'SIGNATURE' && kind !== 'SBOM' && kind !== 'UNKNOWN' && kind !== 'CNAB';
}
