/**
 * The case detail document: the case folded from its own stream (never from a lagging projection), with
 * what an officer needs to sign next (`signoffBasis`). It holds personal data (the plate, the owner's
 * registry reference), so it is only ever sent after a custody record.
 */
import { sortedDigests } from '../../../domain/signoff/builders.ts';
import type { ExistingCase } from '../../../domain/case/state.ts';

export function caseDocument(state: ExistingCase, revision: bigint): Record<string, unknown> {
  const plate =
    state.review?.plate ?? state.detection.plateRead?.text ?? state.plateReadings.at(-1)?.plate ?? null;
  return {
    caseId: state.caseId,
    province: state.province,
    status: state.status,
    revision: Number(revision),
    detection: state.detection,
    detectionKeyId: state.detectionKeyId,
    flags: state.flags,
    /** Background jobs that failed for good: shown as a flag on the case screen. */
    processingFailures: state.processingFailures ?? [],
    plateReadings: state.plateReadings,
    evidence: {
      originals: state.originals,
      derived: state.derivations.map((d) => ({
        ...d.derived,
        sourceDigest: d.sourceDigest,
        operation: d.operation,
      })),
    },
    review: state.review ?? null,
    owner: state.owner ?? null,
    notices: state.notices,
    decision: state.decision ?? null,
    paidVnd: state.paidVnd ?? null,
    appeals: state.appeals,
    closedReason: state.closedReason ?? null,
    /** The fields every sign-off on this case MUST carry as of this revision (integrity.md §4). */
    signoffBasis: {
      caseId: state.caseId,
      caseRevision: Number(revision),
      evidence: sortedDigests(state.originals),
      violationCode: state.review?.violationCode ?? state.detection.violationCode,
      plate,
    },
  };
}
