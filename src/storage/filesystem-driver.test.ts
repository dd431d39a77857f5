import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDriverContract } from './driver-contract.js';
import { createFilesystemDriver } from './filesystem-driver.js';

for (const directWrites of [true, false]) {
  // Upload bytes past the page cache (the default), and through it (directWrites: false, and
  // what a filesystem that refuses O_DIRECT gets).
  describeDriverContract(`filesystem, ${directWrites ? 'direct writes' : 'writes through the page cache'}`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'haven-fs-driver-'));
    return {
      driver: createFilesystemDriver(root, { directWrites }),
      reopen: () => createFilesystemDriver(root, { directWrites }),
      partSize: 1024 * 1024,
      cleanup: async () => rmSync(root, { recursive: true, force: true }),
    };
  });
}
