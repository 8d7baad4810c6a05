import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Record hash (integrity.md §2): lowercase hex of SHA-256 over the record's canonical UTF-8 bytes. */
export function recordHash(record: unknown): string {
  return sha256Hex(Buffer.from(canonicalize(record), 'utf8'));
}

/** The same, for a record already held as its canonical text (what the stores keep). */
export function canonicalTextHash(canonicalText: string): string {
  return sha256Hex(Buffer.from(canonicalText, 'utf8'));
}

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Evidence digest (integrity.md §3). */
export function evidenceDigest(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Strict hex decoding: returns undefined unless `hex` is lowercase/uppercase hex of exactly `length` bytes. */
export function fromHex(hex: string, length?: number): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  if (length !== undefined && bytes.length !== length) return undefined;
  return bytes;
}
