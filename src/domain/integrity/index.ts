/**
 * The integrity kernel: everything integrity.md §1, §2, §4–§7 define, as one public API for the ledger,
 * the bundle exporter and auditors' tools. Node-bound functions use node:crypto; the `*With` variants and
 * `createMerkle` take `IntegrityPrimitives` so a browser can run the same verification.
 *
 * Verification functions return false / undefined (or throw a typed `AppError` subclass) on malformed
 * input; they never throw an untyped error.
 */
export { canonicalize, canonicalBytes, CanonicalizationError, MAX_CANONICAL_DEPTH } from './canonical.ts';
export { sha256, sha256Hex, recordHash, canonicalTextHash, evidenceDigest, DIGEST_PATTERN } from './hash.ts';
export {
  toHex,
  fromHex,
  fromLowerHex,
  toBase64,
  fromBase64,
  utf8,
  fromUtf8,
  concatBytes,
  bytesEqual,
} from './encoding.ts';
export {
  CheckpointError,
  MerkleArgumentError,
  KeyMaterialError,
  CHECKPOINT_ERROR_CODES,
  type CheckpointErrorCode,
} from './errors.ts';
export type { IntegrityPrimitives, HashFn } from './primitives.ts';
export { isRfc3339Utc } from './time.ts';

export {
  createMerkle,
  isTreeSize,
  isPowerOfTwo,
  splitPoint,
  HASH_SIZE,
  type Merkle,
  type NodeHashGetter,
} from './merkle-core.ts';
export {
  merkle,
  emptyRoot,
  leafHash,
  nodeHash,
  merkleRoot,
  perfectSubtreeHash,
  rangeHashFromNodes,
  rootFromNodes,
  inclusionProof,
  inclusionProofFromNodes,
  consistencyProof,
  consistencyProofFromNodes,
  rootFromInclusionProof,
  verifyInclusion,
  rootsFromConsistencyProof,
  verifyConsistency,
  nodesCompletedBy,
  recordLeafHash,
} from './merkle.ts';

export { sign, verify, publicKeyFromSeed, keyId, generateSeed, nodePrimitives } from './ed25519.ts';

export {
  parseNote,
  parseSignatureLine,
  formatSignatureLine,
  isValidKeyName,
  noteKeyIdWith,
  formatVerifierKeyWith,
  parseVerifierKeyWith,
  NOTE_KEY_TYPE_ED25519,
  NOTE_KEY_TYPE_COSIGNATURE,
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  type NoteKeyType,
  type NoteSignature,
  type ParsedNote,
  type VerifierKey,
} from './note.ts';
export {
  formatCheckpointBody,
  parseCheckpointBody,
  cosignatureMessage,
  openCheckpointWith,
  verifyCosignatureWith,
  addSignatureLines,
  type Checkpoint,
  type OpenedCheckpoint,
  type VerifiedSignature,
} from './checkpoint-core.ts';
export {
  noteKeyId,
  witnessNoteKeyId,
  verifierKey,
  witnessVerifierKey,
  parseVerifierKey,
  signCheckpoint,
  cosignCheckpoint,
  verifyCosignature,
  openCheckpoint,
  witnessCheckpoint,
  type WitnessRequest,
} from './checkpoint.ts';
export {
  parseAddCheckpointRequest,
  formatAddCheckpointRequest,
  checkpointOrigin,
  decideAddCheckpoint,
  formatTlogSize,
  parseTlogSize,
  WitnessRequestError,
  WITNESS_STATUS,
  MAX_PROOF_LINES,
  MAX_ADD_CHECKPOINT_BYTES,
  TLOG_SIZE_CONTENT_TYPE,
  type AddCheckpointRequest,
  type WitnessedState,
  type WitnessedLog,
  type WitnessDecision,
  type WitnessAnswer,
  type ForkEvidence,
} from './witness.ts';
