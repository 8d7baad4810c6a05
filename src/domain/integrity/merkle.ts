/**
 * The RFC 6962 / RFC 9162 Merkle maths of ./merkle-core.ts bound to node:crypto SHA-256: what the ledger
 * sequencer and `ledger verify` call. See merkle-core.ts for the node-hash getter contract.
 */
import { createMerkle, type Merkle } from './merkle-core.ts';
import { sha256 } from './hash.ts';
import { fromLowerHex } from './encoding.ts';
import { MerkleArgumentError } from './errors.ts';

export const merkle: Merkle = createMerkle((data) => sha256(data));

export const {
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
} = merkle;

/** The ledger's leaf hash of a record (integrity.md §5): SHA-256(0x00 ‖ the 32 raw bytes of the record hash). */
export function recordLeafHash(recordHashHex: string): Uint8Array {
  const bytes = fromLowerHex(recordHashHex, 32);
  if (!bytes) throw new MerkleArgumentError('a record hash is 64 lowercase hex characters');
  return leafHash(bytes);
}
