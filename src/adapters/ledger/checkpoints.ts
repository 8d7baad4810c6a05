/**
 * Issuing a checkpoint (integrity.md §6): compute the root of the integrated tree from stored subtree
 * hashes, check it against the sequencer's in-memory root, prove it consistent with the previous stored
 * checkpoint (RFC 9162 §2.1.4, from stored hashes), sign, store. Any failed check is a `LedgerForkAlarm`
 * and nothing is stored: a node never publishes a checkpoint it cannot prove extends the previous one.
 */
import {
  bytesEqual,
  consistencyProofFromNodes,
  openCheckpoint,
  rootFromNodes,
  signCheckpoint,
  toBase64,
  verifyConsistency,
} from '../../domain/integrity/index.ts';
import { LedgerForkAlarm } from './errors.ts';
import type { StoredCheckpoint } from '../../ports/ledger.ts';
import { insertCheckpoint, withStoredNodes, type Queryable } from './store.ts';

export interface CheckpointSigner {
  origin: string;
  seed: Uint8Array;
  /** This node's verifier key; the previous checkpoint MUST open under it. */
  verifierKey: string;
}

/**
 * Issues and stores the checkpoint of the first `size` leaves. `expectedRoot` is the root the caller holds
 * in memory (the sequencer's frontier); `previous` the latest stored checkpoint, if any, which MUST be
 * smaller than `size`. `time` is RFC 3339 UTC from the injected clock.
 */
export async function issueCheckpointAt(
  db: Queryable,
  signer: CheckpointSigner,
  size: number,
  expectedRoot: Uint8Array,
  previous: StoredCheckpoint | undefined,
  time: string,
): Promise<StoredCheckpoint> {
  if (previous && previous.treeSize >= size) {
    throw new LedgerForkAlarm(`a checkpoint of size ${previous.treeSize} exists; refusing to issue size ${size}`, { size });
  }
  const previousSize = previous?.treeSize ?? 0;
  // The root and the consistency proof from one fetch of stored hashes (one round trip).
  const { root, proof } = await withStoredNodes(db, (get) => ({
    root: rootFromNodes(size, get),
    proof: previousSize === 0 ? [] : consistencyProofFromNodes(previousSize, size, get),
  }));
  if (!bytesEqual(root, expectedRoot)) {
    throw new LedgerForkAlarm(`stored subtree hashes give another root at size ${size} than the sequencer holds`, {
      size,
      storedRoot: toBase64(root),
      sequencerRoot: toBase64(expectedRoot),
    });
  }
  if (previous) {
    const opened = openPrevious(previous, signer.verifierKey);
    if (!verifyConsistency(previous.treeSize, size, opened, root, proof)) {
      throw new LedgerForkAlarm(`tree of size ${size} is not consistent with the checkpoint of size ${previous.treeSize}: fork`, {
        previousSize: previous.treeSize,
        size,
      });
    }
  }
  const note = signCheckpoint({ origin: signer.origin, size, root, time }, signer.seed);
  const stored: StoredCheckpoint = { treeSize: size, root, note, issuedAt: new Date(time) };
  await insertCheckpoint(db, stored);
  return stored;
}

/** The previous checkpoint's root, taken from its signed note (not only the column beside it). */
function openPrevious(previous: StoredCheckpoint, verifierKey: string): Uint8Array {
  let root: Uint8Array;
  try {
    const opened = openCheckpoint(previous.note, [verifierKey]);
    if (opened.checkpoint.size !== previous.treeSize) throw new Error('size line differs from the stored size');
    root = opened.checkpoint.root;
  } catch (error) {
    throw new LedgerForkAlarm(`stored checkpoint of size ${previous.treeSize} does not open under this node's key`, {
      size: previous.treeSize,
      reason: (error as Error).message,
    });
  }
  if (!bytesEqual(root, previous.root)) {
    throw new LedgerForkAlarm(`stored checkpoint of size ${previous.treeSize}: root column differs from its signed note`, {
      size: previous.treeSize,
    });
  }
  return root;
}
