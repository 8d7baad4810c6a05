/**
 * The evidence blob store port (integrity.md §3): content-addressed, write-once storage for images, video
 * and sensor readouts. Records hold only `{digest, mediaType, size, role}`; the bytes live here.
 *
 * Durable: `put` resolves only after the blob's bytes and its directory entry (or, for an object store, the
 * object) are on stable storage under its final name. A blob once durable is never replaced, and deleted
 * only by `destroy` once a retention policy's `EvidenceDestroyed` record for it is durable. Readers MUST treat a blob whose bytes do not hash to its name as corrupted evidence, never as
 * a different version.
 *
 * Implementations: `FileSystemEvidenceStore` (./filesystem.ts). An S3-compatible store fits the same port:
 * upload to a temporary key while hashing, then copy to `sha256/<hex>` with `If-None-Match: *` (create only
 * if absent) and delete the temporary key; `get` streams the object and verifies as the file store does.
 */
import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Reject the upload once it passes this many bytes (reading stops at limit + 1). Default: the store's. */
  maxBytes?: number;
  /** When given, the bytes MUST hash to it or nothing is stored (EvidenceDigestMismatchError). */
  expectedDigest?: string;
  /** Checked for shape only; the record, not the store, is the authority on media type. */
  mediaType?: string;
  /**
   * Runs once the bytes are complete and hashed (and `expectedDigest` matched), before the blob becomes
   * visible under its name. When it throws, `put` throws the same error and nothing is stored (e.g. the
   * ingest check that the bytes are of their declared media type).
   */
  check?: (staged: StagedBlob) => Promise<void>;
}

/** A fully received upload that is not yet a blob. */
export interface StagedBlob {
  digest: string;
  size: number;
  /** The received bytes (at most the put's `maxBytes`). */
  bytes(): Promise<Uint8Array>;
}

export interface PutResult {
  digest: string;
  size: number;
  /** False when a blob with this digest was already stored (the upload was a no-op). */
  created: boolean;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

export interface ReadOptions {
  /** The size a record states for this blob; a stored blob of another size is EvidenceCorruptedError. */
  expectedSize?: number;
}

export type VerifyResult = { ok: true; size: number } | { ok: false; reason: 'missing' | 'corrupted'; detail: string };

export interface EvidenceStore {
  put(body: AsyncIterable<Uint8Array | string> | Uint8Array, options?: PutOptions): Promise<PutResult>;
  /**
   * A stream of the blob. Size is checked before the first byte; the digest is checked as the bytes pass and
   * a mismatch ends the stream with EvidenceCorruptedError (a consumer MUST treat a stream error as fatal).
   */
  get(digest: string, options?: ReadOptions): Promise<Readable>;
  /** The whole blob, returned only after its digest is verified. */
  getBytes(digest: string, options?: ReadOptions): Promise<Uint8Array>;
  /** Size of a stored blob, or undefined when absent. Does not hash. */
  stat(digest: string): Promise<BlobInfo | undefined>;
  has(digest: string): Promise<boolean>;
  /** Re-hashes one blob (for `ledger verify`). */
  verify(digest: string, options?: ReadOptions): Promise<VerifyResult>;
  /** Every stored blob, in digest order. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Destroys a blob under a retention policy (docs/data-protection.md, "Retention"): the only way a blob
   * leaves the store, and only after its `EvidenceDestroyed` record is durable. An encrypted blob is
   * crypto-shredded: both wrapped data key slots are overwritten (fsync) before the file is deleted, so no copy
   * of the ciphertext is readable again. A plaintext blob is overwritten with zeros, then deleted (best effort:
   * the medium may keep old blocks). Resolves `absent` when no blob has this digest (a repeated destruction).
   */
  destroy(digest: string): Promise<DestroyOutcome>;
}

export type DestroyOutcome = 'shredded' | 'overwritten' | 'absent';
