/**
 * C2SP signed notes (https://c2sp.org/signed-note), the envelope of checkpoints (integrity.md §6) and witness
 * cosignatures (§7). Pure: hashing and signature checks come in through `IntegrityPrimitives`.
 *
 *     <text, each line ending in \n>
 *     <blank line>
 *     — <key name> <base64(4-byte key id ‖ signature)>\n      (one or more)
 *
 * A verifier key is `<name>+<8 hex key id>+<base64(type byte ‖ 32-byte public key)>`, with type 0x01 for a
 * log's Ed25519 key and 0x04 for a witness's timestamped cosignature key. The key id is
 * SHA-256(name ‖ 0x0A ‖ type ‖ public key)[0:4].
 */
import { CheckpointError } from './errors.ts';
import { bytesEqual, concatBytes, fromBase64, fromHex, fromUtf8, toBase64, toHex, utf8 } from './encoding.ts';
import type { IntegrityPrimitives } from './primitives.ts';

export const NOTE_KEY_TYPE_ED25519 = 0x01;
export const NOTE_KEY_TYPE_COSIGNATURE = 0x04;
export type NoteKeyType = typeof NOTE_KEY_TYPE_ED25519 | typeof NOTE_KEY_TYPE_COSIGNATURE;

/** Notes larger than this, or with more signatures, are refused before any parsing (hostile input). */
export const MAX_NOTE_BYTES = 64 * 1024;
export const MAX_NOTE_SIGNATURES = 64;

const EM_DASH_PREFIX = '\u2014 ';

/** Key names: non-empty, no Unicode white space, no '+', no control characters. */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 256 && !/[\s+\p{Cc}]/u.test(name);
}

export interface NoteSignature {
  name: string;
  /** The 4-byte key id, as 8 lowercase hex characters. */
  keyId: string;
  /** The signature bytes after the key id (64 for type 0x01, 8 + 64 for type 0x04). */
  signature: Uint8Array;
  /** The whole line without its newline. */
  line: string;
}

export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export interface VerifierKey {
  name: string;
  keyId: string;
  type: NoteKeyType;
  publicKey: Uint8Array;
}

/** Parses a signed note without verifying anything. Throws `CheckpointError('malformed-note')`. */
export function parseNote(note: string | Uint8Array): ParsedNote {
  const text =
    typeof note === 'string'
      ? note
      : note instanceof Uint8Array && note.length <= MAX_NOTE_BYTES
        ? fromUtf8(note)
        : undefined;
  if (text === undefined)
    throw new CheckpointError('malformed-note', 'note is not valid UTF-8 or is too large');
  if (utf8(text).length > MAX_NOTE_BYTES) throw new CheckpointError('malformed-note', 'note is too large');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text))
    throw new CheckpointError('malformed-note', 'note holds control characters');
  if (/[\uD800-\uDFFF]/u.test(text))
    throw new CheckpointError('malformed-note', 'note holds a lone surrogate');
  const split = text.lastIndexOf('\n\n');
  if (split < 0 || !text.endsWith('\n'))
    throw new CheckpointError('malformed-note', 'note has no signature block');
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES)
    throw new CheckpointError('malformed-note', 'note has too many signatures');
  const signatures = lines.map((line) => parseSignatureLine(line));
  return { text: body, signatures };
}

export function parseSignatureLine(line: string): NoteSignature {
  const bad = (why: string) => new CheckpointError('malformed-note', `bad signature line: ${why}`);
  if (typeof line !== 'string' || !line.startsWith(EM_DASH_PREFIX))
    throw bad('it does not start with an em dash and a space');
  const rest = line.slice(EM_DASH_PREFIX.length).replace(/\n$/, '');
  const space = rest.lastIndexOf(' ');
  if (space <= 0) throw bad('no key name');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw bad('invalid key name');
  const blob = fromBase64(rest.slice(space + 1));
  if (!blob || blob.length < 5) throw bad('signature is not base64 of a key id and a signature');
  return {
    name,
    keyId: toHex(blob.subarray(0, 4)),
    signature: blob.subarray(4),
    line: line.replace(/\n$/, ''),
  };
}

export function formatSignatureLine(name: string, keyId: Uint8Array, signature: Uint8Array): string {
  return `${EM_DASH_PREFIX}${name} ${toBase64(concatBytes(keyId, signature))}\n`;
}

/** Note key id: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[0:4]. */
export function noteKeyIdWith(
  p: IntegrityPrimitives,
  name: string,
  type: NoteKeyType,
  publicKey: Uint8Array,
): Uint8Array {
  if (!isValidKeyName(name)) throw new CheckpointError('malformed-key', 'invalid key name');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32)
    throw new CheckpointError('malformed-key', 'public key must be 32 bytes');
  return p.sha256(concatBytes(utf8(name), new Uint8Array([0x0a, type]), publicKey)).subarray(0, 4);
}

export function formatVerifierKeyWith(
  p: IntegrityPrimitives,
  name: string,
  type: NoteKeyType,
  publicKey: Uint8Array,
): string {
  const id = noteKeyIdWith(p, name, type, publicKey);
  return `${name}+${toHex(id)}+${toBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

/** Parses and checks a verifier key (its key id MUST match its name and key). Throws `CheckpointError('malformed-key')`. */
export function parseVerifierKeyWith(p: IntegrityPrimitives, vkey: string): VerifierKey {
  const bad = (why: string) => new CheckpointError('malformed-key', `verifier key rejected: ${why}`);
  if (typeof vkey !== 'string' || vkey.length > 1024) throw bad('not a string');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw bad('expected <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  if (!isValidKeyName(name)) throw bad('invalid key name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw bad('key id is not 8 lowercase hex characters');
  const material = fromBase64(vkey.slice(second + 1), 33);
  if (!material) throw bad('key is not base64 of a type byte and 32 bytes');
  const type = material[0];
  if (type !== NOTE_KEY_TYPE_ED25519 && type !== NOTE_KEY_TYPE_COSIGNATURE)
    throw bad(`unsupported key type ${type}`);
  const publicKey = material.slice(1);
  if (!bytesEqual(noteKeyIdWith(p, name, type, publicKey), fromHex(idHex)!))
    throw bad('key id does not match name and key');
  return { name, keyId: idHex, type, publicKey };
}
