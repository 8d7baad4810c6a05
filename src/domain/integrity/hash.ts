/**
 * SHA-256 on node:crypto, and the hashes integrity.md defines on top of it: the record hash (§2) and the
 * evidence digest (§3). The Merkle maths and the bundle verifier take their SHA-256 through
 * `IntegrityPrimitives` instead, so a browser can run them; this file is the server's fast path.
 */
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';
export { toHex, fromHex } from './encoding.ts';

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
