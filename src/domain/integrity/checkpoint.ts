/**
 * Signing and opening checkpoints and witness cosignatures on node:crypto (integrity.md §6–§7).
 * The parsing and verification logic is ./checkpoint-core.ts and ./note.ts (pure, browser-safe).
 */
import {
  addSignatureLines,
  cosignatureMessage,
  formatCheckpointBody,
  openCheckpointWith,
  parseCheckpointBody,
  uint64BigEndian,
  verifyCosignatureWith,
  type Checkpoint,
  type OpenedCheckpoint,
} from './checkpoint-core.ts';
import { CheckpointError } from './errors.ts';
import { concatBytes, fromBase64, utf8 } from './encoding.ts';
import { nodePrimitives, publicKeyFromSeed, sign } from './ed25519.ts';
import { verifyConsistency } from './merkle.ts';
import {
  NOTE_KEY_TYPE_COSIGNATURE,
  NOTE_KEY_TYPE_ED25519,
  formatSignatureLine,
  formatVerifierKeyWith,
  noteKeyIdWith,
  parseNote,
  parseVerifierKeyWith,
  type VerifierKey,
} from './note.ts';

/** Log note key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0:4]. */
export function noteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return noteKeyIdWith(nodePrimitives, name, NOTE_KEY_TYPE_ED25519, publicKey);
}

/** Witness note key id: the same with type 0x04. */
export function witnessNoteKeyId(name: string, publicKey: Uint8Array): Uint8Array {
  return noteKeyIdWith(nodePrimitives, name, NOTE_KEY_TYPE_COSIGNATURE, publicKey);
}

/** `<name>+<hex key id>+<base64(0x01 ‖ public key)>`: how a log key is published. */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  return formatVerifierKeyWith(nodePrimitives, name, NOTE_KEY_TYPE_ED25519, publicKey);
}

/** `<name>+<hex key id>+<base64(0x04 ‖ public key)>`: how a witness key is published. */
export function witnessVerifierKey(name: string, publicKey: Uint8Array): string {
  return formatVerifierKeyWith(nodePrimitives, name, NOTE_KEY_TYPE_COSIGNATURE, publicKey);
}

/** Parses a verifier key of either type; throws `CheckpointError('malformed-key')` if its key id does not match. */
export function parseVerifierKey(vkey: string): VerifierKey {
  return parseVerifierKeyWith(nodePrimitives, vkey);
}

/**
 * Signs a checkpoint with the log key whose seed is given; the key name is the origin. Returns the complete
 * signed note (body, blank line, one signature line). Throws `CheckpointError` for an invalid checkpoint.
 */
export function signCheckpoint(checkpoint: Checkpoint, seed: Uint8Array): string {
  const body = formatCheckpointBody(checkpoint);
  const id = noteKeyId(checkpoint.origin, publicKeyFromSeed(seed));
  return `${body}\n${formatSignatureLine(checkpoint.origin, id, sign(utf8(body), seed))}`;
}

/**
 * The witness side (§7): a cosignature line over a checkpoint, `— <witness name> base64(key id ‖ 8-byte
 * big-endian unix seconds ‖ signature)`. The caller MUST have opened the checkpoint under the log's key and
 * checked consistency with the last checkpoint it cosigned first (`witnessCheckpoint` does both).
 */
export function cosignCheckpoint(
  checkpointText: string,
  witnessName: string,
  seed: Uint8Array,
  unixSeconds: number,
): string {
  const body = parseNote(checkpointText).text;
  parseCheckpointBody(body);
  const id = witnessNoteKeyId(witnessName, publicKeyFromSeed(seed));
  const signature = sign(cosignatureMessage(body, unixSeconds), seed);
  return formatSignatureLine(witnessName, id, concatBytes(uint64BigEndian(unixSeconds), signature));
}

/** Verifies one cosignature line; returns its unix time, or undefined. */
export function verifyCosignature(
  checkpointText: string,
  line: string,
  witnessKey: string,
): number | undefined {
  return verifyCosignatureWith(nodePrimitives, checkpointText, line, witnessKey);
}

/** See `openCheckpointWith` in checkpoint-core.ts: the same on node:crypto. */
export function openCheckpoint(text: string | Uint8Array, verifierKeys: string[]): OpenedCheckpoint {
  return openCheckpointWith(nodePrimitives, text, verifierKeys);
}

export interface WitnessRequest {
  /** The last checkpoint this witness cosigned for this log, if any. */
  previous?: { size: number; root: Uint8Array };
  checkpointText: string;
  /** RFC 9162 consistency proof from `previous.size` to the new size (hashes as raw bytes or base64). */
  consistencyProof: (Uint8Array | string)[];
  logVerifierKey: string;
  witnessName: string;
  witnessSeed: Uint8Array;
  unixSeconds: number;
}

/**
 * A witness's whole step: open the checkpoint under the log key, check it is consistent with (and not
 * smaller than) the previous one, then cosign. Throws `CheckpointError('bad-signature')` for an
 * inconsistent checkpoint: the log has forked, and that is an alarm.
 */
export function witnessCheckpoint(req: WitnessRequest): {
  checkpoint: Checkpoint;
  cosignature: string;
  cosigned: string;
} {
  if (typeof req !== 'object' || req === null)
    throw new CheckpointError('malformed-checkpoint', 'a witness request is an object');
  const opened = openCheckpoint(req.checkpointText, [req.logVerifierKey]);
  const { checkpoint } = opened;
  if (req.previous) {
    if (!Array.isArray(req.consistencyProof))
      throw new CheckpointError('malformed-checkpoint', 'consistency proof must be a list');
    const proof = req.consistencyProof.map((h) => (typeof h === 'string' ? fromBase64(h, 32) : h));
    if (proof.some((h) => h === undefined))
      throw new CheckpointError('malformed-checkpoint', 'consistency proof hash is not 32 bytes');
    const ok = verifyConsistency(
      req.previous.size,
      checkpoint.size,
      req.previous.root,
      checkpoint.root,
      proof as Uint8Array[],
    );
    if (!ok) {
      throw new CheckpointError(
        'bad-signature',
        `checkpoint of size ${checkpoint.size} is not consistent with size ${req.previous.size}: fork`,
        {
          previousSize: req.previous.size,
          size: checkpoint.size,
        },
      );
    }
  }
  const cosignature = cosignCheckpoint(req.checkpointText, req.witnessName, req.witnessSeed, req.unixSeconds);
  return { checkpoint, cosignature, cosigned: addSignatureLines(req.checkpointText, [cosignature]) };
}

export { addSignatureLines, formatCheckpointBody, parseCheckpointBody };
export type { Checkpoint, OpenedCheckpoint, VerifierKey };
