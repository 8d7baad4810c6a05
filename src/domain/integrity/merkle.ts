/**
 * The RFC 6962 / RFC 9162 Merkle maths of ./merkle-core.ts bound to node:crypto SHA-256: what the ledger
 * sequencer and `ledger verify` call. See merkle-core.ts for the node-hash getter contract.
 */
import { createMerkle, type Merkle } from './merkle-core.ts';
import { sha256 } from './hash.ts';

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
