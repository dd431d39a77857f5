import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3, swiftAvailable, type S3Backend } from './backends/s3.js';
import { describeDriverContract } from '../src/storage/driver-contract.js';
import { createS3Driver } from '../src/storage/s3-driver.js';
import type { S3Settings } from '../src/storage/s3-client.js';

if (swiftAvailable()) {
  let s3: S3Backend;
  let settings: S3Settings;
  describeDriverContract('s3 (Swift s3api)', async () => {
    s3 = await startS3();
    settings = s3.settings(await s3.bucket('contract'));
    return {
      driver: createS3Driver(settings),
      reopen: () => createS3Driver(settings),
      partSize: settings.partSize,
      // Stopped by the leak check below, once it has looked at what the contract left.
      cleanup: async () => {},
    };
  });

  describe('s3 driver after the contract', () => {
    after(async () => {
      await s3?.stop();
    });

    test('no multipart upload and no upload object is left behind by commits and aborts', async () => {
      const { client } = createS3Driver(settings).context;
      const multipart = await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket }));
      assert.deepEqual((multipart.Uploads ?? []).map((u) => u.Key), []);
      const objects = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: 'uploads/' }));
      assert.deepEqual((objects.Contents ?? []).map((o) => o.Key), []);
    });
  });
} else {
  describe.skip('BlobDriver contract: s3 (python3-swift is not installed)');
}
