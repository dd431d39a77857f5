#!/usr/bin/env node
// Precompresses the built portal (dist/web/assets) with brotli and gzip, so the server sends
// the smaller file the browser accepts without compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = new URL('../dist/web/assets/', import.meta.url).pathname;
const compressible = /\.(js|css|svg|json|html|txt|map)$/;
let raw = 0;
let br = 0;
for (const name of readdirSync(dir)) {
  const file = join(dir, name);
  if (!compressible.test(name) || statSync(file).size < 1024) continue;
  const data = readFileSync(file);
  const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  writeFileSync(`${file}.br`, b);
  writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  raw += data.length;
  br += b.length;
}
process.stdout.write(`portal: ${(raw / 1024).toFixed(0)} KiB of assets, ${(br / 1024).toFixed(0)} KiB brotli\n`);
