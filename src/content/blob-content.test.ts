import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { createFilesystemDriver } from '../storage/filesystem-driver.js';
import { createBlobContent, newUpload } from './blob-content.js';

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Two "instances" (two content layers on one store) write to one upload in turns. Each may trust
 * its in-memory hash only when the row's last write was its own: the test damages the stored
 * bytes behind both, so a trusted hash lets the damage through and a re-hash catches it.
 */
describe('blob content: when an in-memory hash is trusted', () => {
  const root = mkdtempSync(join(tmpdir(), 'haven-content-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const damage = (id: string, at: number) => {
    const fd = openSync(join(root, 'uploads', id), 'r+');
    writeSync(fd, Buffer.from('!'), 0, 1, at);
    closeSync(fd);
  };

  test('its own last write: the remembered hash is used (stored bytes are not re-read)', async () => {
    const a = createBlobContent(createFilesystemDriver(root));
    const data = randomBytes(3000);
    const s1 = await a.write('own', Readable.from([data.subarray(0, 1000)]), newUpload);
    const s2 = await a.write('own', Readable.from([data.subarray(1000)]), s1);
    assert.notEqual(s1.token, s2.token);
    damage('own', 10);
    await a.commit('own', digestOf(data), s2);
  });

  test('the last write was another instance\'s: commit re-hashes what is stored', async () => {
    const a = createBlobContent(createFilesystemDriver(root));
    const b = createBlobContent(createFilesystemDriver(root));
    const data = randomBytes(3000);
    const s1 = await a.write('shared', Readable.from([data.subarray(0, 1000)]), newUpload);
    const s2 = await b.write('shared', Readable.from([data.subarray(1000, 2000)]), s1);
    // a's memory is at 1000 bytes under its own token; the row now names b's write.
    const s3 = await a.write('shared', Readable.from([data.subarray(2000)]), s2);
    damage('shared', 10);
    await assert.rejects(a.commit('shared', digestOf(data), s3), (e: Error & { code?: string }) => e.code === 'DIGEST_INVALID');
    await a.discard('shared', s3);
  });

  test('a re-hash accepts undamaged bytes and refuses a wrong digest', async () => {
    const a = createBlobContent(createFilesystemDriver(root));
    const b = createBlobContent(createFilesystemDriver(root));
    const data = randomBytes(5000);
    const s1 = await a.write('rehash', Readable.from([data.subarray(0, 2500)]), newUpload);
    const s2 = await b.write('rehash', Readable.from([data.subarray(2500)]), s1);
    await assert.rejects(a.commit('rehash', digestOf(Buffer.from('x')), s2), (e: Error & { code?: string }) => e.code === 'DIGEST_INVALID');
    await a.commit('rehash', digestOf(data), s2);
    assert.equal(await a.storedSize(digestOf(data)), data.length);
  });

  test('a write whose row update was lost is not trusted, even at the same size: its token is not the row\'s', async () => {
    const a = createBlobContent(createFilesystemDriver(root));
    const data = randomBytes(2000);
    const s1 = await a.write('lost', Readable.from([data.subarray(0, 1000)]), newUpload);
    // This write happened, but the row kept s1 (its advance failed). Another instance then wrote
    // the right bytes from s1, to the same size: a's remembered hash (of the lost bytes) is stale.
    await a.write('lost', Readable.from([Buffer.alloc(1000, 1)]), s1);
    const s2 = await createBlobContent(createFilesystemDriver(root)).write('lost', Readable.from([data.subarray(1000)]), s1);
    await a.commit('lost', digestOf(data), s2);
    assert.equal(await a.storedSize(digestOf(data)), data.length);
  });
});
