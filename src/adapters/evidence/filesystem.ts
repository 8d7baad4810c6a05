/**
 * Content-addressed evidence on a local (or mounted) filesystem.
 *
 * Layout: `<root>/sha256/<first 2 hex>/<64 hex>` for blobs, `<root>/tmp/` for uploads in progress. Both MUST
 * be on the same filesystem, because a blob becomes visible by `link(2)` from tmp to its final name.
 *
 * Write path: stream into an exclusive tmp file while hashing and counting, stop at limit + 1, fsync the
 * file, then `link` it to its final name. `link` fails with EEXIST when the name exists, which gives
 * create-if-absent atomically: two writers of the same bytes both succeed and one file remains; no reader
 * ever sees a partial blob. The shard directory is fsynced after the link, so the name is durable too; those
 * directory fsyncs are group-committed (directory-sync.ts): concurrent puts share one fsync per directory per
 * batch, and each put resolves only once its batch is durable.
 * A `check` hook runs on the complete tmp file before the link, so a refused upload never becomes a blob.
 * Every failure path removes the tmp file.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readFile, readdir, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  EmptyEvidenceError,
  EvidenceCorruptedError,
  EvidenceDigestMismatchError,
  EvidenceKeyUnavailableError,
  EvidenceKeyUnwrapError,
  EvidenceNotFoundError,
  EvidenceStoreReadOnlyError,
  EvidenceStoreUnavailableError,
  EvidenceTooLargeError,
} from '../../ports/evidence-errors.ts';
import { assertMediaType, digestFromHex, parseDigest } from './digest.ts';
import { DirectorySyncGroup, type DirectoryFsync } from './directory-sync.ts';
import type { BlobInfo, DestroyOutcome, EvidenceStore, PutOptions, PutResult, ReadOptions, VerifyResult } from '../../ports/evidence.ts';
import type { KeyEncryptionKeys } from '../../ports/key-encryption.ts';
import {
  EMPTY_SLOT,
  encodeHeader,
  encodeSlot,
  encryptedFileSize,
  HEADER_BYTES,
  hasMagic,
  openAll,
  parseHeader,
  SegmentOpener,
  SegmentSealer,
  SEGMENT_BYTES,
  slotOffset,
  TAG_BYTES,
  type EnvelopeHeader,
} from './envelope.ts';

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
  /**
   * Encrypt at rest (docs/evidence-store.md): every put is encrypted under a fresh data key wrapped by these
   * key-encryption keys. Plaintext blobs from before the migration stay readable. Without it, a store that has
   * ever been encrypted refuses to open (EvidenceKeyUnavailableError), and so does one whose key check does
   * not unwrap with these keys.
   */
  encryption?: KeyEncryptionKeys;
  /**
   * How a directory is fsynced (default: open it and `fsync(2)`). Tests wrap the real one to observe or hold
   * the group commit's batches.
   */
  directoryFsync?: DirectoryFsync;
}

/** `<root>/encryption.json`: which KEK the store is under and a wrapped check value that proves the key. */
export const ENCRYPTION_MARKER = 'encryption.json';
const MARKER_CONTEXT = Buffer.from('tec-evidence-store-key-check/1', 'latin1');

type Inspected =
  | { kind: 'plain'; size: number; path: string }
  | { kind: 'encrypted'; size: number; path: string; fileSize: number; header: EnvelopeHeader };

export type EncryptOutcome = 'encrypted' | 'already-encrypted';
export type RewrapOutcome = 'rewrapped' | 'current' | 'plain';

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
  /** Group commit of the shard and root directory fsyncs that make new blob names durable. */
  readonly directorySync: DirectorySyncGroup;
  private readonly knownShards = new Set<string>();

  private constructor(
    readonly root: string,
    private readonly maxBytes: number,
    readonly readOnly: boolean,
    private readonly keys: KeyEncryptionKeys | undefined,
    directoryFsync: DirectoryFsync = fsyncDirectory,
  ) {
    this.blobRoot = join(root, 'sha256');
    this.tmpRoot = join(root, 'tmp');
    this.directorySync = new DirectorySyncGroup(this.blobRoot, directoryFsync);
  }

  /**
   * Creates the layout if needed and removes the tmp files that belong to no live upload (left by a process
   * that crashed or was killed mid-upload). The store owns `<root>/tmp/`: nothing else may write there.
   */
  static async open(root: string, options: FileSystemEvidenceStoreOptions = {}): Promise<FileSystemEvidenceStore> {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new RangeError('maxBytes must be a positive integer');
    const store = new FileSystemEvidenceStore(root, maxBytes, options.readOnly === true, options.encryption, options.directoryFsync);
    if (store.readOnly) {
      const info = await stat(root);
      if (!info.isDirectory()) throw new Error(`Evidence root ${root} is not a directory`);
      await store.checkKeys();
      return store;
    }
    await mkdir(store.blobRoot, { recursive: true });
    await mkdir(store.tmpRoot, { recursive: true });
    await fsyncDirectory(root);
    await store.checkKeys();
    await store.removeStaleTmpFiles(options.staleTmpAgeMs ?? DEFAULT_STALE_TMP_AGE_MS);
    return store;
  }

  /** True when the store encrypts what it stores. */
  get encrypted(): boolean {
    return this.keys !== undefined;
  }

  /** Whether `<root>/encryption.json` exists, i.e. the store has been opened with encryption at least once. */
  static async isMarkedEncrypted(root: string): Promise<boolean> {
    try {
      return (await stat(join(root, ENCRYPTION_MARKER))).isFile();
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false;
      throw error;
    }
  }

  /**
   * Start-up key check: a store marked encrypted needs keys that unwrap its key check (else nothing is served);
   * an unmarked store opened with keys gets the marker (written atomically).
   */
  private async checkKeys(): Promise<void> {
    const markerPath = join(this.root, ENCRYPTION_MARKER);
    let marker: { kekId: string; check: string } | undefined;
    try {
      marker = JSON.parse(await readFile(markerPath, 'utf8')) as { kekId: string; check: string };
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw new EvidenceKeyUnavailableError(`Evidence store marker ${markerPath} is unreadable`, 'wrong');
    }
    if (marker) {
      if (!this.keys) {
        throw new EvidenceKeyUnavailableError(`Evidence store ${this.root} is encrypted at rest and no key-encryption key is configured`, 'not-configured');
      }
      if (typeof marker.kekId !== 'string' || typeof marker.check !== 'string' || !this.keys.has(marker.kekId)) {
        throw new EvidenceKeyUnavailableError(`Evidence store ${this.root} is encrypted under key-encryption key ${String(marker.kekId)}, which the configured key file does not hold (wrong key file?)`, 'wrong');
      }
      try {
        await this.keys.unwrap({ kekId: marker.kekId, wrapped: Buffer.from(marker.check, 'base64') }, MARKER_CONTEXT);
      } catch (error) {
        if (error instanceof EvidenceKeyUnwrapError) {
          throw new EvidenceKeyUnavailableError(`The configured key-encryption key ${marker.kekId} does not unwrap the key check of ${this.root} (wrong key)`, 'wrong');
        }
        throw error;
      }
      return;
    }
    if (this.keys && !this.readOnly) await this.writeMarker();
  }

  /** Records the current KEK in the marker (after a rotation has re-wrapped every blob). */
  async writeMarker(): Promise<void> {
    if (!this.keys) throw new EvidenceKeyUnavailableError('No key-encryption keys configured', 'not-configured');
    const check = await this.keys.wrap(randomBytes(32), MARKER_CONTEXT);
    const body = `${JSON.stringify({ format: 'tec-evidence-encryption/1', kekId: check.kekId, check: Buffer.from(check.wrapped).toString('base64') })}\n`;
    const tmp = join(this.tmpRoot, `${randomUUID()}.marker`);
    await writeFile(tmp, body, { mode: 0o640, flag: 'wx' });
    const handle = await open(tmp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.root, ENCRYPTION_MARKER));
    await fsyncDirectory(this.root);
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
      const dataKey = this.keys ? randomBytes(32) : undefined;
      const sealer = dataKey ? new SegmentSealer(dataKey) : undefined;
      // Encrypted: the header is written last (it holds the size and the wrap bound to the digest).
      const write = sealer
        ? async (chunk: Uint8Array) => {
            const sealed = sealer.push(chunk);
            if (sealed.length > 0) await writeFully(handle!, sealed.length === 1 ? sealed[0]! : Buffer.concat(sealed));
          }
        : (chunk: Uint8Array) => writeFully(handle!, chunk);
      if (sealer) await writeFully(handle, Buffer.alloc(HEADER_BYTES));
      if (body instanceof Uint8Array) {
        if (body.byteLength > limit) throw new EvidenceTooLargeError(limit);
        hash.update(body);
        await write(body);
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
            await write(chunk);
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
      if (sealer && dataKey && this.keys) {
        await writeFully(handle, sealer.finish());
        const wrapped = await this.keys.wrap(dataKey, Buffer.from(digest, 'latin1'));
        const header = encodeHeader(size, wrapped);
        await handle.write(header, 0, header.byteLength, 0);
      }
      await handle.sync();
      await handle.close();
      handle = undefined;
      if (options.check) {
        const received = body instanceof Uint8Array ? body : undefined;
        await options.check({
          digest,
          size,
          bytes: async () => received ?? new Uint8Array(await this.readStaged(tmpPath, digest, dataKey)),
        });
      }

      const shard = join(this.blobRoot, hex.slice(0, 2));
      const finalPath = join(shard, hex);
      // Shard directories are never removed: one seen to exist needs no mkdir (a syscall per put otherwise).
      if (!this.knownShards.has(shard)) {
        await mkdir(shard, { recursive: true });
        this.knownShards.add(shard);
      }
      let created = true;
      try {
        await link(tmpPath, finalPath).catch(async (error: unknown) => {
          if (!isCode(error, 'ENOENT')) throw error;
          // The shard was removed behind our back (an operator's clean-up): make it again.
          await mkdir(shard, { recursive: true });
          this.directorySync.forget(shard);
          await link(tmpPath, finalPath);
        });
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
        created = false;
      }
      if (!created) {
        // Already stored: same digest means same bytes, unless the stored file was damaged.
        const existing = await this.inspect(hex, digest);
        if (existing && existing.size !== size) {
          throw new EvidenceCorruptedError(digest, `stored size ${existing.size} differs from ${size}`);
        }
      }
      // Acknowledged only once the name is durable. Also when it already existed: a concurrent writer of the
      // same bytes (in this process or another) may have linked it and not yet had its directory fsynced.
      await this.directorySync.sync(shard);
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
    const found = await this.inspect(hex, digest);
    return found ? { digest, size: found.size } : undefined;
  }

  /** The stored file's kind and plaintext size (an encrypted file's from its header); undefined when absent. */
  private async inspect(hex: string, digest: string): Promise<Inspected | undefined> {
    const path = this.pathOf(hex);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR')) return undefined;
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) return undefined;
      const head = Buffer.alloc(Math.min(HEADER_BYTES, info.size));
      await readFully(handle, head, 0);
      if (!hasMagic(head)) return { kind: 'plain', size: info.size, path };
      const header = parseHeader(digest, head);
      return { kind: 'encrypted', size: header.size, path, fileSize: info.size, header };
    } finally {
      await handle.close();
    }
  }

  /** The data key of an encrypted blob, from its highest-generation slot that unwraps. */
  private async dataKeyOf(digest: string, header: EnvelopeHeader): Promise<{ key: Uint8Array; slot: (typeof header.slots)[number] }> {
    if (!this.keys) throw new EvidenceKeyUnavailableError(`Evidence ${digest} is encrypted and no key-encryption key is configured`, 'not-configured');
    let unknown: string | undefined;
    for (const slot of header.slots) {
      if (!this.keys.has(slot.key.kekId)) {
        unknown ??= slot.key.kekId;
        continue;
      }
      try {
        return { key: await this.keys.unwrap(slot.key, Buffer.from(digest, 'latin1')), slot };
      } catch (error) {
        if (!(error instanceof EvidenceKeyUnwrapError)) throw error;
      }
    }
    if (unknown !== undefined && header.slots.every((s) => !this.keys!.has(s.key.kekId))) {
      throw new EvidenceKeyUnavailableError(`Evidence ${digest} is wrapped under key-encryption key ${unknown}, which the key file does not hold`, 'unknown-kek');
    }
    throw new EvidenceCorruptedError(digest, 'no wrapped data key authenticates (tampered header)');
  }

  private async readStaged(tmpPath: string, digest: string, dataKey: Uint8Array | undefined): Promise<Buffer> {
    const file = await readFile(tmpPath);
    if (!dataKey) return file;
    return openAll(digest, dataKey, parseHeader(digest, file), file.subarray(HEADER_BYTES));
  }

  private async opened(digest: string, found: Inspected): Promise<{ key: Uint8Array; header: EnvelopeHeader } | undefined> {
    if (found.kind === 'plain') return undefined;
    if (found.fileSize !== encryptedFileSize(found.size, found.header.segmentBytes)) {
      throw new EvidenceCorruptedError(digest, `encrypted file is ${found.fileSize} bytes, its header implies ${encryptedFileSize(found.size, found.header.segmentBytes)}`);
    }
    return { key: (await this.dataKeyOf(digest, found.header)).key, header: found.header };
  }

  /**
   * Migration (`tec evidence encrypt`): replaces a plaintext blob by its encrypted form, after checking that
   * its bytes hash to its name (a damaged blob is never encrypted: EvidenceCorruptedError). The encrypted file
   * is written and fsynced in tmp and renamed over the plaintext one, so an interruption leaves either form,
   * both readable; rerunning skips blobs already encrypted.
   */
  async encryptInPlace(digest: string): Promise<EncryptOutcome> {
    if (this.readOnly) throw new EvidenceStoreReadOnlyError();
    if (!this.keys) throw new EvidenceKeyUnavailableError('No key-encryption keys configured', 'not-configured');
    const { hex } = parseDigest(digest);
    const found = await this.inspect(hex, digest);
    if (!found) throw new EvidenceNotFoundError(digest);
    if (found.kind === 'encrypted') return 'already-encrypted';
    const plain = await readFile(found.path);
    if (createHash('sha256').update(plain).digest('hex') !== hex) throw new EvidenceCorruptedError(digest, 'content does not hash to its digest');
    const dataKey = randomBytes(32);
    const sealer = new SegmentSealer(dataKey);
    const sealed = [...sealer.push(plain), sealer.finish()];
    const header = encodeHeader(plain.byteLength, await this.keys.wrap(dataKey, Buffer.from(digest, 'latin1')));
    const tmpPath = join(this.tmpRoot, `${randomUUID()}.part`);
    try {
      const handle = await open(tmpPath, 'wx', 0o640);
      try {
        await writeFully(handle, header);
        for (const piece of sealed) await writeFully(handle, piece);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmpPath, found.path);
      await fsyncDirectory(join(this.blobRoot, hex.slice(0, 2)));
    } finally {
      await unlink(tmpPath).catch(() => undefined);
    }
    return 'encrypted';
  }

  /**
   * Rotation (`tec evidence rotate-key`): re-wraps a blob's data key under the current KEK, in place. Only the
   * header's key slots change, never the ciphertext: the new wrap goes into the free slot (fsync), then the
   * old slot is zeroed (fsync), so a valid wrap is on disk at every moment.
   */
  async rewrap(digest: string): Promise<RewrapOutcome> {
    if (this.readOnly) throw new EvidenceStoreReadOnlyError();
    if (!this.keys) throw new EvidenceKeyUnavailableError('No key-encryption keys configured', 'not-configured');
    const { hex } = parseDigest(digest);
    const found = await this.inspect(hex, digest);
    if (!found) throw new EvidenceNotFoundError(digest);
    if (found.kind === 'plain') return 'plain';
    const { key, slot } = await this.dataKeyOf(digest, found.header);
    if (slot.key.kekId === this.keys.currentId && found.header.slots.length === 1) return 'current';
    const wrapped = await this.keys.wrap(key, Buffer.from(digest, 'latin1'));
    const free = slot.index === 0 ? 1 : 0;
    const handle = await open(found.path, 'r+');
    try {
      await handle.write(encodeSlot(slot.generation + 1, wrapped), 0, undefined, slotOffset(free));
      await handle.sync();
      await handle.write(EMPTY_SLOT, 0, EMPTY_SLOT.byteLength, slotOffset(slot.index));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return 'rewrapped';
  }

  /**
   * Retention (`tec retention run`): crypto-shreds a blob. Encrypted: both key slots are zeroed and fsynced,
   * then the file is unlinked and its directory fsynced; without the wrapped data key the ciphertext (and any
   * copy of it, e.g. in a backup) is unreadable even with the KEK. Plaintext: zeroed and fsynced, then
   * unlinked. The caller records `EvidenceDestroyed` first.
   */
  async destroy(digest: string): Promise<DestroyOutcome> {
    if (this.readOnly) throw new EvidenceStoreReadOnlyError();
    const { hex } = parseDigest(digest);
    const path = this.pathOf(hex);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r+');
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'EISDIR')) return 'absent';
      throw error;
    }
    let outcome: DestroyOutcome;
    try {
      const info = await handle.stat();
      const head = Buffer.alloc(Math.min(HEADER_BYTES, info.size));
      await readFully(handle, head, 0);
      if (hasMagic(head) && head.byteLength === HEADER_BYTES) {
        for (const index of [0, 1] as const) await handle.write(EMPTY_SLOT, 0, EMPTY_SLOT.byteLength, slotOffset(index));
        outcome = 'shredded';
      } else {
        const zeros = Buffer.alloc(Math.min(info.size, SEGMENT_BYTES));
        for (let at = 0; at < info.size; at += zeros.byteLength) {
          await handle.write(zeros, 0, Math.min(zeros.byteLength, info.size - at), at);
        }
        outcome = 'overwritten';
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(path);
    await fsyncDirectory(join(this.blobRoot, hex.slice(0, 2)));
    return outcome;
  }

  /** Whether a stored blob is encrypted (undefined when absent). */
  async isEncrypted(digest: string): Promise<boolean | undefined> {
    const { hex } = parseDigest(digest);
    const found = await this.inspect(hex, digest);
    return found ? found.kind === 'encrypted' : undefined;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  async get(digest: string, options: ReadOptions = {}): Promise<Readable> {
    const { hex } = parseDigest(digest);
    const found = await this.checked(hex, digest, options);
    const size = found.size;
    const envelope = await this.opened(digest, found);
    const verifier = new DigestVerifier(digest, hex, size);
    if (!envelope) {
      const source = createReadStream(found.path);
      source.on('error', (error) => verifier.destroy(error));
      return source.pipe(verifier);
    }
    // Each segment's plaintext is released only once its GCM tag verified; the digest is checked at the end.
    // Read whole sealed segments at a time, so a segment rarely spans two chunks (no copying to join them).
    const source = createReadStream(found.path, { start: HEADER_BYTES, highWaterMark: 4 * (envelope.header.segmentBytes + TAG_BYTES) });
    const opener = new SegmentOpener(digest, envelope.key, envelope.header);
    source.on('error', (error) => opener.destroy(error));
    opener.on('error', (error) => verifier.destroy(error));
    return source.pipe(opener).pipe(verifier);
  }

  async getBytes(digest: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const { hex } = parseDigest(digest);
    const found = await this.checked(hex, digest, options);
    const size = found.size;
    const handle = await open(found.path, 'r');
    let bytes: Buffer;
    try {
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
    if (found.kind === 'encrypted') {
      if (!hasMagic(bytes)) throw new EvidenceCorruptedError(digest, 'header changed while reading');
      const envelope = await this.opened(digest, { ...found, fileSize: bytes.byteLength, header: parseHeader(digest, bytes) });
      bytes = openAll(digest, envelope!.key, envelope!.header, bytes.subarray(HEADER_BYTES));
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
        const digest = digestFromHex(name);
        let size: number | undefined;
        try {
          size = (await this.inspect(name, digest))?.size;
        } catch (error) {
          if (!(error instanceof EvidenceCorruptedError)) throw error;
          size = (await stat(join(this.blobRoot, shard, name)).catch(() => undefined))?.size; // verify() names the damage
        }
        if (size !== undefined) yield { digest, size };
      }
    }
  }

  private pathOf(hex: string): string {
    return join(this.blobRoot, hex.slice(0, 2), hex);
  }

  private async checked(hex: string, digest: string, options: ReadOptions): Promise<Inspected> {
    const info = await this.inspect(hex, digest);
    if (!info) throw new EvidenceNotFoundError(digest);
    if (options.expectedSize !== undefined && info.size !== options.expectedSize) {
      throw new EvidenceCorruptedError(digest, `stored size ${info.size} differs from recorded ${options.expectedSize}`);
    }
    return info;
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

async function readFully(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < into.byteLength) {
    const { bytesRead } = await handle.read(into, offset, into.byteLength - offset, position + offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
}

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Opens a directory and fsyncs it, so the names linked or unlinked in it are durable. */
export async function fsyncDirectory(path: string): Promise<void> {
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
