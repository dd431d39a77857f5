import { crc32, deflateSync } from 'node:zlib';
import { AppError } from '../../platform/errors.js';

/**
 * Harbor's built-in artifact icons are addressed by fixed digests (src/lib/icon/const.go), which
 * its API puts in each artifact's `icon` field and its portal then fetches from /icons/{digest}.
 * Haven answers those digests with small icons of its own, drawn here (Harbor's images are not
 * copied): a coloured disc per artifact type, 50x50 PNG as Harbor serves them.
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

/** Harbor's getIcon: { "content-type", "content" (base64) } for a built-in icon digest. */
export function createIconService() {
  const icons = new Map<string, string>();
  for (const [kind, digest] of Object.entries(iconDigests)) icons.set(digest, discPng(colours[kind as keyof typeof iconDigests]).toString('base64'));
  return {
    get(digest: string): { 'content-type': string; content: string } {
      const content = icons.get(digest);
      // Chart icons named by a URL in Chart.yaml are never fetched: no request leaves the server for them.
      if (content === undefined) throw new AppError('NOT_FOUND', `the icon ${digest.slice(0, 200)} not found`);
      return { 'content-type': 'image/png', content };
    },
  };
}

export type IconService = ReturnType<typeof createIconService>;
