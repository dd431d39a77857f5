import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startS3, swiftAvailable, type S3Backend } from './backends/s3.js';
import { describeDriverContract } from '../src/storage/driver-contract.js';
import { emptyUpload } from '../src/storage/blob-driver.js';
import { createS3Driver } from '../src/storage/s3-driver.js';
import { createS3Client, type S3Settings } from '../src/storage/s3-client.js';

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

  describe('s3 driver: copies above the CopyObject threshold', () => {
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    /** A chunked upload (not built in place) of `data`, committed to `to`: commit copies it there. */
    async function chunkedCommit(driver: ReturnType<typeof createS3Driver>, id: string, data: Buffer, to: string) {
      let st = emptyUpload;
      for (let at = 0; at < data.length; at += 3 * 1024 ** 2) {
        st = await driver.uploads.append(id, st, Readable.from([data.subarray(at, at + 3 * 1024 ** 2)]));
        await driver.uploads.settle?.(id, st);
      }
      await driver.uploads.commit(id, st, to);
    }

    test('a 12 MiB commit over a 5 MiB threshold is a multipart UploadPartCopy, byte-identical', async () => {
      // Real thresholds are 5 GiB; the driver's internal options make the same path run on 12 MiB.
      const driver = createS3Driver(settings, undefined, { copyThreshold: 5 * 1024 ** 2, copyPartSize: 7 * 1024 ** 2 });
      const data = randomBytes(12 * 1024 ** 2 + 12_345);
      await chunkedCommit(driver, 'copy-large', data, 'blobs/large/copied');
      const got = Buffer.concat(await (await driver.read('blobs/large/copied')).toArray());
      assert.equal(got.length, data.length);
      assert.equal(sha(got), sha(data));
      // Staged as 5 + 5 + 2 MiB parts (ETag -3, which CopyObject would keep); copied as two ranges
      // of 7 MiB + the rest, so an ETag of -2 proves the multipart copy made the object.
      const head = await driver.context.client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: 'blobs/large/copied' }));
      assert.match(head.ETag ?? '', /-2"$/);
      const mib7 = 7 * 1024 ** 2;
      const ranged = await driver.read('blobs/large/copied', { start: mib7 - 10, end: mib7 + 9 });
      assert.ok(Buffer.concat(await ranged.toArray()).equals(data.subarray(mib7 - 10, mib7 + 10)), 'bytes across a copy part boundary');
    });

    test('below the threshold the same commit is one CopyObject (the staged ETag is kept)', async () => {
      const driver = createS3Driver(settings, undefined, { copyThreshold: 64 * 1024 ** 2, copyPartSize: 7 * 1024 ** 2 });
      const data = randomBytes(11 * 1024 ** 2);
      await chunkedCommit(driver, 'copy-small', data, 'blobs/large/plain');
      assert.equal(sha(Buffer.concat(await (await driver.read('blobs/large/plain')).toArray())), sha(data));
      const head = await driver.context.client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: 'blobs/large/plain' }));
      assert.match(head.ETag ?? '', /-3"$/, 'Swift keeps a multipart source ETag on CopyObject');
    });

    test('a multipart copy cut off by a crash is aborted by an abort that knows only the upload id', async () => {
      // The crash: CompleteMultipartUpload and the copy's own abort never reach S3.
      const client = createS3Client(settings);
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'CompleteMultipartUploadCommand' || context.commandName === 'AbortMultipartUploadCommand') {
            if ((args.input as { Key?: string }).Key === 'blobs/large/crashed') throw new Error('simulated crash');
          }
          return next(args);
        },
        { step: 'initialize', name: 'crash' },
      );
      const crashing = createS3Driver(settings, client, { copyThreshold: 5 * 1024 ** 2, copyPartSize: 5 * 1024 ** 2 });
      await assert.rejects(chunkedCommit(crashing, 'copy-crash', randomBytes(11 * 1024 ** 2), 'blobs/large/crashed'), /simulated crash/);
      const open = async () =>
        ((await crashing.context.client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket }))).Uploads ?? []).map((u) => u.Key);
      assert.deepEqual(await open(), ['blobs/large/crashed'], 'the copy is left open at its final key');
      assert.equal(await crashing.stat('blobs/large/crashed'), null, 'and nothing is visible there');
      // The upload purge of another instance knows the upload's id only.
      await createS3Driver(settings).uploads.abort('copy-crash');
      assert.deepEqual(await open(), []);
      client.destroy();
    });

    test('options outside S3 limits are refused', () => {
      assert.throws(() => createS3Driver(settings, undefined, { copyPartSize: 1024 ** 2 }), /copyPartSize/);
      assert.throws(() => createS3Driver(settings, undefined, { copyThreshold: 6 * 1024 ** 3 }), /copyThreshold/);
    });
  });

  describe('s3 driver: an upload built in place, cut off right after CreateMultipartUpload', () => {
    test('is aborted by an abort that knows only the upload id', async () => {
      // The crash: the marker naming the UploadId never reaches S3 (the first, naming the key, did).
      const client = createS3Client(settings);
      let markers = 0;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PutObjectCommand' && (args.input as { Key?: string }).Key === 'uploads/cut-off/direct' && ++markers === 2) {
            throw new Error('simulated crash');
          }
          return next(args);
        },
        { step: 'initialize', name: 'crash' },
      );
      const crashing = createS3Driver(settings, client);
      const data = randomBytes(settings.partSize + 1000);
      await assert.rejects(
        crashing.uploads.append('cut-off', emptyUpload, Readable.from([data]), { destination: 'blobs/inplace/cut-off', final: true }),
        /simulated crash/,
      );
      const open = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: settings.bucket }))).Uploads ?? []).map((u) => u.Key);
      assert.deepEqual(await open(), ['blobs/inplace/cut-off']);
      await createS3Driver(settings).uploads.abort('cut-off');
      assert.deepEqual(await open(), []);
      client.destroy();
    });
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
