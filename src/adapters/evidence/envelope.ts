/**
 * The encrypted blob format (docs/evidence-store.md, "Encryption at rest"). One file per blob, under the
 * blob's plaintext digest:
 *
 * ```
 * header (HEADER_BYTES = 1048, big-endian)
 *   0   magic  89 54 45 43 45 4E 43 0A  ("\x89TECENC\n")
 *   8   format version (1)       9..12 reserved (0)
 *   12  segment size (u32, plaintext bytes per segment; 65536)
 *   16  plaintext size (u64)
 *   24  key slot A (512 bytes)   536  key slot B (512 bytes)
 * segments: for i = 0 … n−1, AES-256-GCM(data key, nonce = 0⁴ ‖ u64 i, aad) ciphertext ‖ 16-byte tag
 *   aad = "tec-evidence-seg/1" ‖ u64 i ‖ final flag (1 byte) ‖ (final only) u64 plaintext size
 * key slot: u32 generation ‖ u8 id length ‖ KEK id (64, padded) ‖ u16 wrapped length ‖ wrapped data key (≤ 440)
 * ```
 *
 * The data key is random per blob, so deriving each nonce from the segment index never repeats a nonce under
 * a key. Each segment is authenticated before its plaintext is released; the final flag and the size in the
 * last segment's additional data detect truncation, extension and reordering. The two key slots let a
 * rotation re-wrap the data key in place without touching the ciphertext and without a moment when no valid
 * wrap is on disk: the new wrap goes into the free slot with the next generation (fsync), then the old slot
 * is zeroed (fsync). A reader uses the highest-generation slot that unwraps.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { EvidenceCorruptedError } from '../../ports/evidence-errors.ts';
import { MAX_KEK_ID_LENGTH, MAX_WRAPPED_KEY_BYTES, type WrappedDataKey } from '../../ports/key-encryption.ts';

export const MAGIC = Buffer.from([0x89, 0x54, 0x45, 0x43, 0x45, 0x4e, 0x43, 0x0a]);
export const FORMAT_VERSION = 1;
export const SEGMENT_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
const SLOT_BYTES = 512;
const SLOT_OFFSETS = [24, 24 + SLOT_BYTES] as const;
export const HEADER_BYTES = 24 + 2 * SLOT_BYTES;
const SEG_LABEL = Buffer.from('tec-evidence-seg/1', 'latin1');

export interface KeySlot {
  index: 0 | 1;
  generation: number;
  key: WrappedDataKey;
}

export interface EnvelopeHeader {
  segmentBytes: number;
  size: number;
  /** Occupied slots, highest generation first. */
  slots: KeySlot[];
}

export function hasMagic(bytes: Uint8Array): boolean {
  return bytes.byteLength >= MAGIC.byteLength && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.byteLength).equals(MAGIC);
}

/** The size an encrypted file of `size` plaintext bytes has. */
export function encryptedFileSize(size: number, segmentBytes = SEGMENT_BYTES): number {
  return HEADER_BYTES + size + segmentCount(size, segmentBytes) * TAG_BYTES;
}

export function segmentCount(size: number, segmentBytes: number): number {
  return Math.max(1, Math.ceil(size / segmentBytes));
}

export function encodeHeader(size: number, key: WrappedDataKey, generation = 1): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(FORMAT_VERSION, 8);
  header.writeUInt32BE(SEGMENT_BYTES, 12);
  header.writeBigUInt64BE(BigInt(size), 16);
  encodeSlot(generation, key).copy(header, SLOT_OFFSETS[0]);
  return header;
}

export function encodeSlot(generation: number, key: WrappedDataKey): Buffer {
  const id = Buffer.from(key.kekId, 'latin1');
  if (id.byteLength === 0 || id.byteLength > MAX_KEK_ID_LENGTH || !/^[\x21-\x7e]+$/.test(key.kekId)) throw new RangeError('KEK id must be 1–64 printable ASCII characters');
  if (key.wrapped.byteLength === 0 || key.wrapped.byteLength > MAX_WRAPPED_KEY_BYTES) throw new RangeError(`wrapped data key must be 1–${MAX_WRAPPED_KEY_BYTES} bytes`);
  const slot = Buffer.alloc(SLOT_BYTES);
  slot.writeUInt32BE(generation, 0);
  slot.writeUInt8(id.byteLength, 4);
  id.copy(slot, 5);
  slot.writeUInt16BE(key.wrapped.byteLength, 5 + MAX_KEK_ID_LENGTH);
  Buffer.from(key.wrapped).copy(slot, 7 + MAX_KEK_ID_LENGTH);
  return slot;
}

export function slotOffset(index: 0 | 1): number {
  return SLOT_OFFSETS[index];
}

export const EMPTY_SLOT = Buffer.alloc(SLOT_BYTES);

/** Parses a header; EvidenceCorruptedError for anything malformed. */
export function parseHeader(digest: string, bytes: Buffer): EnvelopeHeader {
  if (bytes.byteLength < HEADER_BYTES || !hasMagic(bytes)) throw new EvidenceCorruptedError(digest, 'encrypted header is truncated');
  if (bytes.readUInt8(8) !== FORMAT_VERSION) throw new EvidenceCorruptedError(digest, `unknown encrypted format version ${bytes.readUInt8(8)}`);
  const segmentBytes = bytes.readUInt32BE(12);
  const size = bytes.readBigUInt64BE(16);
  if (segmentBytes === 0 || segmentBytes > 16 * 1024 * 1024 || size === 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EvidenceCorruptedError(digest, 'encrypted header has impossible sizes');
  }
  const slots: KeySlot[] = [];
  for (const index of [0, 1] as const) {
    const slot = bytes.subarray(SLOT_OFFSETS[index], SLOT_OFFSETS[index] + SLOT_BYTES);
    const generation = slot.readUInt32BE(0);
    const idLength = slot.readUInt8(4);
    const wrappedLength = slot.readUInt16BE(5 + MAX_KEK_ID_LENGTH);
    if (generation === 0 || idLength === 0 || idLength > MAX_KEK_ID_LENGTH || wrappedLength === 0 || wrappedLength > MAX_WRAPPED_KEY_BYTES) continue;
    const kekId = slot.subarray(5, 5 + idLength).toString('latin1');
    const wrapped = Buffer.from(slot.subarray(7 + MAX_KEK_ID_LENGTH, 7 + MAX_KEK_ID_LENGTH + wrappedLength));
    slots.push({ index, generation, key: { kekId, wrapped } });
  }
  slots.sort((a, b) => b.generation - a.generation);
  return { segmentBytes, size: Number(size), slots };
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function segmentAad(index: number, finalSize: number | undefined): Buffer {
  const aad = Buffer.alloc(SEG_LABEL.byteLength + 8 + 1 + (finalSize === undefined ? 0 : 8));
  SEG_LABEL.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), SEG_LABEL.byteLength);
  aad.writeUInt8(finalSize === undefined ? 0 : 1, SEG_LABEL.byteLength + 8);
  if (finalSize !== undefined) aad.writeBigUInt64BE(BigInt(finalSize), SEG_LABEL.byteLength + 9);
  return aad;
}

function sealSegment(key: Uint8Array, index: number, plain: Buffer, finalSize: number | undefined): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
  cipher.setAAD(segmentAad(index, finalSize));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function openSegment(digest: string, key: Uint8Array, index: number, sealed: Buffer, finalSize: number | undefined): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
    decipher.setAAD(segmentAad(index, finalSize));
    decipher.setAuthTag(sealed.subarray(sealed.byteLength - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.byteLength - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new EvidenceCorruptedError(digest, `ciphertext segment ${index} failed authentication (tampered)`);
  }
}

/**
 * Encrypts a stream of plaintext into segments. `push` returns the sealed segments that are certainly not
 * the last; `finish` seals the rest as the final segment (the size is only known then).
 */
export class SegmentSealer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private total = 0;

  constructor(private readonly key: Uint8Array) {}

  push(chunk: Uint8Array): Buffer[] {
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.byteLength;
    this.total += chunk.byteLength;
    const out: Buffer[] = [];
    if (this.pendingBytes <= SEGMENT_BYTES) return out;
    let all = Buffer.concat(this.pending);
    // Keep at least one byte back: a segment is sealed as non-final only when more bytes follow it.
    while (all.byteLength > SEGMENT_BYTES) {
      out.push(sealSegment(this.key, this.index++, all.subarray(0, SEGMENT_BYTES), undefined));
      all = all.subarray(SEGMENT_BYTES);
    }
    this.pending = [all];
    this.pendingBytes = all.byteLength;
    return out;
  }

  finish(): Buffer {
    return sealSegment(this.key, this.index++, Buffer.concat(this.pending), this.total);
  }
}

/** Decrypts a whole ciphertext body (everything after the header); throws EvidenceCorruptedError. */
export function openAll(digest: string, key: Uint8Array, header: EnvelopeHeader, body: Buffer): Buffer {
  const n = segmentCount(header.size, header.segmentBytes);
  if (body.byteLength !== header.size + n * TAG_BYTES) {
    throw new EvidenceCorruptedError(digest, `encrypted body is ${body.byteLength} bytes, expected ${header.size + n * TAG_BYTES}`);
  }
  const out = Buffer.allocUnsafe(header.size);
  let offset = 0;
  let written = 0;
  for (let i = 0; i < n; i++) {
    const plainLength = i < n - 1 ? header.segmentBytes : header.size - (n - 1) * header.segmentBytes;
    const sealed = body.subarray(offset, offset + plainLength + TAG_BYTES);
    openSegment(digest, key, i, sealed, i === n - 1 ? header.size : undefined).copy(out, written);
    offset += plainLength + TAG_BYTES;
    written += plainLength;
  }
  return out;
}

/**
 * Streams the plaintext of an encrypted body: each segment is released only after its tag verified. Fails the
 * stream with EvidenceCorruptedError on a tag failure, a missing segment or trailing bytes.
 */
export class SegmentOpener extends Transform {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private index = 0;
  private readonly count: number;

  constructor(
    private readonly digest: string,
    private readonly key: Uint8Array,
    private readonly header: EnvelopeHeader,
  ) {
    super();
    this.count = segmentCount(header.size, header.segmentBytes);
  }

  private sealedLength(index: number): number {
    const plain = index < this.count - 1 ? this.header.segmentBytes : this.header.size - (this.count - 1) * this.header.segmentBytes;
    return plain + TAG_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.byteLength;
    try {
      if (this.index < this.count && this.bufferedBytes < this.sealedLength(this.index)) {
        callback();
        return;
      }
      let all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
      while (this.index < this.count && all.byteLength >= this.sealedLength(this.index)) {
        const length = this.sealedLength(this.index);
        const last = this.index === this.count - 1;
        this.push(openSegment(this.digest, this.key, this.index, all.subarray(0, length), last ? this.header.size : undefined));
        all = all.subarray(length);
        this.index++;
      }
      if (this.index === this.count && all.byteLength > 0) throw new EvidenceCorruptedError(this.digest, 'bytes after the final ciphertext segment');
      this.buffered = [all];
      this.bufferedBytes = all.byteLength;
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.index !== this.count) callback(new EvidenceCorruptedError(this.digest, `encrypted body ends after ${this.index} of ${this.count} segments`));
    else callback();
  }
}
