/**
 * The witness side of C2SP tlog-witness (integrity.md §7, §10), pure: the `add-checkpoint` request body and
 * the decision a witness takes on it, given the log's trusted keys and the newest checkpoint it cosigned for
 * that origin. Signing the cosignature (`cosignCheckpoint`) and persisting the new state are the caller's;
 * the caller MUST check the state and persist the answer atomically (tlog-witness: the rollback race).
 *
 *     old <size>\n                 no leading zeros
 *     <base64 hash>\n              0…63 consistency proof lines (RFC 6962 §2.1.2, old size → new size)
 *     \n
 *     <signed checkpoint note>
 *
 * Answers (tlog-witness): 200 cosignature line(s); 400 malformed or old size > checkpoint size; 403 no
 * trusted signature (or a retired log); 404 unknown origin; 409 old size ≠ the size the witness knows
 * (body `<size>\n`, `text/x.tlog.size`), or another root at the size it knows; 422 the proof does not verify.
 */
import { openCheckpointWith, parseCheckpointBody, type Checkpoint } from './checkpoint-core.ts';
import { bytesEqual, fromBase64, fromUtf8, toBase64 } from './encoding.ts';
import { CheckpointError } from './errors.ts';
import { createMerkle } from './merkle-core.ts';
import { MAX_NOTE_BYTES, parseNote } from './note.ts';
import type { IntegrityPrimitives } from './primitives.ts';

/** tlog-witness: a client MUST NOT send more than 63 proof lines. */
export const MAX_PROOF_LINES = 63;
/** The largest request body a witness reads: the old size line, 63 proof lines and a note. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 + MAX_PROOF_LINES * 46 + MAX_NOTE_BYTES;
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The signed checkpoint note, signature lines included. */
  checkpointText: string;
}

/** A request body that is not what tlog-witness defines (the witness answers 400). */
export class WitnessRequestError extends CheckpointError {
  constructor(message: string) {
    super('malformed-note', message);
  }
}

const OLD_LINE = /^old (0|[1-9][0-9]{0,15})$/;

/** Parses an add-checkpoint body. Throws `WitnessRequestError` for anything malformed (never a generic error). */
export function parseAddCheckpointRequest(body: string | Uint8Array): AddCheckpointRequest {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array && body.length <= MAX_ADD_CHECKPOINT_BYTES) text = fromUtf8(body);
  if (text === undefined) throw new WitnessRequestError('body is not UTF-8 text or is too large');
  if (text.length > MAX_ADD_CHECKPOINT_BYTES) throw new WitnessRequestError('body is too large');
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new WitnessRequestError('no blank line before the checkpoint');
  const head = text.slice(0, blank).split('\n');
  const checkpointText = text.slice(blank + 2);
  const oldMatch = OLD_LINE.exec(head[0] ?? '');
  if (!oldMatch) throw new WitnessRequestError('the first line must be `old <size>`');
  const oldSize = Number(oldMatch[1]);
  if (!Number.isSafeInteger(oldSize)) throw new WitnessRequestError('old size is too large');
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) throw new WitnessRequestError('more than 63 proof lines');
  const proof = proofLines.map((line) => {
    const hash = fromBase64(line, 32);
    if (!hash) throw new WitnessRequestError('a proof line is not base64 of 32 bytes');
    return hash;
  });
  try {
    parseCheckpointBody(parseNote(checkpointText).text);
  } catch (error) {
    if (error instanceof CheckpointError) throw new WitnessRequestError(`not a checkpoint: ${error.message}`);
    throw error;
  }
  return { oldSize, proof, checkpointText };
}

export function formatAddCheckpointRequest(req: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0)
    throw new WitnessRequestError('old size must be a non-negative integer');
  if (req.proof.length > MAX_PROOF_LINES) throw new WitnessRequestError('more than 63 proof lines');
  return `old ${req.oldSize}\n${req.proof.map((h) => `${toBase64(h)}\n`).join('')}\n${req.checkpointText}`;
}

/** The origin a checkpoint claims, read before any key is known (to find the log). */
export function checkpointOrigin(checkpointText: string): string {
  return parseCheckpointBody(parseNote(checkpointText).text).origin;
}

/** What the witness knows of one log: the newest checkpoint it cosigned. */
export interface WitnessedState {
  size: number;
  root: Uint8Array;
  /** The signed note the witness cosigned at that size (kept as one half of a fork proof). */
  checkpointText: string;
}

/** A registered log as the witness sees it. */
export interface WitnessedLog {
  origin: string;
  /** Verifier keys in force (type 0x01); retired logs have none. */
  verifierKeys: string[];
  retired: boolean;
}

export type WitnessDecision =
  /** Cosign `checkpoint` and store it as the new state (same size and root: an idempotent repeat). */
  | { answer: 'cosign'; checkpoint: Checkpoint }
  | { answer: 'bad-request'; reason: string }
  | { answer: 'unknown-log' }
  | { answer: 'forbidden'; reason: 'no-trusted-signature' | 'retired' }
  /** 409: `knownSize` is the body. `fork` is set when a signed checkpoint contradicts the cosigned one. */
  | { answer: 'conflict'; knownSize: number; fork?: ForkEvidence }
  /** 422: the proof does not verify. `suspect` keeps the signed checkpoint: possible misbehaviour. */
  | { answer: 'bad-proof'; suspect: ForkEvidence };

export interface ForkEvidence {
  kind: 'same-size-different-root' | 'unproven-consistency';
  /** The checkpoint the witness had cosigned. */
  cosigned: string;
  /** The signed checkpoint that contradicts it (or could not be proven consistent with it). */
  submitted: string;
}

export type WitnessAnswer = WitnessDecision['answer'];

/** HTTP status of each answer, as tlog-witness defines them. */
export const WITNESS_STATUS: Record<WitnessAnswer, number> = {
  cosign: 200,
  'bad-request': 400,
  forbidden: 403,
  'unknown-log': 404,
  conflict: 409,
  'bad-proof': 422,
};

/**
 * The witness's decision on a parsed request. `log` is the registered log for the checkpoint's origin
 * (undefined: unknown origin); `known` the newest checkpoint cosigned for it. Never cosigns a smaller tree,
 * another root at a cosigned size, or a tree not proven consistent with the known one.
 */
export function decideAddCheckpoint(
  p: IntegrityPrimitives,
  request: AddCheckpointRequest,
  log: WitnessedLog | undefined,
  known: WitnessedState | undefined,
): WitnessDecision {
  const claimed = parseCheckpointBody(parseNote(request.checkpointText).text);
  if (!log || log.origin !== claimed.origin) return { answer: 'unknown-log' };
  if (log.retired || log.verifierKeys.length === 0) return { answer: 'forbidden', reason: 'retired' };
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpointWith(p, request.checkpointText, log.verifierKeys).checkpoint;
  } catch (error) {
    if (error instanceof CheckpointError && (error.code === 'unverified' || error.code === 'bad-signature'))
      return { answer: 'forbidden', reason: 'no-trusted-signature' };
    if (error instanceof CheckpointError) return { answer: 'bad-request', reason: error.message };
    throw error;
  }
  if (request.oldSize > checkpoint.size)
    return { answer: 'bad-request', reason: 'old size is larger than the checkpoint size' };
  const knownSize = known?.size ?? 0;
  if (request.oldSize !== knownSize) return { answer: 'conflict', knownSize };
  if (known && checkpoint.size === known.size) {
    if (bytesEqual(checkpoint.root, known.root)) {
      if (request.proof.length > 0) return { answer: 'bad-proof', suspect: evidence('unproven-consistency') };
      return { answer: 'cosign', checkpoint };
    }
    return { answer: 'conflict', knownSize, fork: evidence('same-size-different-root') };
  }
  if (!known) {
    if (request.proof.length > 0) return { answer: 'bad-proof', suspect: evidence('unproven-consistency') };
    return { answer: 'cosign', checkpoint };
  }
  const merkle = createMerkle(p.sha256);
  if (!merkle.verifyConsistency(known.size, checkpoint.size, known.root, checkpoint.root, request.proof))
    return { answer: 'bad-proof', suspect: evidence('unproven-consistency') };
  return { answer: 'cosign', checkpoint };

  function evidence(kind: ForkEvidence['kind']): ForkEvidence {
    return { kind, cosigned: known?.checkpointText ?? '', submitted: request.checkpointText };
  }
}

/** The 409 body: the size the witness knows, in decimal, then a newline. */
export function formatTlogSize(size: number): string {
  return `${size}\n`;
}

/** Parses a 409 body (`text/x.tlog.size`); undefined when it is not one. */
export function parseTlogSize(body: string): number | undefined {
  const m = /^(0|[1-9][0-9]{0,15})\n$/.exec(body);
  return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : undefined;
}
