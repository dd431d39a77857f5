/** The JSON of Harbor's repository and artifact APIs, as the portal reads it (swagger.yaml's names). */
export interface Repository {
  id: number;
  project_id: number;
  /** The full name, "project/repo". */
  name: string;
  description: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

export interface ArtifactTag {
  id: number;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: string;
  pull_time: string;
  immutable: boolean;
}

export interface ArtifactLabel {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: string;
  project_id: number;
}

export interface Accessory {
  id: number;
  artifact_id: number;
  subject_artifact_id: number;
  subject_artifact_digest: string;
  subject_artifact_repo: string;
  size: number;
  digest: string;
  type: string;
  icon: string;
  creation_time: string;
}

export interface Platform {
  architecture?: string;
  os?: string;
  "'os.version'"?: string;
  variant?: string;
}

export interface ArtifactReference {
  parent_id: number;
  child_id: number;
  child_digest: string;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface Artifact {
  id: number;
  type: string;
  media_type: string;
  manifest_media_type: string;
  artifact_type?: string;
  project_id: number;
  repository_id: number;
  repository_name: string;
  digest: string;
  size: number;
  icon: string;
  push_time: string;
  pull_time: string;
  extra_attrs?: Record<string, unknown>;
  annotations?: Record<string, string>;
  references: ArtifactReference[] | null;
  tags: ArtifactTag[] | null;
  labels: ArtifactLabel[] | null;
  accessories: Accessory[] | null;
}

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
