import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { UploadState, UploadWriter } from './blob-driver.js';
import { copySource, isS3NotFound } from './s3-client.js';
import type { S3Context } from './s3-driver.js';

/**
 * What an S3 upload holds, kept by the caller as the opaque driver state: the multipart upload
 * (created with the first full part), the ETags of its parts (all exactly `ps` bytes), and the
 * bytes past the last part, below S3's minimum part size, as one small object (the tail). Every
 * append writes a new tail under a new key, so the last acknowledged state stays intact until the
 * caller has made the next one durable (then settle() deletes the old tail).
 */
interface S3Upload {
  /** Multipart UploadId, once there is a full part. */
  u?: string;
  /** Key of the multipart upload when it is not uploads/<id>/data: the blob's own (see `direct`). */
  k?: string;
  /** Part size this upload was started with: a config change never mixes sizes in one upload. */
  ps: number;
  /** ETags of parts 1..n. */
  p: string[];
  /** Bytes in those parts (all `ps` long, but a final append's last part). */
  n: number;
  /** Key of the tail object, when ts > 0. */
  t?: string;
  ts: number;
  /** A final append happened: nothing may follow. */
  f?: true;
  /** The tail of the previous state, for settle(). */
  old?: string;
}

/** Part buffers kept between appends, so a chunked push does not allocate one per PATCH. */
const pool = new Map<number, Buffer[]>();
const maxPooled = 4;

function acquire(size: number): Buffer {
  return pool.get(size)?.pop() ?? Buffer.allocUnsafeSlow(size);
}

function release(buf: Buffer): void {
  const list = pool.get(buf.length) ?? [];
  if (list.length < maxPooled) list.push(buf);
  pool.set(buf.length, list);
}

export function createS3Uploads(s3: S3Context): UploadWriter & { copyLarge(from: string, to: string, size: number, owner?: string): Promise<void> } {
  const Bucket = s3.bucket;
  const dataKey = (id: string) => `uploads/${id}/data`;
  /**
   * Names a multipart upload built at its final key, so that the purge, which only knows upload
   * ids, can abort it when its instance died mid-push.
   */
  const directKey = (id: string) => `uploads/${id}/direct`;

  function decode(up: UploadState): S3Upload {
    if (up.state === '') {
      if (up.size !== 0) throw new Error(`S3 upload state missing for an upload of ${up.size} bytes`);
      return { ps: s3.partSize, p: [], n: 0, ts: 0 };
    }
    const st = JSON.parse(up.state) as S3Upload;
    if (st.n + st.ts !== up.size) throw new Error(`S3 upload state does not add up to ${up.size} bytes`);
    return st;
  }

  /** Reads the first `n` bytes of an object into `buf`. */
  async function readInto(key: string, buf: Buffer, n: number): Promise<number> {
    const r = await s3.send<{ Body?: Readable }>(new GetObjectCommand({ Bucket, Key: key, Range: `bytes=0-${n - 1}` }));
    let at = 0;
    for await (const c of r.Body as Readable) {
      const chunk = c as Buffer;
      if (at + chunk.length > n) throw new Error(`upload tail ${key} is longer than ${n} bytes`);
      chunk.copy(buf, at);
      at += chunk.length;
    }
    if (at !== n) throw new Error(`upload tail ${key} holds ${at} bytes, not ${n}`);
    return at;
  }

  /**
   * A multipart upload at a key outside uploads/<id>/ (built in place, or a large copy), named by
   * the marker uploads/<owner>/direct: written once before it exists, so that a crash right after
   * CreateMultipartUpload still leaves its key, and again with its UploadId.
   */
  async function createNamedUpload(key: string, owner: string): Promise<string> {
    await s3.send(new PutObjectCommand({ Bucket, Key: directKey(owner), Body: JSON.stringify({ k: key }) }));
    const uploadId = await createUpload(key);
    await s3.send(new PutObjectCommand({ Bucket, Key: directKey(owner), Body: JSON.stringify({ k: key, u: uploadId }) }));
    return uploadId;
  }

  async function createUpload(key: string): Promise<string> {
    const r = await s3.send<{ UploadId?: string }>(new CreateMultipartUploadCommand({ Bucket, Key: key }));
    if (!r.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    return r.UploadId;
  }

  async function multipartUploads(prefix: string): Promise<{ key: string; id: string; initiated: number }[]> {
    const out: { key: string; id: string; initiated: number }[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const r = await s3.send<{
        Uploads?: { Key?: string; UploadId?: string; Initiated?: Date }[];
        IsTruncated?: boolean;
        NextKeyMarker?: string;
        NextUploadIdMarker?: string;
      }>(new ListMultipartUploadsCommand({ Bucket, Prefix: prefix, ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: idMarker } : {}) }));
      for (const u of r.Uploads ?? []) if (u.Key && u.UploadId) out.push({ key: u.Key, id: u.UploadId, initiated: u.Initiated?.getTime() ?? 0 });
      if (!r.IsTruncated || !r.NextKeyMarker) return out;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
    }
  }

  async function abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }));
    } catch (err) {
      if (!isS3NotFound(err)) throw err;
    }
  }

  /** Completes the multipart upload (the tail as its last part); idempotent after a crash. */
  async function complete(id: string, st: S3Upload, size: number): Promise<void> {
    const Key = st.k ?? dataKey(id);
    try {
      const parts = st.p.map((ETag, i) => ({ ETag, PartNumber: i + 1 }));
      if (st.ts > 0) {
        const r = await s3.send<{ CopyPartResult?: { ETag?: string } }>(
          new UploadPartCopyCommand({ Bucket, Key, UploadId: st.u, PartNumber: parts.length + 1, CopySource: copySource(Bucket, st.t!) }),
        );
        parts.push({ ETag: r.CopyPartResult!.ETag!, PartNumber: parts.length + 1 });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: st.u, MultipartUpload: { Parts: parts } }));
    } catch (err) {
      // Completed by an earlier commit that died before its copy: the object is what we want.
      if (!isS3NotFound(err)) throw err;
      const h = await s3.send<{ ContentLength?: number }>(new HeadObjectCommand({ Bucket, Key })).catch(() => null);
      if (h?.ContentLength !== size) throw err;
    }
  }

  return {
    async append(id, from, source, opts = {}) {
      const st = decode(from);
      if (st.f) throw new Error(`upload ${id} was finished by a final append`);
      const parts = [...st.p];
      let partBytes = st.n;
      let uploadId = st.u;
      // Built in place only when the first byte is this append's and nothing follows it.
      const key = st.k ?? (from.size === 0 && opts.final && opts.destination ? opts.destination : dataKey(id));
      let buf: Buffer | null = null;
      let fill = 0;
      const sendPart = async (bytes: Buffer) => {
        if (!uploadId) {
          uploadId = key === dataKey(id) ? await createUpload(key) : await createNamedUpload(key, id);
        }
        const r = await s3.send<{ ETag?: string }>(
          new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber: parts.length + 1, Body: bytes, ContentLength: bytes.length }),
        );
        if (!r.ETag) throw new Error('UploadPart returned no ETag');
        parts.push(r.ETag);
        partBytes += bytes.length;
      };
      try {
        for await (const c of source) {
          const chunk = c as Buffer;
          if (chunk.length === 0) continue;
          opts.onBytes?.(chunk);
          if (!buf) {
            buf = acquire(st.ps);
            if (st.ts > 0) fill = await readInto(st.t!, buf, st.ts);
          }
          let off = 0;
          while (off < chunk.length) {
            const n = Math.min(chunk.length - off, st.ps - fill);
            chunk.copy(buf, fill, off, off + n);
            fill += n;
            off += n;
            if (fill === st.ps) {
              // One part in flight: the source waits (TCP backpressure) while it is sent.
              await sendPart(buf);
              fill = 0;
            }
          }
        }
        if (!buf) return from;
        // A final append's rest is the last part (any size may be last), so commit copies nothing.
        if (opts.final && uploadId && fill > 0) {
          await sendPart(buf.subarray(0, fill));
          fill = 0;
        }
        const size = partBytes + fill;
        let tail: string | undefined;
        if (fill > 0) {
          tail = `uploads/${id}/tail-${size}`;
          await s3.send(new PutObjectCommand({ Bucket, Key: tail, Body: buf.subarray(0, fill), ContentLength: fill }));
        }
        const next: S3Upload = {
          ...(uploadId ? { u: uploadId } : {}),
          ...(uploadId && key !== dataKey(id) ? { k: key } : {}),
          ps: st.ps,
          p: parts,
          n: partBytes,
          ...(tail ? { t: tail } : {}),
          ts: fill,
          ...(opts.final ? { f: true as const } : {}),
          ...(st.t && st.t !== tail ? { old: st.t } : {}),
        };
        return { size, state: JSON.stringify(next) };
      } finally {
        if (buf) release(buf);
      }
    },

    async settle(id, now) {
      const st = decode(now);
      if (st.old) await s3.deleteKeys([st.old]);
    },

    async commit(id, up, to, check) {
      const st = decode(up);
      if (up.size === 0) {
        if (check) await check(Readable.from([]));
        await s3.send(new PutObjectCommand({ Bucket, Key: to, Body: Buffer.alloc(0), ContentLength: 0 }));
      } else if (st.k !== undefined) {
        // Built in place: completing it is the commit. It cannot be checked before it is visible,
        // so only a caller that verified the bytes as they streamed may commit it, and only there.
        if (st.k !== to || check) throw new Error(`upload ${id} was built at ${st.k} and can only be committed there, verified`);
        await complete(id, st, up.size);
      } else {
        let staged: string;
        if (st.u) {
          await complete(id, st, up.size);
          staged = dataKey(id);
        } else staged = st.t!;
        if (check) {
          const r = await s3.send<{ Body?: Readable }>(new GetObjectCommand({ Bucket, Key: staged }));
          await check(r.Body as Readable);
        }
        await s3.copy(staged, to, up.size, id);
      }
      // Everything under the upload's prefix, tails of unacknowledged appends too (one LIST more
      // than deleting the keys this state names). A multipart upload such an append started is
      // left for the purge.
      await s3.deletePrefix(`uploads/${id}/`);
    },

    async abort(id, up) {
      const prefix = `uploads/${id}/`;
      const known = up?.state ? decode(up) : null;
      const uploads = new Map<string, string>();
      if (known?.u) uploads.set(known.u, known.k ?? dataKey(id));
      for (const u of await multipartUploads(prefix)) uploads.set(u.id, u.key);
      // One built in place (a monolithic push whose instance died): its marker names it.
      try {
        const r = await s3.send<{ Body?: Readable; LastModified?: Date }>(new GetObjectCommand({ Bucket, Key: directKey(id) }));
        const marker = JSON.parse(Buffer.concat(await (r.Body as Readable).toArray()).toString()) as { k: string; u?: string };
        if (marker.u) uploads.set(marker.u, marker.k);
        else {
          // Died between the marker and its UploadId: the uploads at its key begun since the
          // marker (times have 1 s resolution) are this one's; an older one is another upload's.
          const since = (r.LastModified?.getTime() ?? 0) - 1000;
          for (const u of await multipartUploads(marker.k)) if (u.key === marker.k && u.initiated >= since) uploads.set(u.id, u.key);
        }
      } catch (err) {
        if (!isS3NotFound(err)) throw err;
      }
      for (const [uploadId, key] of uploads) await abortUpload(key, uploadId);
      await s3.deletePrefix(prefix);
    },

    async *list() {
      const seen = new Map<string, number>();
      const note = (key: string, modified: number) => {
        const m = /^uploads\/([^/]+)\//.exec(key);
        if (m) seen.set(m[1]!, Math.max(seen.get(m[1]!) ?? 0, modified));
      };
      for (const u of await multipartUploads('uploads/')) note(u.key, u.initiated);
      for await (const o of s3.listObjects('uploads/')) note(o.path, o.modified);
      for (const [id, modified] of seen) yield { id, modified };
    },

    async copyLarge(from, to, size, owner) {
      // Built at the final key like an in-place upload, so named by the same marker: the commit's
      // cleanup removes it, an abort of the owner after a crash mid-copy aborts the copy.
      const uploadId = owner === undefined ? await createUpload(to) : await createNamedUpload(to, owner);
      try {
        const parts: { ETag: string; PartNumber: number }[] = [];
        for (let start = 0; start < size; start += s3.copyPartSize) {
          const end = Math.min(start + s3.copyPartSize, size) - 1;
          const r = await s3.send<{ CopyPartResult?: { ETag?: string } }>(
            new UploadPartCopyCommand({ Bucket, Key: to, UploadId: uploadId, PartNumber: parts.length + 1, CopySource: copySource(Bucket, from), CopySourceRange: `bytes=${start}-${end}` }),
          );
          parts.push({ ETag: r.CopyPartResult!.ETag!, PartNumber: parts.length + 1 });
        }
        await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: to, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      } catch (err) {
        await abortUpload(to, uploadId).catch(() => {});
        throw err;
      }
    },
  };
}
