import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDriverContract } from './driver-contract.js';
import { createFilesystemDriver } from './filesystem-driver.js';

describeDriverContract('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'haven-fs-driver-'));
  return {
    driver: createFilesystemDriver(root),
    reopen: () => createFilesystemDriver(root),
    partSize: 1024 * 1024,
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});
