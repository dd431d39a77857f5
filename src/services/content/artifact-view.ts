import { cosignTagSubject, subjectAccessoryType } from '../../domain/artifact/accessory.js';
import type { AccessoryRow, ArtifactRow, LabelRow, TagRow } from '../../db/artifacts.js';

/** Harbor's default icons (src/lib/icon/const.go), served by /icons/{digest}. */
const icons: Record<string, string> = {
  IMAGE: 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06',
  CHART: 'sha256:61cf3a178ff0f75bf08a25d96b75cf7355dc197749a9f128ed3ef34b0df05518',
  CNAB: 'sha256:089bdda265c14d8686111402c8ad629e8177a1ceb7dcd0f7f39b6480f623b3bd',
  WASM: 'sha256:badd7693bcaf115be202748241dd0ea6ee3b0524bfab9ac22d1e1c43721afec6',
  SBOM: 'sha256:c19f80c357cd7e90d2a01b9ae3e2eb62ce447a2662bb590a19177d72d550bdae',
};
const defaultIcon = 'sha256:da834479c923584f4cbcdecc0dac61f32bef1d51e8aae598cf16bd154efab49f';

/** Go's zero time, which Harbor answers for "never pulled". */
const zeroTime = '0001-01-01T00:00:00.000Z';
export const timeOf = (ms: number | null): string => (ms === null || ms <= 0 ? zeroTime : new Date(ms).toISOString());

export interface TagView {
  id: number;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: string;
  pull_time: string;
  immutable: boolean;
}

export interface LabelView {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: string;
  project_id: number;
  creation_time: string;
  update_time: string;
}

export interface AccessoryView {
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

export interface PlatformView {
  architecture?: string;
  os?: string;
  "'os.version'"?: string;
  "'os.features'"?: string[];
  variant?: string;
}

export interface ReferenceView {
  parent_id: number;
  child_id: number;
  child_digest: string;
  platform?: PlatformView;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ArtifactView {
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
  references: ReferenceView[] | null;
  tags: TagView[] | null;
  addition_links?: Record<string, { href: string; absolute: boolean }>;
  labels: LabelView[] | null;
  accessories: AccessoryView[] | null;
  inherited_accessories?: AccessoryView[];
}

const parseObject = <T>(s: string | null): T | undefined => {
  if (!s) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
};

export const tagView = (t: TagRow, immutable: boolean): TagView => ({
  id: t.id,
  repository_id: t.repositoryId,
  artifact_id: t.artifactId,
  name: t.name,
  push_time: timeOf(t.pushedAt),
  pull_time: timeOf(t.pulledAt),
  immutable,
});

export const labelView = (l: LabelRow): LabelView => ({
  id: l.id,
  name: l.name,
  description: l.description,
  color: l.color,
  scope: l.scope,
  project_id: l.projectId ?? 0,
  creation_time: timeOf(l.createdAt),
  update_time: timeOf(l.updatedAt),
});

/** Accessory type: by subject as Harbor's middleware, else by the cosign tag it hangs on. */
export function accessoryView(a: AccessoryRow, repositoryName: string, subjectId: number): AccessoryView {
  let type: string;
  if (a.viaTag) type = cosignTagSubject(a.viaTag)?.type ?? 'signature.cosign';
  else {
    const layers = parseObject<{ layers?: Array<{ annotations?: Record<string, string> }> }>(a.content.toString('utf8'))?.layers;
    type = subjectAccessoryType({ artifactType: a.artifactType, configMediaType: a.mediaType, lastLayerAnnotations: layers?.at(-1)?.annotations ?? null });
  }
  return {
    id: a.artifactId,
    artifact_id: a.artifactId,
    subject_artifact_id: subjectId,
    subject_artifact_digest: a.subjectDigest,
    subject_artifact_repo: repositoryName,
    size: a.size,
    digest: a.digest,
    type,
    icon: '',
    creation_time: timeOf(a.createdAt),
  };
}

function platformView(p: unknown): PlatformView | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const o = p as Record<string, unknown>;
  const out: PlatformView = {};
  if (typeof o.architecture === 'string') out.architecture = o.architecture;
  if (typeof o.os === 'string') out.os = o.os;
  if (typeof o['os.version'] === 'string') out["'os.version'"] = o['os.version'];
  if (Array.isArray(o['os.features'])) out["'os.features'"] = o['os.features'].filter((f): f is string => typeof f === 'string');
  if (typeof o.variant === 'string') out.variant = o.variant;
  return out;
}

/** The children of an index, from its bytes, with the ids of those the repository holds. */
export function referencesOf(a: ArtifactRow, childIds: Map<string, number>): ReferenceView[] | null {
  const idx = a.indexContent ? parseObject<{ manifests?: Array<Record<string, unknown>> }>(a.indexContent.toString('utf8')) : undefined;
  const children = idx?.manifests ?? [];
  if (children.length === 0) return null;
  return children.map((c) => {
    const digest = String(c.digest);
    const ref: ReferenceView = { parent_id: a.id, child_id: childIds.get(digest) ?? 0, child_digest: digest };
    const platform = platformView(c.platform);
    if (platform) ref.platform = platform;
    if (c.annotations && typeof c.annotations === 'object') ref.annotations = c.annotations as Record<string, string>;
    if (Array.isArray(c.urls)) ref.urls = c.urls.filter((u): u is string => typeof u === 'string');
    return ref;
  });
}

/** Digests an index lists (none for anything else). */
export function childDigests(a: ArtifactRow): string[] {
  const idx = a.indexContent ? parseObject<{ manifests?: Array<{ digest?: unknown }> }>(a.indexContent.toString('utf8')) : undefined;
  return (idx?.manifests ?? []).map((c) => String(c.digest));
}

const additionsByKind: Record<string, string[]> = {
  IMAGE: ['build_history'],
  WASM: ['build_history'],
  CHART: ['values.yaml', 'readme.md', 'dependencies'],
};

/** Harbor's addition links: the repository part with its slashes encoded as %252F. */
function additionLinks(a: ArtifactRow): ArtifactView['addition_links'] {
  const names = a.indexContent ? [] : (additionsByKind[a.kind] ?? []);
  if (names.length === 0) return undefined;
  const slash = a.repositoryName.indexOf('/');
  const project = a.repositoryName.slice(0, slash);
  const repo = a.repositoryName.slice(slash + 1).replaceAll('/', '%252F');
  const links: NonNullable<ArtifactView['addition_links']> = {};
  for (const n of names) links[n] = { href: `/api/v2.0/projects/${project}/repositories/${repo}/artifacts/${a.digest}/additions/${n}`, absolute: false };
  return links;
}

export function artifactView(
  a: ArtifactRow,
  parts: { references: ReferenceView[] | null; tags: TagView[] | null; labels: LabelView[] | null; accessories: AccessoryView[] | null },
): ArtifactView {
  const view: ArtifactView = {
    id: a.id,
    type: a.kind,
    media_type: a.mediaType,
    manifest_media_type: a.manifestMediaType,
    project_id: a.projectId,
    repository_id: a.repositoryId,
    repository_name: a.repositoryName,
    digest: a.digest,
    size: a.size,
    icon: icons[a.kind] ?? defaultIcon,
    push_time: timeOf(a.pushedAt),
    pull_time: timeOf(a.pulledAt),
    references: parts.references,
    tags: parts.tags,
    labels: parts.labels,
    accessories: parts.accessories,
  };
  if (a.artifactType) view.artifact_type = a.artifactType;
  const extra = parseObject<Record<string, unknown>>(a.extraAttrs);
  if (extra) view.extra_attrs = extra;
  const annotations = parseObject<Record<string, string>>(a.annotations);
  if (annotations) view.annotations = annotations;
  const links = additionLinks(a);
  if (links) view.addition_links = links;
  return view;
}
