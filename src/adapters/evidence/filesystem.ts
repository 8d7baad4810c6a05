/**
 * Content-addressed evidence on a local (or mounted) filesystem.
 *
 * Layout: `<root>/sha256/<first 2 hex>/<64 hex>` for blobs, `<root>/tmp/` for uploads in progress. Both MUST
 * be on the same filesystem, because a blob becomes visible by `link(2)` from tmp to its final name.
 *
 * Write path: stream into an exclusive tmp file while hashing and counting, stop at limit + 1, fsync the
 * file, then `link` it to its final name. `link` fails with EEXIST when the name exists, which gives
 * create-if-absent atomically: two writers of the same bytes both succeed and one file remains; no reader
 * ever sees a partial blob. The shard directory is fsynced after the link, so the name is durable too.
 * A `check` hook runs on the complete tmp file before the link, so a refused upload never becomes a blob.
 * Every failure path removes the tmp file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readFile, readdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  EmptyEvidenceError,
  EvidenceCorruptedError,
  EvidenceDigestMismatchError,
  EvidenceNotFoundError,
  EvidenceStoreReadOnlyError,
  EvidenceStoreUnavailableError,
  EvidenceTooLargeError,
} from '../../ports/evidence-errors.ts';
import { assertMediaType, digestFromHex, parseDigest } from './digest.ts';
import type { BlobInfo, EvidenceStore, PutOptions, PutResult, ReadOptions, VerifyResult } from '../../ports/evidence.ts';

export interface FileSystemEvidenceStoreOptions {
  /** Default upload limit in bytes (per-call `maxBytes` overrides it). Default 256 MiB. */
  maxBytes?: number;
  /**
   * Tmp files not written for this long belong to no live upload and are removed by `open`. Default
   * `DEFAULT_STALE_TMP_AGE_MS`: the longest an upload may last (`MAX_UPLOAD_MS`) plus clock slack.
   */
  staleTmpAgeMs?: number;
  /**
   * Open for reading only (auditors verifying a copy, `ledger verify`): nothing is created, cleaned or
   * written, and `put` throws EvidenceStoreReadOnlyError. The root MUST already exist.
   */
  readOnly?: boolean;
}

export const DEFAULT_MAX_EVIDENCE_BYTES = 256 * 1024 * 1024;
/**
 * The longest an upload into this store may last. The HTTP server's `requestTimeout` is set to it (a request
 * whose body is not complete by then is cut off), so a tmp file, created after its request began and
 * written to with every chunk, whose last write is older than this belongs to no live request.
 */
export const MAX_UPLOAD_MS = 5 * 60 * 1000;
/** `MAX_UPLOAD_MS` plus a minute for clock differences between hosts sharing the directory. */
export const DEFAULT_STALE_TMP_AGE_MS = MAX_UPLOAD_MS + 60 * 1000;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX2 = /^[0-9a-f]{2}$/;

export class FileSystemEvidenceStore implements EvidenceStore {
  private readonly blobRoot: string;
  private readonly tmpRoot: string;

  private constructor(
    readonly root: string,
    private readonly maxBytes: number,
    readonly readOnly: boolean,
  ) {
    this.blobRoot = join(root, 'sha256');
    this.tmpRoot = join(root, 'tmp');
  }

  /**
   * Creates the layout if needed and removes the tmp files that belong to no live upload (left by a process
   * that crashed or was killed mid-upload). The store owns `<root>/tmp/`: nothing else may write there.
   */
  static async open(root: string, options: FileSystemEvidenceStoreOptions = {}): Promise<FileSystemEvidenceStore> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError('maxBytes must be a positive integer');
    const store = new FileSystemEvidenceStore(root, maxBytes, options.readOnly === true);
    if (store.readOnly) {
      const info = await stat(root);
      if (!info.isDirectory()) throw new Error(`Evidence root ${root} is not a directory`);
      return store;
    }
    await mkdir(store.blobRoot, { recursive: true });
    await mkdir(store.tmpRoot, { recursive: true });
    await fsyncDirectory(root);
    await store.removeStaleTmpFiles(options.staleTmpAgeMs ?? DEFAULT_STALE_TMP_AGE_MS);
    return store;
  }

  /** Deletes tmp files whose last modification is older than `ageMs`; returns how many were removed. */
  async removeStaleTmpFiles(ageMs: number): Promise<number> {
    const cutoff = Date.now() - ageMs;
    let removed = 0;
    for (const name of await readdir(this.tmpRoot)) {
      const path = join(this.tmpRoot, name);
      try {
        const info = await stat(path);
        if (info.isFile() && info.mtimeMs < cutoff) {
          await unlink(path);
          removed++;
        }
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error; // raced with the upload finishing
      }
    }
    return removed;
  }

  async put(body: AsyncIterable<Uint8Array | string> | Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    if (this.readOnly) throw new EvidenceStoreReadOnlyError();
    const limit = options.maxBytes ?? this.maxBytes;
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError('maxBytes must be a positive integer');
    const expected = options.expectedDigest === undefined ? undefined : parseDigest(options.expectedDigest);
    if (options.mediaType !== undefined) assertMediaType(options.mediaType);

    const tmpPath = join(this.tmpRoot, `${randomUUID()}.part`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx', 0o640);
      const hash = createHash('sha256');
      let size = 0;
      if (body instanceof Uint8Array) {
        if (body.byteLength > limit) throw new EvidenceTooLargeError(limit);
        hash.update(body);
        await writeFully(handle, body);
        size = body.byteLength;
      } else {
        try {
          for await (const piece of body) {
            const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
            if (!(chunk instanceof Uint8Array)) throw new TypeError('Evidence upload chunks must be bytes');
            size += chunk.byteLength;
            // Stop reading at the first byte past the limit: a hostile client cannot fill the disk.
            if (size > limit) throw new EvidenceTooLargeError(limit);
            hash.update(chunk);
            await writeFully(handle, chunk);
          }
        } catch (error) {
          if (body instanceof Readable) body.destroy();
          throw error;
        }
      }
      if (size === 0) throw new EmptyEvidenceError();
      const hex = hash.digest('hex');
      const digest = digestFromHex(hex);
      if (expected && expected.hex !== hex) throw new EvidenceDigestMismatchError(expected.digest, digest);
      await handle.sync();
      await handle.close();
      handle = undefined;
      if (options.check) {
        const received = body instanceof Uint8Array ? body : undefined;
        await options.check({
          digest,
          size,
          bytes: async () => received ?? new Uint8Array(await readFile(tmpPath)),
        });
      }

      const shard = join(this.blobRoot, hex.slice(0, 2));
      const finalPath = join(shard, hex);
      await mkdir(shard, { recursive: true });
      let created = true;
      try {
        await link(tmpPath, finalPath);
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
        created = false;
      }
      if (created) {
        await fsyncDirectory(shard);
        await fsyncDirectory(this.blobRoot);
      } else {
        // Already stored: same digest means same bytes, unless the stored file was damaged.
        const existing = await stat(finalPath);
        if (existing.size !== size) {
          throw new EvidenceCorruptedError(digest, `stored size ${existing.size} differs from ${size}`);
        }
      }
      return { digest, size, created };
    } catch (error) {
      if (isCode(error, 'ENOSPC') || isCode(error, 'EDQUOT')) {
        throw new EvidenceStoreUnavailableError('Evidence storage is full', { cause: error });
      }
      throw error;
    } finally {
      if (handle) await handle.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
    }
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    const { hex } = parseDigest(digest);
    try {
      const info = await stat(this.pathOf(hex));
      return info.isFile() ? { digest, size: info.size } : undefined;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  async get(digest: string, options: ReadOptions = {}): Promise<Readable> {
    const { hex } = parseDigest(digest);
    const size = await this.checkedSize(digest, options);
    const source = createReadStream(this.pathOf(hex));
    const verifier = new DigestVerifier(digest, hex, size);
    source.on('error', (error) => verifier.destroy(error));
    return source.pipe(verifier);
  }

  async getBytes(digest: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const { hex } = parseDigest(digest);
    const size = await this.checkedSize(digest, options);
    const handle = await open(this.pathOf(hex), 'r');
    let bytes: Buffer;
    try {
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    if (bytes.byteLength !== size) {
      throw new EvidenceCorruptedError(digest, `size changed while reading (${size} → ${bytes.byteLength})`);
    }
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== hex) throw new EvidenceCorruptedError(digest, 'content does not hash to its digest');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async verify(digest: string, options: ReadOptions = {}): Promise<VerifyResult> {
    try {
      const stream = await this.get(digest, options);
      let size = 0;
      for await (const chunk of stream) size += (chunk as Buffer).byteLength;
      return { ok: true, size };
    } catch (error) {
      if (error instanceof EvidenceNotFoundError) return { ok: false, reason: 'missing', detail: error.message };
      if (error instanceof EvidenceCorruptedError) return { ok: false, reason: 'corrupted', detail: error.message };
      throw error;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    let entries: string[];
    try {
      entries = await readdir(this.blobRoot);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return; // a read-only copy with no blobs yet
      throw error;
    }
    const shards = entries.filter((name) => HEX2.test(name)).sort();
    for (const shard of shards) {
      let names: string[];
      try {
        names = await readdir(join(this.blobRoot, shard));
      } catch (error) {
        if (isCode(error, 'ENOTDIR')) continue;
        throw error;
      }
      for (const name of names.sort()) {
        if (!HEX64.test(name) || !name.startsWith(shard)) continue;
        const info = await stat(join(this.blobRoot, shard, name)).catch(() => undefined);
        if (info?.isFile()) yield { digest: digestFromHex(name), size: info.size };
      }
    }
  }

  private pathOf(hex: string): string {
    return join(this.blobRoot, hex.slice(0, 2), hex);
  }

  private async checkedSize(digest: string, options: ReadOptions): Promise<number> {
    const info = await this.stat(digest);
    if (!info) throw new EvidenceNotFoundError(digest);
    if (options.expectedSize !== undefined && info.size !== options.expectedSize) {
      throw new EvidenceCorruptedError(digest, `stored size ${info.size} differs from recorded ${options.expectedSize}`);
    }
    return info.size;
  }
}

/** Passes bytes through while hashing them; fails the stream at the end if size or digest do not match. */
class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private seen = 0;

  constructor(
    private readonly digest: string,
    private readonly hex: string,
    private readonly size: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.byteLength;
    if (this.seen > this.size) {
      callback(new EvidenceCorruptedError(this.digest, 'blob grew while reading'));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.size) {
      callback(new EvidenceCorruptedError(this.digest, `read ${this.seen} bytes, expected ${this.size}`));
    } else if (this.hash.digest('hex') !== this.hex) {
      callback(new EvidenceCorruptedError(this.digest, 'content does not hash to its digest'));
    } else {
      callback();
    }
  }
}

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
