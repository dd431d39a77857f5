/** The JSON of Harbor's repository and artifact APIs: the server's own schemas (swagger.yaml's names). */
export type { Accessory, Artifact, ArtifactLabel, ArtifactReference, ArtifactTag, Platform, Repository } from '../../api/server-types';
import type { Platform } from '../../api/server-types';

/** An OCI or Docker manifest, as far as the detail page reads it. */
export interface Manifest {
  mediaType?: string;
  config?: { mediaType: string; digest: string; size: number };
  layers?: Array<{ mediaType: string; digest: string; size: number; annotations?: Record<string, string> }>;
  manifests?: Array<{ mediaType: string; digest: string; size: number; platform?: Platform }>;
  subject?: { mediaType: string; digest: string; size: number };
  annotations?: Record<string, string>;
}

/** One entry of an image config's history (the build_history addition). */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}
