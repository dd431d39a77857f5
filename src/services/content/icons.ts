import { crc32, deflateSync } from 'node:zlib';
import type { Principal } from '../../domain/identity/principal.js';
import type { Db } from '../../db/database.js';
import { blobPath, type BlobContent } from '../../content/blob-content.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { ProjectService } from '../identity/project-service.js';

/**
 * Harbor's built-in artifact icons are addressed by fixed digests (src/lib/icon/const.go), which
 * its API puts in each artifact's `icon` field and its portal then fetches from /icons/{digest}.
 * Haven answers those digests with small icons of its own, drawn here (Harbor's images are not
 * copied): a coloured disc per artifact type, 50x50 PNG as Harbor serves them. An artifact may
 * also carry its own icon: a layer annotated `io.goharbor.artifact.v1alpha1.icon` (Harbor's
 * annotation parser), a PNG, GIF or JPEG of at most 1 MiB.
 */
export const iconDigests = {
  IMAGE: 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06',
  CHART: 'sha256:61cf3a178ff0f75bf08a25d96b75cf7355dc197749a9f128ed3ef34b0df05518',
  CNAB: 'sha256:089bdda265c14d8686111402c8ad629e8177a1ceb7dcd0f7f39b6480f623b3bd',
  DEFAULT: 'sha256:da834479c923584f4cbcdecc0dac61f32bef1d51e8aae598cf16bd154efab49f',
  WASM: 'sha256:badd7693bcaf115be202748241dd0ea6ee3b0524bfab9ac22d1e1c43721afec6',
  CNAI: 'sha256:1e1e5c5fdaf0931ec8655e835d1182f723a0c322a6760211622e1270f0193717',
  COSIGN: 'sha256:20401d5b3a0f6dbc607c8d732eb08471af4ae6b19811a4efce8c6a724aed2882',
  NOTATION: 'sha256:3ac706e102bbe9362b400aa162df58135d35e66b9c3bee2165de92022d25fe34',
  NYDUS: 'sha256:dfcb6617cd9c144358dc1b305b87bbe34f0b619f1e329116e6aee2e41f2e34cf',
  SBOM: 'sha256:c19f80c357cd7e90d2a01b9ae3e2eb62ce447a2662bb590a19177d72d550bdae',
} as const;

const colours: Record<keyof typeof iconDigests, [number, number, number]> = {
  IMAGE: [0x1f, 0x77, 0xb4],
  CHART: [0x0f, 0x16, 0x89],
  CNAB: [0x2c, 0xa0, 0x2c],
  DEFAULT: [0x7f, 0x7f, 0x7f],
  WASM: [0x65, 0x4f, 0xf0],
  CNAI: [0x17, 0xbe, 0xcf],
  COSIGN: [0xd6, 0x27, 0x28],
  NOTATION: [0xff, 0x7f, 0x0e],
  NYDUS: [0x8c, 0x56, 0x4b],
  SBOM: [0xe3, 0x77, 0xc2],
};

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A size x size RGBA PNG of a disc in `rgb`, with a lighter ring, on a transparent ground. */
export function discPng([r, g, b]: [number, number, number], size = 50): Buffer {
  const rows: Buffer[] = [];
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      const o = 1 + x * 4;
      if (d > size / 2) continue;
      const ring = d > size / 2 - 4;
      row[o] = ring ? Math.min(255, r + 80) : r;
      row[o + 1] = ring ? Math.min(255, g + 80) : g;
      row[o + 2] = ring ? Math.min(255, b + 80) : b;
      row[o + 3] = 255;
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const iconAnnotation = 'io.goharbor.artifact.v1alpha1.icon';
const maxIconBytes = 1024 * 1024;

/** PNG, GIF or JPEG by their magic bytes (Harbor accepts only these); anything else null. */
export function imageType(b: Buffer): string | null {
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a') return 'image/gif';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

type Icon = { 'content-type': string; content: string };

/**
 * Harbor's getIcon: { "content-type", "content" (base64) }, for a built-in icon digest or an
 * artifact's icon layer. Unlike Harbor, which serves any artifact's icon to anyone, an icon
 * layer is shown only to callers who may read an artifact that carries it; an icon named by a URL
 * (a chart's Chart.yaml `icon`) is never fetched, so no request leaves the server for it.
 */
export function createIconService(deps: { db: Db; content: Pick<BlobContent, 'driver'>; projects: Pick<ProjectService, 'resolve'> }) {
  const icons = new Map<string, string>();
  for (const [kind, digest] of Object.entries(iconDigests)) icons.set(digest, discPng(colours[kind as keyof typeof iconDigests]).toString('base64'));
  const notFound = (digest: string) => new AppError('NOT_FOUND', `the icon ${digest.slice(0, 200)} not found`);

  /** Projects of a few manifests that list `digest` as a layer annotated as Harbor's icon. */
  async function carriers(digest: string): Promise<string[]> {
    const rows = await deps.db
      .selectFrom('manifest_references as ref')
      .innerJoin('manifests as m', 'm.id', 'ref.manifest_id')
      .innerJoin('repositories as r', 'r.id', 'm.repository_id')
      .innerJoin('projects as p', 'p.id', 'r.project_id')
      .select(['m.content', 'p.name'])
      .where('ref.digest', '=', digest)
      .where('ref.kind', '=', 'blob')
      .limit(20)
      .execute();
    const projects = new Set<string>();
    for (const row of rows) {
      try {
        const m = JSON.parse(row.content.toString('utf8')) as { layers?: { digest?: string; annotations?: Record<string, string> }[] };
        if (m.layers?.some((l) => l.digest === digest && l.annotations?.[iconAnnotation] !== undefined)) projects.add(row.name);
      } catch {
        // A manifest that is not JSON carries no icon.
      }
    }
    return [...projects];
  }

  async function readable(actor: Principal, projectNames: string[]): Promise<boolean> {
    for (const name of projectNames) {
      try {
        await deps.projects.resolve(actor, name, true, 'artifact', 'read');
        return true;
      } catch (err) {
        if (!isAppError(err)) throw err;
      }
    }
    return false;
  }

  return {
    async get(actor: Principal, digest: string): Promise<Icon> {
      const builtIn = icons.get(digest);
      if (builtIn !== undefined) return { 'content-type': 'image/png', content: builtIn };
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw notFound(digest);
      if (!(await readable(actor, await carriers(digest)))) throw notFound(digest);
      const stat = await deps.content.driver.stat(blobPath(digest));
      if (!stat || stat.size === 0 || stat.size > maxIconBytes) throw notFound(digest);
      const chunks: Buffer[] = [];
      for await (const c of await deps.content.driver.read(blobPath(digest), { start: 0, end: stat.size - 1 })) chunks.push(c as Buffer);
      const data = Buffer.concat(chunks);
      const type = imageType(data);
      if (type === null) throw notFound(digest);
      return { 'content-type': type, content: data.toString('base64') };
    },
  };
}

export type IconService = ReturnType<typeof createIconService>;
