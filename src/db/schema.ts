import type { Generated, Insertable, Selectable } from 'kysely';

/** Timestamps are epoch milliseconds in every dialect, so ordering and arithmetic need no casts. */
export interface RepositoriesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface BlobsTable {
  digest: string;
  size: number;
  created_at: number;
}

export interface RepositoryBlobsTable {
  repository_id: number;
  digest: string;
  created_at: number;
}

export interface ManifestsTable {
  id: Generated<number>;
  repository_id: number;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject_digest: string | null;
  annotations: string | null;
  size: number;
  content: Buffer;
  created_at: number;
}

export interface ManifestReferencesTable {
  manifest_id: number;
  digest: string;
  /** 'blob' for config and layers, 'manifest' for index children. */
  kind: 'blob' | 'manifest';
}

export interface TagsTable {
  repository_id: number;
  name: string;
  manifest_id: number;
  created_at: number;
  updated_at: number;
}

export interface UploadSessionsTable {
  id: string;
  repository: string;
  /** Bytes durably received so far. */
  offset: number;
  created_at: number;
  updated_at: number;
}

export interface Database {
  repositories: RepositoriesTable;
  blobs: BlobsTable;
  repository_blobs: RepositoryBlobsTable;
  manifests: ManifestsTable;
  manifest_references: ManifestReferencesTable;
  tags: TagsTable;
  upload_sessions: UploadSessionsTable;
}

export type ManifestRow = Selectable<ManifestsTable>;
export type NewManifest = Insertable<ManifestsTable>;
export type UploadSessionRow = Selectable<UploadSessionsTable>;
