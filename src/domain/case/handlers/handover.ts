/**
 * The receiving side of a case handover between provinces across nodes (docs/federation.md, "Case handover";
 * Circular 73/2024 Art. 24: the transfer to the police where the owner resides). The sending node recorded a
 * signed `CaseTransferred` (handover `federation`) and closed its case; the national node relayed the record;
 * here the receiving node opens the same case id with `CaseReceived`, which names the sending log's record,
 * leaf index and cosigned checkpoint, and attaches the originals.
 *
 * Never trust the relay: the decider itself checks that the checkpoint opens under the sending log's key and
 * carries a cosignature by a witness this node trusts, that the transfer record (hash recomputed) is the leaf
 * the inclusion proof places under that checkpoint's root, that the record transfers this case to this
 * province, and that the facts the service read match what the transfer officer signed.
 */
import { CheckpointError } from '../../integrity/errors.ts';
import { openCheckpoint, type OpenedCheckpoint } from '../../integrity/checkpoint.ts';
import { fromLowerHex } from '../../integrity/encoding.ts';
import { recordHash } from '../../integrity/hash.ts';
import { recordLeafHash, verifyInclusion } from '../../integrity/merkle.ts';
import { caseIdForDetection } from '../../ids.ts';
import { isProvinceCode } from '../../provinces/index.ts';
import { streams } from '../../record.ts';
import { parseOrThrow, sortedDigests } from '../../signoff/builders.ts';
import { DetectionSchema, OffenderSchema, TransferSignoffSchema } from '../../signoff/payloads.ts';
import { EvidenceRefSchema } from '../../signoff/primitives.ts';
import type { CaseCommandOf } from '../commands.ts';
import {
  HandoverConflictError,
  HandoverMismatchError,
  HandoverProofError,
  InvalidTransferTargetError,
} from '../errors.ts';
import { CaseEventSchemas, type CaseEvent, type HandoverSource } from '../events.ts';
import { samePlate } from '../plate-key.ts';
import type { CaseState } from '../state.ts';

/** The most originals one handover attaches (EvidenceAttached holds at most 32). */
const MAX_HANDED_OVER_ORIGINALS = 32;

function openCosigned(checkpointText: string, logKey: string, trustedWitnesses: string[]): OpenedCheckpoint {
  let opened: OpenedCheckpoint;
  try {
    opened = openCheckpoint(checkpointText, [logKey, ...trustedWitnesses]);
  } catch (error) {
    if (error instanceof CheckpointError || error instanceof Error) {
      throw new HandoverProofError('The checkpoint does not open under the sending log key', {
        reason: error instanceof CheckpointError ? error.code : 'malformed',
      });
    }
    throw error;
  }
  if (!opened.verifiedBy.some((s) => s.kind === 'witness')) {
    throw new HandoverProofError('The checkpoint carries no cosignature by a witness this node trusts', {
      trustedWitnesses: trustedWitnesses.length,
    });
  }
  return opened;
}

function requireIncluded(opened: OpenedCheckpoint, hash: string, leafIndex: number, proofHex: string[]): void {
  const { size, root } = opened.checkpoint;
  const proof = proofHex.map((h) => fromLowerHex(h, 32));
  const wellFormed = Number.isSafeInteger(leafIndex) && leafIndex >= 0 && leafIndex < size && proof.every((p) => p !== undefined);
  if (!wellFormed || !verifyInclusion(recordLeafHash(hash), leafIndex, size, proof as Uint8Array[], root)) {
    throw new HandoverProofError('The transfer record is not at that leaf of the cosigned tree', { leafIndex, treeSize: size });
  }
}

/**
 * Opens the handed-over case: `CaseReceived` then `EvidenceAttached` (the originals). A repeat of the same
 * handover is a no-op; another case under the same id is a conflict.
 */
export function receiveCase(command: CaseCommandOf<'ReceiveCase'>, state: CaseState, now: string): CaseEvent[] {
  const { handover, facts } = command;
  const record = handover.transferRecord;
  const hash = recordHash(record);
  if (state.status !== 'none') {
    const same = state.received?.origin === handover.origin && state.received.recordHash === hash;
    if (same) return [];
    throw new HandoverConflictError('This node already holds another case under this id', { caseId: command.caseId });
  }
  const opened = openCosigned(handover.checkpoint, handover.logKey, command.context.trustedWitnesses);
  if (opened.checkpoint.origin !== handover.origin) {
    throw new HandoverProofError('The checkpoint is of another log than the handover names', {});
  }
  requireIncluded(opened, hash, handover.leafIndex, handover.inclusionProof);

  // The record: the sending log's CaseTransferred of this very case, relayed across nodes to this province.
  if (record.type !== 'CaseTransferred' || record.stream !== streams.case(command.caseId)) {
    throw new HandoverMismatchError('The record is not a transfer of this case', { type: String(record.type) });
  }
  const transferred = CaseEventSchemas.CaseTransferred.safeParse(record.data);
  if (!transferred.success) throw new HandoverMismatchError('The transfer record does not parse', {});
  const { signoff, signature, keyId, handover: how } = transferred.data;
  if (how !== 'federation') throw new HandoverMismatchError('The transfer was not handed over to another node', {});
  if (!isProvinceCode(record.meta.province) || signoff.toProvince !== command.province || signoff.caseId !== command.caseId) {
    throw new InvalidTransferTargetError('The transfer names another case or receiving province', {
      toProvince: signoff.toProvince,
    });
  }

  // The facts: what the transfer officer signed (case, plate, violation, every original).
  const detection = parseOrThrow(DetectionSchema, facts.detection, 'facts.detection');
  const owner = parseOrThrow(OffenderSchema, facts.owner, 'facts.owner');
  const originals = facts.originals.map((e, i) => parseOrThrow(EvidenceRefSchema, e, `facts.originals[${i}]`));
  if (caseIdForDetection(detection.detectionId) !== command.caseId) {
    throw new HandoverMismatchError('The detection is not the one this case was opened for', {});
  }
  if (!samePlate(facts.review.plate, signoff.plate) || facts.review.violationCode !== signoff.violationCode) {
    throw new HandoverMismatchError('The review names another plate or violation than the transfer signed', {});
  }
  const signedOriginals = sortedDigests(originals);
  const sameOriginals =
    signedOriginals.length === signoff.evidence.length && signedOriginals.every((d, i) => d === signoff.evidence[i]);
  if (!sameOriginals || originals.length === 0 || originals.length > MAX_HANDED_OVER_ORIGINALS) {
    throw new HandoverMismatchError('The originals are not exactly those the transfer signed', {
      signed: signoff.evidence.length,
      given: originals.length,
    });
  }
  parseOrThrow(TransferSignoffSchema, signoff, 'transfer signoff');

  const from: HandoverSource = {
    origin: handover.origin,
    logKey: handover.logKey,
    province: record.meta.province,
    caseId: command.caseId,
    recordHash: hash,
    leafIndex: handover.leafIndex,
    checkpoint: handover.checkpoint,
  };
  return [
    {
      type: 'CaseReceived',
      data: {
        caseId: command.caseId,
        province: command.province,
        from,
        transfer: { signoff, signature, keyId },
        detection,
        signature: facts.detectionSignature,
        keyId: facts.detectionKeyId,
        review: { ...facts.review },
        owner,
        ...(handover.bundle ? { fromBundle: { digest: handover.bundle.digest, size: handover.bundle.size } } : {}),
        receivedAt: now,
      },
    },
    {
      type: 'EvidenceAttached',
      data: {
        evidence: originals,
        reason: `originals of case ${command.caseId} handed over by ${handover.origin} (leaf ${handover.leafIndex})`,
        attachedAt: now,
      },
    },
  ];
}
