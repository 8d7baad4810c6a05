/**
 * Folding case events into state. Never throws: history is what it is. An event that makes no sense in
 * the current state (which `decide` never produces) is counted in the revision and otherwise ignored.
 */
import { assertNever } from '../shared/errors.ts';
import type { CaseEvent } from './events.ts';
import type { CaseState, ExistingCase, Notice, OpenCaseStatus } from './state.ts';

export function initialState(): CaseState {
  return { status: 'none' };
}

function isOpen(status: ExistingCase['status']): status is OpenCaseStatus {
  return status !== 'closed' && status !== 'expired' && status !== 'voided';
}

/** Moves an open case to `status`; an ended case keeps its status. */
function moveTo(kase: ExistingCase, status: OpenCaseStatus): ExistingCase {
  return isOpen(kase.status) ? { ...kase, status } : kase;
}

export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') {
    if (event.type !== 'ViolationDetected') return state;
    const d = event.data;
    return {
      status: 'detected',
      caseId: d.caseId,
      province: d.province,
      revision: 0,
      detection: d.detection,
      detectionSignature: d.signature,
      detectionKeyId: d.keyId,
      originals: [...d.detection.evidence],
      derivations: [],
      flags: d.flags ? [...d.flags] : [],
      plateReadings: [],
      notices: [],
      appeals: [],
    };
  }
  const kase: ExistingCase = { ...state, revision: state.revision + 1 };
  switch (event.type) {
    case 'ViolationDetected':
      return kase;
    case 'PlateRecognized': {
      const { plate, compact, confidenceBp, model } = event.data;
      return { ...kase, plateReadings: [...kase.plateReadings, { plate, compact, confidenceBp, model }] };
    }
    case 'EvidenceDerived': {
      const { sourceDigest, operation, derived } = event.data;
      return { ...kase, derivations: [...kase.derivations, { sourceDigest, operation, derived }] };
    }
    case 'EvidenceAttached':
      return { ...kase, originals: [...kase.originals, ...event.data.evidence] };
    case 'CaseFlagged':
      return { ...kase, flags: [...kase.flags, event.data.flag] };
    case 'ProcessingFailed': {
      // Informational for reviewers (the case screen shows it as a flag); no rule depends on it.
      const { job, reasonCode, reason, failedAt } = event.data;
      return { ...kase, processingFailures: [...(kase.processingFailures ?? []), { job, reasonCode, reason, failedAt }] };
    }
    case 'ReviewConfirmed':
    case 'ReviewRejected': {
      const s = event.data.signoff;
      const review = {
        decision: s.decision,
        officerKeyId: event.data.keyId,
        plate: s.plate,
        violationCode: s.violationCode,
        signedAt: s.signedAt,
      };
      return moveTo({ ...kase, review }, event.type === 'ReviewConfirmed' ? 'confirmed' : 'rejected');
    }
    case 'OwnerIdentified':
      return moveTo({ ...kase, owner: event.data.owner }, 'owner-identified');
    case 'OwnerNotFound':
      return moveTo(kase, 'owner-not-found');
    case 'NoticeIssued': {
      const { noticeId, channel, issuedAt } = event.data;
      return moveTo(
        { ...kase, notices: [...kase.notices, { noticeId, channel, issuedAt, delivery: 'pending' }] },
        'noticed',
      );
    }
    case 'NoticeDelivered':
    case 'NoticeDeliveryFailed': {
      const delivery: Notice['delivery'] = event.type === 'NoticeDelivered' ? 'delivered' : 'failed';
      const notices = kase.notices.map((n) => (n.noticeId === event.data.noticeId ? { ...n, delivery } : n));
      return { ...kase, notices };
    }
    case 'PenaltyDecided': {
      const s = event.data.signoff;
      const decision = {
        fineVnd: s.fineVnd,
        points: s.points,
        legalBasis: s.legalBasis,
        offender: s.offender,
        violationCode: s.violationCode,
        signedAt: s.signedAt,
      };
      return moveTo({ ...kase, decision }, 'decided');
    }
    case 'PenaltyPaid':
      return moveTo({ ...kase, paidVnd: event.data.amountVnd }, 'paid');
    case 'AppealFiled':
      return moveTo(
        {
          ...kase,
          appeals: [...kase.appeals, { appealId: event.data.appealId, filedAt: event.data.filedAt }],
        },
        'appealed',
      );
    case 'AppealResolved': {
      const appeals = kase.appeals.map((a) =>
        a.appealId === event.data.appealId ? { ...a, outcome: event.data.outcome } : a,
      );
      return moveTo({ ...kase, appeals }, 'appeal-resolved');
    }
    case 'CaseClosed':
      return isOpen(kase.status)
        ? { ...kase, status: 'closed', statusBeforeEnd: kase.status, closedReason: event.data.reason }
        : kase;
    case 'CaseExpired':
      return isOpen(kase.status) ? { ...kase, status: 'expired', statusBeforeEnd: kase.status } : kase;
    case 'CaseVoided':
      return {
        ...kase,
        status: 'voided',
        ...(isOpen(kase.status) ? { statusBeforeEnd: kase.status } : {}),
      };
    default:
      return assertNever(event, 'case event');
  }
}
