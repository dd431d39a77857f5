import { describe } from 'node:test';
import { startS3, swiftAvailable } from './backends/s3.js';
import { describeDriverContract } from '../src/storage/driver-contract.js';
import { createS3Driver } from '../src/storage/s3-driver.js';

if (swiftAvailable()) {
  describeDriverContract('s3 (Swift s3api)', async () => {
    const s3 = await startS3();
    const settings = s3.settings(await s3.bucket('contract'));
    return {
      driver: createS3Driver(settings),
      reopen: () => createS3Driver(settings),
      partSize: settings.partSize,
      cleanup: () => s3.stop(),
    };
  });
} else {
  describe.skip('BlobDriver contract: s3 (python3-swift is not installed)');
}
