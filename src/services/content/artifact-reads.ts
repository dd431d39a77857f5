import { cosignTagsFor } from '../../domain/artifact/accessory.js';
import type { Principal } from '../../domain/identity/principal.js';
import { parseQuery, parseSort } from '../../domain/query/harbor-query.js';
import type { AccessoryRow, ArtifactRow, ArtifactStore } from '../../db/artifacts.js';
import { AppError } from '../../platform/errors.js';
import { parseDigest } from '../../platform/digest.js';
import type { ProjectService } from '../identity/project-service.js';
import { artifactFilter, artifactSort } from './artifact-query.js';
import { accessoryView, artifactView, childDigests, labelView, referencesOf, tagView, type AccessoryView, type ArtifactView, type TagView } from './artifact-view.js';

export interface ArtifactOptions {
  withTag: boolean;
  withLabel: boolean;
  withImmutableStatus: boolean;
  withAccessory: boolean;
  /** Signatures of the indexes that list the artifact (Harbor's inherited_accessories). */
  withInheritedAccessory?: boolean;
}

type Page = { offset: number; limit: number };

const isDigest = (ref: string) => {
  try {
    parseDigest(ref);
    return true;
  } catch {
    return false;
  }
};

/**
 * Harbor's artifact reads (listArtifacts, getArtifact, listAccessories). Each list page costs a
 * fixed number of queries whatever its size: the page, then its tags, labels, accessories and
 * index children, one query each.
 */
export function createArtifactReads(deps: { artifacts: ArtifactStore; projects: Pick<ProjectService, 'resolve'> }) {
  const { artifacts, projects } = deps;

  /** The repository inside a project the caller may act on; `name` is the part after the project. */
  async function repositoryOf(actor: Principal, projectName: string, name: string, resource: string, action: string) {
    const { project } = await projects.resolve(actor, projectName, true, resource, action);
    const full = `${project.name}/${name}`;
    return { full, id: await artifacts.repositoryIn(project.id, full) };
  }

  async function find(repositoryId: number | null, full: string, reference: string): Promise<ArtifactRow> {
    const digest = isDigest(reference);
    const a = repositoryId === null ? null : digest ? await artifacts.byDigest(repositoryId, reference) : await artifacts.byTag(repositoryId, reference);
    if (!a) throw new AppError('NOT_FOUND', `artifact ${full.slice(0, 300)}${digest ? '@' : ':'}${reference.slice(0, 150)} not found`);
    return a;
  }

  /** Accessories of the given artifacts, grouped by subject digest. */
  async function accessoriesOf(repositoryId: number, subjects: string[]): Promise<Map<string, AccessoryRow[]>> {
    if (subjects.length === 0) return new Map();
    const tags = new Map<string, string>();
    for (const s of subjects) for (const t of cosignTagsFor(s)) tags.set(t, s);
    const rows = await artifacts.accessoriesOf(repositoryId, subjects, tags);
    const out = new Map<string, AccessoryRow[]>();
    for (const r of rows) {
      // By tag, only what cosign puts there: a plain image under such a tag is no accessory.
      if (r.viaTag && r.kind !== 'SIGNATURE' && r.kind !== 'SBOM') continue;
      const list = out.get(r.subjectDigest) ?? [];
      list.push(r);
      out.set(r.subjectDigest, list);
    }
    return out;
  }

  /**
   * Signatures over the indexes that list these artifacts: a signed index covers its children,
   * as Harbor's inherited_accessories (two queries for the page: parents, their accessories).
   */
  async function inheritedOf(repositoryId: number, page: ArtifactRow[]): Promise<Map<string, AccessoryView[]>> {
    const parents = await artifacts.parentsOf(repositoryId, page.map((a) => a.digest));
    const accs = await accessoriesOf(repositoryId, [...new Set(parents.map((p) => p.digest))]);
    const repositoryName = page[0]?.repositoryName ?? '';
    const out = new Map<string, AccessoryView[]>();
    for (const p of parents) {
      const views = (accs.get(p.digest) ?? []).map((r) => accessoryView(r, repositoryName, p.id)).filter((v) => v.type === 'signature.cosign' || v.type === 'signature.notation');
      if (views.length > 0) out.set(p.child, [...(out.get(p.child) ?? []), ...views]);
    }
    return out;
  }

  /** The views of a page of artifacts, with the parts asked for. */
  async function assemble(repositoryId: number, page: ArtifactRow[], o: ArtifactOptions): Promise<ArtifactView[]> {
    const ids = page.map((a) => a.id);
    const children = [...new Set(page.flatMap(childDigests))];
    const [tagRows, labelRows, accessories, childIds] = await Promise.all([
      o.withTag ? artifacts.tagsOf(ids) : Promise.resolve([]),
      o.withLabel ? artifacts.labelsOf(ids) : Promise.resolve([]),
      o.withAccessory ? accessoriesOf(repositoryId, page.map((a) => a.digest)) : Promise.resolve(new Map<string, AccessoryRow[]>()),
      artifacts.idsOf(repositoryId, children),
    ]);
    const inherited = o.withInheritedAccessory ? await inheritedOf(repositoryId, page) : new Map<string, AccessoryView[]>();
    const immutable = o.withTag && o.withImmutableStatus && tagRows.length > 0 ? await artifacts.immutableAmong(repositoryId, tagRows.map((t) => t.name)) : new Set<string>();
    const tagsBy = new Map<number, TagView[]>();
    for (const t of tagRows) {
      const list = tagsBy.get(t.artifactId) ?? [];
      list.push(tagView(t, immutable.has(t.name)));
      tagsBy.set(t.artifactId, list);
    }
    const labelsBy = new Map<number, ReturnType<typeof labelView>[]>();
    for (const l of labelRows) {
      const list = labelsBy.get(l.artifactId) ?? [];
      list.push(labelView(l));
      labelsBy.set(l.artifactId, list);
    }
    return page.map((a) => {
      const accs = accessories.get(a.digest)?.map((r) => accessoryView(r, a.repositoryName, a.id)) ?? [];
      const view = artifactView(a, {
        references: referencesOf(a, childIds),
        tags: tagsBy.get(a.id) ?? null,
        labels: labelsBy.get(a.id) ?? null,
        accessories: accs.length > 0 ? accs : null,
      });
      const inheritedHere = inherited.get(a.digest);
      if (inheritedHere && inheritedHere.length > 0) view.inherited_accessories = inheritedHere;
      return view;
    });
  }

  return {
    async list(actor: Principal, projectName: string, name: string, query: { q?: string | undefined; sort?: string | undefined }, o: ArtifactOptions, page: Page) {
      const filter = artifactFilter(query.q);
      const sort = artifactSort(query.sort);
      const repo = await repositoryOf(actor, projectName, name, 'artifact', 'list');
      // As Harbor: a repository that does not exist (in a project the caller sees) lists nothing.
      if (repo.id === null) return { items: [], total: 0 };
      const { items, total } = await artifacts.list(repo.id, filter, sort, page);
      return { items: await assemble(repo.id, items, o), total };
    },

    async get(actor: Principal, projectName: string, name: string, reference: string, o: ArtifactOptions): Promise<ArtifactView> {
      const repo = await repositoryOf(actor, projectName, name, 'artifact', 'read');
      const a = await find(repo.id, repo.full, reference);
      const [view] = await assemble(a.repositoryId, [a], o);
      return view as ArtifactView;
    },

    async accessories(actor: Principal, projectName: string, name: string, reference: string, query: { q?: string | undefined; sort?: string | undefined }, page: Page) {
      const conds = parseQuery(query.q, ['type', 'digest']);
      const sort = parseSort(query.sort, ['creation_time', 'size', 'digest', 'type', 'id']);
      const repo = await repositoryOf(actor, projectName, name, 'accessory', 'list');
      const a = await find(repo.id, repo.full, reference);
      let list: AccessoryView[] = ((await accessoriesOf(a.repositoryId, [a.digest])).get(a.digest) ?? []).map((r) => accessoryView(r, a.repositoryName, a.id));
      for (const c of conds) {
        const field = c.key as 'type' | 'digest';
        if (c.op === 'eq') list = list.filter((x) => x[field] === c.value);
        else if (c.op === 'any') list = list.filter((x) => c.values.includes(x[field]));
        else if (c.op === 'like') list = list.filter((x) => x[field].includes(c.value));
        else throw new AppError('BAD_REQUEST', `the value of "${c.key}" query cannot be a range`);
      }
      const keys = sort.length > 0 ? sort : [{ key: 'creation_time', desc: true }];
      list.sort((x, y) => {
        for (const k of [...keys, { key: 'id', desc: true }]) {
          const f = k.key as keyof AccessoryView;
          const c = x[f] < y[f] ? -1 : x[f] > y[f] ? 1 : 0;
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
      return { items: list.slice(page.offset, page.offset + page.limit), total: list.length };
    },
  };
}

export type ArtifactReads = ReturnType<typeof createArtifactReads>;
