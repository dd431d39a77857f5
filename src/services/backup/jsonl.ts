import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** A JSON-lines file written in large chunks, hashed as written, fsynced on close. */
export class LineWriter {
  private chunks: string[] = [];
  private pending = 0;
  private readonly hash = createHash('sha256');
  lines = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(file: string): Promise<LineWriter> {
    return new LineWriter(await open(file, 'wx', 0o600));
  }

  async write(line: string): Promise<void> {
    this.chunks.push(line, '\n');
    this.pending += line.length + 1;
    this.lines++;
    if (this.pending >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.pending = 0;
    this.hash.update(buf);
    await this.handle.write(buf);
  }

  /** Flushes, fsyncs and closes; resolves with the file's sha256 (hex). */
  async close(): Promise<string> {
    try {
      await this.flush();
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
    return this.hash.digest('hex');
  }

  /** Closes without caring about the content (a failed backup). */
  async abandon(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}

/** The non-empty lines of a file, streamed. */
export async function* readLines(file: string): AsyncIterable<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') yield line;
}

/** sha256 (hex) of a whole file. */
export async function fileSha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}
