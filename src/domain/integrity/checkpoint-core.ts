/**
 * Checkpoints (integrity.md §6, C2SP tlog-checkpoint with exactly one `time` extension line) and witness
 * cosignatures (§7, C2SP tlog-cosignature/v1), pure: primitives come in as an argument so the in-browser
 * verifier runs the same code. `./checkpoint.ts` binds them to node:crypto and adds signing.
 */
import { CheckpointError } from './errors.ts';
import { fromBase64, toBase64, utf8 } from './encoding.ts';
import { isTreeSize } from './merkle-core.ts';
import {
  NOTE_KEY_TYPE_COSIGNATURE,
  NOTE_KEY_TYPE_ED25519,
  isValidKeyName,
  parseNote,
  parseSignatureLine,
  parseVerifierKeyWith,
  type VerifierKey,
} from './note.ts';
import type { IntegrityPrimitives } from './primitives.ts';
import { isRfc3339Utc } from './time.ts';

export interface Checkpoint {
  /** The log's origin; also the log key's name. */
  origin: string;
  size: number;
  /** 32-byte root hash of the tree of `size` leaves. */
  root: Uint8Array;
  /** RFC 3339 UTC. */
  time: string;
}

export interface VerifiedSignature {
  name: string;
  keyId: string;
  kind: 'log' | 'witness';
  /** Unix seconds the witness states it cosigned at (witnesses only). */
  timestamp?: number;
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The signed note text (the four checkpoint lines). */
  body: string;
  /** Every signature that verified under a supplied key: at least one by a log key named like the origin. */
  verifiedBy: VerifiedSignature[];
  /** Signature lines by keys not supplied: ignored, as C2SP requires. */
  unknownSignatures: string[];
}

/** The note text of a checkpoint: what the log key signs. Throws `CheckpointError('malformed-checkpoint')`. */
export function formatCheckpointBody(c: Checkpoint): string {
  if (typeof c !== 'object' || c === null)
    throw new CheckpointError('malformed-checkpoint', 'a checkpoint is {origin, size, root, time}');
  if (!isValidKeyName(c.origin))
    throw new CheckpointError('malformed-checkpoint', 'origin must be a valid key name');
  if (!isTreeSize(c.size))
    throw new CheckpointError('malformed-checkpoint', 'size must be a safe non-negative integer');
  if (!(c.root instanceof Uint8Array) || c.root.length !== 32)
    throw new CheckpointError('malformed-checkpoint', 'root must be 32 bytes');
  if (!isRfc3339Utc(c.time)) throw new CheckpointError('malformed-checkpoint', 'time must be RFC 3339 UTC');
  return `${c.origin}\n${c.size}\n${toBase64(c.root)}\ntime ${c.time}\n`;
}

export function parseCheckpointBody(body: string): Checkpoint {
  const bad = (why: string) => new CheckpointError('malformed-checkpoint', `not a v1 checkpoint: ${why}`);
  if (typeof body !== 'string' || !body.endsWith('\n')) throw bad('text does not end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length !== 4) throw bad(`expected 4 lines (origin, size, root, time), found ${lines.length}`);
  const [origin, sizeText, rootText, timeLine] = lines as [string, string, string, string];
  if (!isValidKeyName(origin)) throw bad('origin is not a valid key name');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !isTreeSize(Number(sizeText)))
    throw bad('size is not a decimal integer');
  const root = fromBase64(rootText, 32);
  if (!root) throw bad('root is not base64 of 32 bytes');
  if (!timeLine.startsWith('time ') || !isRfc3339Utc(timeLine.slice(5)))
    throw bad('the extension line must be `time <RFC 3339 UTC>`');
  return { origin, size: Number(sizeText), root, time: timeLine.slice(5) };
}

/** C2SP tlog-cosignature/v1 signed message: `cosignature/v1\ntime <unix seconds>\n` ‖ checkpoint text. */
export function cosignatureMessage(body: string, unixSeconds: number): Uint8Array {
  if (!isTreeSize(unixSeconds))
    throw new CheckpointError('malformed-checkpoint', 'cosignature time must be non-negative unix seconds');
  return utf8(`cosignature/v1\ntime ${unixSeconds}\n${body}`);
}

export function uint64BigEndian(value: number): Uint8Array {
  const out = new Uint8Array(8);
  let v = BigInt(value);
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function readUint64BigEndian(bytes: Uint8Array): number | undefined {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** Checks one signature by one key; returns the cosignature time for witnesses, true for logs, false if it fails. */
function checkSignature(
  p: IntegrityPrimitives,
  key: VerifierKey,
  signature: Uint8Array,
  body: string,
): number | boolean {
  if (key.type === NOTE_KEY_TYPE_ED25519) {
    return signature.length === 64 && p.ed25519Verify(utf8(body), signature, key.publicKey);
  }
  if (signature.length !== 72) return false;
  const timestamp = readUint64BigEndian(signature.subarray(0, 8));
  if (timestamp === undefined) return false;
  return p.ed25519Verify(cosignatureMessage(body, timestamp), signature.subarray(8), key.publicKey)
    ? timestamp
    : false;
}

/**
 * Opens a signed checkpoint: parses it, verifies every signature whose (name, key id) matches a supplied
 * verifier key (type 0x01 log keys and type 0x04 witness keys alike), ignores the others, and requires at
 * least one valid signature by a log key whose name is the checkpoint's origin.
 *
 * Throws `CheckpointError`: `malformed-note` / `malformed-checkpoint` / `malformed-key` for input that does
 * not parse, `bad-signature` when a known key's signature fails (the whole note is rejected, as C2SP
 * recommends), `unverified` when no supplied log key signed it.
 */
export function openCheckpointWith(
  p: IntegrityPrimitives,
  text: string | Uint8Array,
  verifierKeys: string[],
): OpenedCheckpoint {
  if (!Array.isArray(verifierKeys))
    throw new CheckpointError('malformed-key', 'verifier keys must be a list');
  const keys = verifierKeys.map((k) => parseVerifierKeyWith(p, k));
  const note = parseNote(text);
  const checkpoint = parseCheckpointBody(note.text);
  const verifiedBy: VerifiedSignature[] = [];
  const unknownSignatures: string[] = [];
  for (const sig of note.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) {
      unknownSignatures.push(sig.line);
      continue;
    }
    const result = checkSignature(p, key, sig.signature, note.text);
    if (result === false) {
      throw new CheckpointError('bad-signature', `signature by ${sig.name} (${sig.keyId}) does not verify`, {
        name: sig.name,
        keyId: sig.keyId,
      });
    }
    if (verifiedBy.some((v) => v.name === key.name && v.keyId === key.keyId)) continue;
    verifiedBy.push(
      key.type === NOTE_KEY_TYPE_COSIGNATURE
        ? { name: key.name, keyId: key.keyId, kind: 'witness', timestamp: result as number }
        : { name: key.name, keyId: key.keyId, kind: 'log' },
    );
  }
  if (!verifiedBy.some((v) => v.kind === 'log' && v.name === checkpoint.origin)) {
    throw new CheckpointError(
      'unverified',
      `no valid signature by a trusted log key for origin ${checkpoint.origin}`,
      {
        origin: checkpoint.origin,
      },
    );
  }
  return { checkpoint, body: note.text, verifiedBy, unknownSignatures };
}

/**
 * Verifies one cosignature line against a witness verifier key (type 0x04) and a checkpoint (the signed note
 * or just its text). Returns the cosignature's unix time, or undefined if the line is malformed, by another
 * key, or does not verify. Never throws for bad lines; throws `CheckpointError` for a bad key or checkpoint.
 */
export function verifyCosignatureWith(
  p: IntegrityPrimitives,
  checkpointText: string,
  line: string,
  witnessVerifierKey: string,
): number | undefined {
  const key = parseVerifierKeyWith(p, witnessVerifierKey);
  if (key.type !== NOTE_KEY_TYPE_COSIGNATURE)
    throw new CheckpointError('malformed-key', 'a witness key has type 0x04');
  if (typeof checkpointText !== 'string')
    throw new CheckpointError('malformed-note', 'checkpoint text must be a string');
  const body = checkpointText.includes('\n\n') ? parseNote(checkpointText).text : checkpointText;
  parseCheckpointBody(body);
  let sig;
  try {
    sig = parseSignatureLine(line);
  } catch {
    return undefined;
  }
  if (sig.name !== key.name || sig.keyId !== key.keyId) return undefined;
  const result = checkSignature(p, key, sig.signature, body);
  return typeof result === 'number' ? result : undefined;
}

/** Appends signature lines (log or cosignature) to a signed note. */
export function addSignatureLines(note: string, lines: string[]): string {
  parseNote(note);
  const extra = lines.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
  const result = note + extra;
  parseNote(result);
  return result;
}
