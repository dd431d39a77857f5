import { z } from 'zod';
import { listQuery, pagingQuery, queryBool } from './common.js';

export const repositoryParams = z.object({
  project_name: z.string().min(1).max(255),
  repository_name: z.string().min(1).max(4096),
});

export const artifactParams = repositoryParams.extend({ reference: z.string().min(1).max(300) });

/** A query boolean with Harbor's default when absent. */
const flag = (dflt: boolean) => queryBool.transform((v) => v ?? dflt).meta({ type: 'boolean', default: dflt });

const withFlags = {
  with_tag: flag(true),
  with_label: flag(false),
  with_scan_overview: flag(false),
  with_sbom_overview: flag(false),
  with_immutable_status: flag(false),
  with_accessory: flag(false),
  with_inherited_accessory: flag(false),
};

export const artifactListQuery = listQuery.extend(withFlags);
export const artifactGetQuery = pagingQuery.extend({ ...withFlags, with_signature: flag(false) });
export const accessoryListQuery = listQuery;

const time = z.string();

export const tag = z.strictObject({
  id: z.number().int(),
  repository_id: z.number().int(),
  artifact_id: z.number().int(),
  name: z.string(),
  push_time: time,
  pull_time: time,
  immutable: z.boolean(),
});

export const label = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  color: z.string(),
  scope: z.string(),
  project_id: z.number().int(),
  creation_time: time,
  update_time: time,
});

/** Harbor's Accessory. */
export const accessory = z
  .strictObject({
    id: z.number().int(),
    artifact_id: z.number().int(),
    subject_artifact_id: z.number().int(),
    subject_artifact_digest: z.string(),
    subject_artifact_repo: z.string(),
    size: z.number().int(),
    digest: z.string(),
    type: z.string(),
    icon: z.string(),
    creation_time: time,
  })
  .meta({ id: 'Accessory' });

export const platform = z.strictObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  "'os.version'": z.string().optional(),
  "'os.features'": z.array(z.string()).optional(),
  variant: z.string().optional(),
});

export const reference = z.strictObject({
  parent_id: z.number().int(),
  child_id: z.number().int(),
  child_digest: z.string(),
  platform: platform.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
});

/**
 * Harbor's Artifact. As Harbor's answers: lists that were not asked for or are empty are null;
 * empty strings and maps are left out; a time never reached is Go's zero time.
 */
export const artifact = z
  .strictObject({
    id: z.number().int(),
    type: z.string(),
    media_type: z.string(),
    manifest_media_type: z.string(),
    artifact_type: z.string().optional(),
    project_id: z.number().int(),
    repository_id: z.number().int(),
    repository_name: z.string(),
    digest: z.string(),
    size: z.number().int(),
    icon: z.string(),
    push_time: time,
    pull_time: time,
    extra_attrs: z.record(z.string(), z.unknown()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    references: z.array(reference).nullable(),
    tags: z.array(tag).nullable(),
    addition_links: z.record(z.string(), z.strictObject({ href: z.string(), absolute: z.boolean() })).optional(),
    labels: z.array(label).nullable(),
    /** Empty until scanning exists; Harbor leaves it out then too. */
    scan_overview: z.record(z.string(), z.unknown()).optional(),
    sbom_overview: z.record(z.string(), z.unknown()).optional(),
    accessories: z.array(accessory).nullable(),
    /** Signatures of the indexes that list this artifact; left out when there are none. */
    inherited_accessories: z.array(accessory).optional(),
  })
  .meta({ id: 'Artifact' });
