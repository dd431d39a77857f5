import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readChartFiles } from './chart-archive.js';

/** A ustar header for `name` (type `type`, `size` bytes); long names go through a GNU 'L' entry. */
function header(name: string, size: number, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 100, 'utf8');
  h.write('0000644\0', 100, 8, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(type, 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

function tar(entries: Array<{ name: string; data: Buffer; type?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.name.length > 100) {
      const long = Buffer.from(`${e.name}\0`);
      parts.push(header('././@LongLink', long.length, 'L'), pad(long));
    }
    parts.push(header(e.name, e.data.length, e.type), pad(e.data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A stream of `b` in small chunks, so headers and bodies straddle chunk boundaries. */
const chunked = (b: Buffer, size = 97) => Readable.from((function* () {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
})());

const all = () => true;

test('reads the top-level files of the chart directory, by lower-cased name, across chunk boundaries', async () => {
  const archive = gzipSync(
    tar([
      { name: 'mychart/Chart.yaml', data: Buffer.from('name: mychart\n') },
      { name: 'mychart/README.md', data: Buffer.from('# readme\n'.repeat(200)) },
      { name: 'mychart/templates/README.md', data: Buffer.from('nested, not the chart readme') },
      { name: 'mychart/templates', data: Buffer.alloc(0), type: '5' },
      { name: `mychart/${'x'.repeat(120)}.yaml`, data: Buffer.from('long name') },
    ]),
  );
  const files = await readChartFiles(chunked(archive), all);
  assert.equal(files.get('chart.yaml')?.toString(), 'name: mychart\n');
  assert.equal(files.get('readme.md')?.toString(), '# readme\n'.repeat(200));
  assert.equal(files.get(`${'x'.repeat(120)}.yaml`)?.toString(), 'long name');
  assert.equal(files.size, 3);
  const only = await readChartFiles(chunked(archive), (n) => n === 'chart.yaml');
  assert.deepEqual([...only.keys()], ['chart.yaml']);
});

test('caps the decompressed size (a gzip bomb) and the size of a kept file', async () => {
  const big = gzipSync(tar([{ name: 'c/values.yaml', data: Buffer.alloc(3 * 1024 * 1024) }]));
  await assert.rejects(readChartFiles(Readable.from([big]), all, { maxTotal: 1024 * 1024 }), /too large/);
  await assert.rejects(readChartFiles(Readable.from([big]), all, { maxFile: 1024 }), /too large/);
  // A big file nobody wants is skipped, not kept.
  const files = await readChartFiles(Readable.from([big]), (n) => n === 'readme.md', { maxFile: 1024 });
  assert.equal(files.size, 0);
});

test('garbage is a 400, not a crash', async () => {
  await assert.rejects(readChartFiles(Readable.from([Buffer.from('not gzip at all')]), all), (e: Error & { status?: number }) => e.status === 400);
  const badHeader = Buffer.alloc(1024, 0x41);
  await assert.rejects(readChartFiles(Readable.from([gzipSync(badHeader)]), all), (e: Error & { status?: number }) => e.status === 400);
});
