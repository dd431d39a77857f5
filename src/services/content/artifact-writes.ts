import { parse as parseYaml } from 'yaml';
import { principalName, type Principal } from '../../domain/identity/principal.js';
import { isTag, validateRepositoryName } from '../../domain/oci/names.js';
import { findCondition, parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { ArtifactRef, ArtifactRow, ArtifactWriteStore, TagSortColumn } from '../../db/artifact-writes.js';
import { immutableAmong } from '../../db/tag-protection.js';
import type { Db } from '../../db/database.js';
import { blobPath, type BlobContent } from '../../content/blob-content.js';
import { readChartFiles } from '../../content/chart-archive.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ProjectService } from '../identity/project-service.js';
import { tagView, type TagView } from './artifact-view.js';
import { parseManifest } from '../../domain/oci/manifest.js';
import { createMemoryCache } from '../../platform/cache.js';

/** Harbor's zero time, which it shows for a tag never pulled. */
const tagSortColumns: Record<string, TagSortColumn> = { name: 'name', push_time: 'updated_at', pull_time: 'pulled_at', id: 'id' };
/** Config blobs and chart layers read for additions at most (they are user-supplied). */
const maxConfigBytes = 4 * 1024 * 1024;
const maxChartLayerBytes = 64 * 1024 * 1024;
const imageConfigTypes = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
const helmConfigType = 'application/vnd.cncf.helm.config.v1+json';


export interface Addition {
  contentType: string;
  content: string;
}

/** Harbor's {reference}: a digest when it has a colon, else a tag. */
export function artifactRef(reference: string): ArtifactRef {
  if (reference.includes(':')) {
    try {
      return { digest: parseDigest(reference).digest };
    } catch {
      throw new AppError('BAD_REQUEST', `invalid reference ${reference.slice(0, 200)}`);
    }
  }
  if (!isTag(reference)) throw new AppError('BAD_REQUEST', `invalid reference ${reference.slice(0, 200)}`);
  return { tag: reference };
}

/** `from` of a copy: "project/repo@sha256:..." or "project/repo:tag" (as Harbor parses it). */
export function parseCopySource(from: string): { repository: string; ref: ArtifactRef } {
  const invalid = () => new AppError('BAD_REQUEST', `invalid input: ${from.slice(0, 300)}`);
  const at = from.indexOf('@');
  let repository: string;
  let ref: ArtifactRef;
  if (at >= 0) {
    repository = from.slice(0, at);
    // "repo:tag@digest": the digest wins, as in Harbor's reference grammar.
    const tagColon = repository.lastIndexOf(':');
    if (tagColon > repository.lastIndexOf('/')) repository = repository.slice(0, tagColon);
    try {
      ref = { digest: parseDigest(from.slice(at + 1)).digest };
    } catch {
      throw invalid();
    }
  } else {
    const colon = from.lastIndexOf(':');
    if (colon < 0 || from.indexOf('/', colon) >= 0) throw invalid();
    repository = from.slice(0, colon);
    const tag = from.slice(colon + 1);
    if (!isTag(tag)) throw invalid();
    ref = { tag };
  }
  try {
    validateRepositoryName(repository);
  } catch {
    throw invalid();
  }
  if (!repository.includes('/')) throw invalid();
  return { repository, ref };
}

const describe = (ref: ArtifactRef) => ('tag' in ref ? ref.tag : ref.digest);
const artifactNotFound = (repository: string, ref: ArtifactRef) =>
  new AppError('NOT_FOUND', `artifact ${repository.slice(0, 300)}${'tag' in ref ? ':' : '@'}${describe(ref).slice(0, 200)} not found`);

/** Artifact writes of Harbor's API (delete, copy, tags) and its additions. */
export function createArtifactWriteService(deps: {
  artifacts: ArtifactWriteStore;
  projects: Pick<ProjectService, 'resolve'>;
  content: Pick<BlobContent, 'driver'>;
  db: Db;
  audit: AuditLog;
}) {
  const { artifacts, projects, audit } = deps;

  async function existing(repository: string, ref: ArtifactRef): Promise<ArtifactRow> {
    const art = await artifacts.find(repository, ref);
    if (!art) throw artifactNotFound(repository, ref);
    return art;
  }

  function record(actor: Principal, projectId: number, operation: string, resourceType: string, resource: string, ip: string) {
    audit.record({ projectId, operation, resourceType, resource, username: principalName(actor), clientIp: ip, success: true });
  }

  /** A user-supplied blob, read whole only when it is small enough. */
  async function readBlob(digest: string, max: number): Promise<Buffer> {
    const stat = await deps.content.driver.stat(blobPath(digest));
    if (!stat) throw new AppError('NOT_FOUND', `blob ${digest} is missing from storage`);
    if (stat.size > max) throw new AppError('BAD_REQUEST', `blob ${digest} is too large to read`);
    if (stat.size === 0) return Buffer.alloc(0);
    const chunks: Buffer[] = [];
    for await (const c of await deps.content.driver.read(blobPath(digest), { start: 0, end: stat.size - 1 })) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * The artifact's config and layers as its push validated them: an index has none, and foreign
   * (non-distributable) layers were never checked to be in the repository, so they are not read.
   * Unknown fields of the stored bytes are never trusted, or they could name another project's blob.
   */
  function contentOf(art: ArtifactRow): { config: string | null; configType: string | null; layers: string[] } {
    try {
      const parsed = parseManifest(art.content, art.mediaType);
      const config = parsed.config;
      return { config: config?.digest ?? null, configType: config?.mediaType ?? null, layers: parsed.blobs.map((b) => b.digest).filter((d) => d !== config?.digest) };
    } catch {
      return { config: null, configType: null, layers: [] };
    }
  }

  async function buildHistory(art: ArtifactRow): Promise<Addition> {
    const configDigest = contentOf(art).config;
    if (configDigest === null) throw new AppError('BAD_REQUEST', 'addition build_history isn\'t supported for this artifact');
    let history: unknown = null;
    try {
      history = (JSON.parse((await readBlob(configDigest, maxConfigBytes)).toString('utf8')) as { history?: unknown }).history ?? null;
    } catch (err) {
      if (isAppError(err)) throw err;
      throw new AppError('BAD_REQUEST', 'the image config is not valid JSON');
    }
    return { contentType: 'application/json; charset=utf-8', content: JSON.stringify(history) };
  }

  // A chart layer never changes (content addressed), so what was read from it once is kept: a
  // public chart's readme asked in a loop decompresses the archive once, not every time.
  const chartFiles = createMemoryCache<string, Addition>({ max: 256 });

  /** readme.md, values.yaml or dependencies, read from the chart's `.tgz` layer (Harbor's chart processor). */
  async function chartAddition(art: ArtifactRow, addition: string): Promise<Addition> {
    const [layer] = contentOf(art).layers;
    if (!layer) throw new AppError('NOT_FOUND', 'the chart has no content layer');
    const key = `${layer} ${addition}`;
    const cached = chartFiles.get(key);
    if (cached) return cached;
    const read = await readChartAddition(layer, addition);
    // Only small answers are kept, so the cache stays a few MiB at most.
    if (read.content.length <= 64 * 1024) chartFiles.set(key, read);
    return read;
  }

  async function readChartAddition(layer: string, addition: string): Promise<Addition> {
    const stat = await deps.content.driver.stat(blobPath(layer));
    if (!stat || stat.size === 0) throw new AppError('NOT_FOUND', `blob ${layer} is missing from storage`);
    if (stat.size > maxChartLayerBytes) throw new AppError('BAD_REQUEST', 'the chart archive is too large to read');
    const stream = await deps.content.driver.read(blobPath(layer), { start: 0, end: stat.size - 1 });
    const wanted = addition === 'dependencies' ? ['chart.yaml', 'requirements.yaml'] : [addition];
    const files = await readChartFiles(stream, (name) => wanted.includes(name));
    if (addition === 'values.yaml') return { contentType: 'text/plain; charset=utf-8', content: files.get('values.yaml')?.toString('utf8') ?? '' };
    if (addition === 'readme.md') return { contentType: 'text/markdown; charset=utf-8', content: files.get('readme.md')?.toString('utf8') ?? '' };
    const deps_ = [...dependenciesIn(files.get('chart.yaml')), ...dependenciesIn(files.get('requirements.yaml'))];
    return { contentType: 'application/json; charset=utf-8', content: JSON.stringify(deps_.length > 0 ? deps_ : null) };
  }

  return {
    async delete(actor: Principal, projectName: string, repo: string, reference: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact', 'delete');
      const repository = `${project.name}/${repo}`;
      const ref = artifactRef(reference);
      const r = await artifacts.delete(repository, ref);
      if (r.kind === 'unknown') throw artifactNotFound(repository, ref);
      if (r.kind === 'listed') throw new AppError('PRECONDITION', 'the deleting artifact is referenced by others', { detail: { indexes: r.by } });
      record(actor, project.id, 'delete', 'artifact', `${repository}:${describe(ref)}`, ip);
    },

    /**
     * Harbor's CopyArtifact: artifact:create on the target, artifact:read on the source. A source
     * the caller may not read is answered exactly like a missing one.
     */
    async copy(actor: Principal, projectName: string, repo: string, from: string, ip: string): Promise<{ reference: string }> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact', 'create');
      const target = `${project.name}/${repo}`;
      validateRepositoryName(target);
      const source = parseCopySource(from);
      try {
        await projects.resolve(actor, source.repository.slice(0, source.repository.indexOf('/')), true, 'artifact', 'read');
      } catch (err) {
        if (isAppError(err) && (err.status === 404 || err.status === 403 || err.status === 401)) throw artifactNotFound(source.repository, source.ref);
        throw err;
      }
      const r = await artifacts.copy(source.repository, source.ref, target);
      if (r.kind === 'unknown') throw artifactNotFound(source.repository, source.ref);
      if (r.kind === 'accessory') throw new AppError('DENIED', "the operation isn't supported for an artifact accessory");
      record(actor, project.id, 'create', 'artifact', `${target}@${r.digest}`, ip);
      return { reference: describe(source.ref) };
    },

    async listTags(
      actor: Principal,
      projectName: string,
      repo: string,
      reference: string,
      opts: { q?: string | undefined; sort?: string | undefined; withImmutableStatus?: boolean | undefined },
      page: { offset: number; limit: number },
    ): Promise<{ items: TagView[]; total: number }> {
      const { project } = await projects.resolve(actor, projectName, true, 'tag', 'list');
      const repository = `${project.name}/${repo}`;
      const ref = artifactRef(reference);
      const conds = parseQuery(opts.q, ['name']);
      const f: { name?: string; nameLike?: string } = {};
      const name = findCondition(conds, 'name');
      if (name?.op === 'eq') f.name = name.value;
      else if (name?.op === 'like') f.nameLike = name.value;
      else if (name) throw new AppError('BAD_REQUEST', 'name takes an exact (name=x) or fuzzy (name=~x) value');
      const [first] = parseSort(opts.sort, Object.keys(tagSortColumns));
      const sort = first ? { column: tagSortColumns[first.key] as TagSortColumn, desc: first.desc } : { column: 'updated_at' as const, desc: true };
      const r = await artifacts.listTags(repository, ref, f, page, sort);
      if (!r) throw artifactNotFound(repository, ref);
      const repositoryId = r.items[0]?.repositoryId;
      const immutable = opts.withImmutableStatus && repositoryId !== undefined ? await immutableAmong(deps.db, repositoryId, r.items.map((t) => t.name)) : new Set<string>();
      return {
        total: r.total,
        items: r.items.map((t) => tagView(t, immutable.has(t.name))),
      };
    },

    async createTag(actor: Principal, projectName: string, repo: string, reference: string, tag: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'tag', 'create');
      const repository = `${project.name}/${repo}`;
      const ref = artifactRef(reference);
      if (!isTag(tag)) throw new AppError('BAD_REQUEST', `invalid tag name ${tag.slice(0, 200)}`);
      const r = await artifacts.createTag(repository, ref, tag);
      if (r === 'unknown') throw artifactNotFound(repository, ref);
      if (r === 'exists') throw new AppError('CONFLICT', `tag ${tag} already exists under the repository ${repository.slice(0, 300)}`);
      record(actor, project.id, 'create', 'tag', `${repository}:${tag}`, ip);
    },

    async deleteTag(actor: Principal, projectName: string, repo: string, reference: string, tag: string, ip: string): Promise<void> {
      const { project } = await projects.resolve(actor, projectName, true, 'tag', 'delete');
      const repository = `${project.name}/${repo}`;
      const ref = artifactRef(reference);
      const r = await artifacts.deleteTag(repository, ref, tag);
      if (r === 'unknown') throw artifactNotFound(repository, ref);
      if (r === 'no-tag') throw new AppError('NOT_FOUND', `tag ${tag.slice(0, 200)} attached to artifact ${describe(ref).slice(0, 200)} not found`);
      record(actor, project.id, 'delete', 'tag', `${repository}:${tag}`, ip);
    },

    /** Harbor's additions: build_history of images, readme/values/dependencies of charts. */
    async addition(actor: Principal, projectName: string, repo: string, reference: string, addition: string): Promise<Addition> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact-addition', 'read');
      const repository = `${project.name}/${repo}`;
      const art = await existing(repository, artifactRef(reference));
      // Harbor's scan reports by report media type: none until a scanner exists.
      if (addition === 'vulnerabilities') return { contentType: 'application/json; charset=utf-8', content: '{}' };
      // Decided by the config's media type, as Harbor's processors are registered.
      const configType = contentOf(art).configType;
      if (configType !== null && imageConfigTypes.has(configType) && addition === 'build_history') return buildHistory(art);
      if (configType === helmConfigType && (addition === 'values.yaml' || addition === 'readme.md' || addition === 'dependencies')) return chartAddition(art, addition);
      throw new AppError('BAD_REQUEST', `addition ${addition} isn't supported for ${art.kind}`);
    },

    /**
     * The manifest as pushed (Haven's own, for the portal's artifact detail: layers with sizes
     * and the raw JSON). Harbor's portal has no such view; /v2 would need a registry token.
     */
    async manifest(actor: Principal, projectName: string, repo: string, reference: string): Promise<{ mediaType: string; digest: string; content: Buffer }> {
      const { project } = await projects.resolve(actor, projectName, true, 'artifact', 'read');
      const repository = `${project.name}/${repo}`;
      const art = await existing(repository, artifactRef(reference));
      return { mediaType: art.mediaType, digest: art.digest, content: art.content };
    },
  };
}

/** Helm's dependency list (Chart.yaml apiVersion v2, or requirements.yaml of v1 charts). */
function dependenciesIn(file: Buffer | undefined): unknown[] {
  if (!file) return [];
  try {
    const doc = parseYaml(file.toString('utf8'), { maxAliasCount: 100 }) as { dependencies?: unknown } | null;
    return Array.isArray(doc?.dependencies) ? doc.dependencies.filter((d) => typeof d === 'object' && d !== null) : [];
  } catch {
    throw new AppError('BAD_REQUEST', 'the chart has a malformed Chart.yaml');
  }
}

export type ArtifactWriteService = ReturnType<typeof createArtifactWriteService>;
