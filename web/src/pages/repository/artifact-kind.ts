import type { Artifact, Platform } from './types';

const indexTypes = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
export const imageConfigTypes = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
export const helmConfigType = 'application/vnd.cncf.helm.config.v1+json';

export type ArtifactKind = 'index' | 'image' | 'chart' | 'other';

/** What a person calls the artifact: Harbor's type says IMAGE for an index too, the media type tells. */
export function kindOf(a: Pick<Artifact, 'type' | 'manifest_media_type' | 'media_type'>): ArtifactKind {
  if (indexTypes.has(a.manifest_media_type)) return 'index';
  if (a.type === 'CHART' || a.media_type === helmConfigType) return 'chart';
  if (a.type === 'IMAGE') return 'image';
  return 'other';
}

export const shortDigest = (d: string) => (d.startsWith('sha256:') ? `sha256:${d.slice(7, 19)}` : d.slice(0, 19));

export function platformText(p: Platform | undefined): string {
  if (!p) return '-';
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/') || '-';
}
