/**
 * Folding case events into state. Never throws: history is what it is. An event that makes no sense in
 * the current state (which `decide` never produces) is counted in the revision and otherwise ignored.
 */
import { assertNever } from '../shared/errors.ts';
import type { CaseEvent, CaseEventData } from './events.ts';
import type { CaseState, ExistingCase, Notice } from './state.ts';
import { INITIAL_CASE_STATUS, nextStatus, RECEIVED_CASE_STATUS } from './status.ts';

export function initialState(): CaseState {
  return { status: 'none' };
}

/** The case with the status `type` leads to (the one status machine, ./status.ts). */
function moveOn(kase: ExistingCase, type: CaseEvent['type']): ExistingCase {
  const step = nextStatus(kase.status, type);
  return step.endedFrom !== undefined
    ? { ...kase, status: step.status, statusBeforeEnd: step.endedFrom }
    : ({ ...kase, status: step.status } as ExistingCase);
}

export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') {
    if (event.type === 'CaseReceived') return receivedCase(event.data);
    if (event.type !== 'ViolationDetected') return state;
    const d = event.data;
    return {
      status: INITIAL_CASE_STATUS,
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
  return moveOn(applyFacts({ ...state, revision: state.revision + 1 }, event), event.type);
}

/**
 * A case opened by `CaseReceived`: the sending case's review and owner stand; the originals are attached by
 * the next record (so every sign-off here signs what this log holds).
 */
function receivedCase(d: CaseEventData<'CaseReceived'>): ExistingCase {
  return {
    status: RECEIVED_CASE_STATUS,
    caseId: d.caseId,
    province: d.province,
    revision: 0,
    detection: d.detection,
    detectionSignature: d.signature,
    detectionKeyId: d.keyId,
    originals: [],
    derivations: [],
    flags: [],
    plateReadings: [],
    review: { decision: 'confirm', ...d.review },
    owner: d.owner,
    notices: [],
    appeals: [],
    received: d.from,
  };
}

/** The case's facts after `event`; the status is left to `moveOn`. */
function applyFacts(kase: ExistingCase, event: CaseEvent): ExistingCase {
  switch (event.type) {
    case 'ViolationDetected':
      return kase;
    case 'PlateRecognized': {
      const { plate, compact, confidenceBp, model, alternatives } = event.data;
      const reading = { plate, compact, confidenceBp, model, ...(alternatives ? { alternatives } : {}) };
      return { ...kase, plateReadings: [...kase.plateReadings, reading] };
    }
    case 'EvidenceDerived': {
      const { sourceDigest, operation, derived, parameters } = event.data;
      return { ...kase, derivations: [...kase.derivations, { sourceDigest, operation, derived, parameters }] };
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
      return { ...kase, review };
    }
    case 'OwnerIdentified':
      return { ...kase, owner: event.data.owner };
    case 'OwnerNotFound':
      return kase;
    case 'NoticeIssued': {
      const { noticeId, channel, issuedAt } = event.data;
      return { ...kase, notices: [...kase.notices, { noticeId, channel, issuedAt, delivery: 'pending' }] };
    }
    case 'NoticeDelivered':
    case 'NoticeDeliveryFailed': {
      const delivery: Notice['delivery'] = event.type === 'NoticeDelivered' ? 'delivered' : 'failed';
      const notices = kase.notices.map((n) => (n.noticeId === event.data.noticeId ? { ...n, delivery } : n));
      return { ...kase, notices };
    }
    case 'CaseTransferred': {
      const { signoff, keyId, transferredAt, handover } = event.data;
      const transfer = { toProvince: signoff.toProvince, handover: handover ?? 'in-node', officerKeyId: keyId, transferredAt };
      return { ...kase, transfer };
    }
    case 'CaseReceived':
      // Only ever a first record (above); a second one changes nothing.
      return kase;
    case 'ExplanationSubmitted': {
      const { explanationId, channel, statement, submittedAt } = event.data;
      return { ...kase, explanations: [...(kase.explanations ?? []), { explanationId, channel, statement, submittedAt }] };
    }
    case 'DriverIdentified':
      return { ...kase, driver: { person: event.data.driver, licenceRef: event.data.licenceRef } };
    case 'OwnerUnresponsive': {
      const { noticeId, warned, recordedAt, periodEndsAt } = event.data;
      return { ...kase, unresponsive: { noticeId, warned: [...warned], recordedAt, periodEndsAt } };
    }
    case 'AgencyWarningSent': {
      // Only ever recorded after OwnerUnresponsive (the decider's rule); evolve never throws, so a stray one is kept aside.
      if (!kase.unresponsive) return kase;
      const { agency, receipt, sentAt } = event.data;
      const sent = [...(kase.unresponsive.sent ?? []), { agency, receipt, sentAt }];
      return { ...kase, unresponsive: { ...kase.unresponsive, sent } };
    }
    case 'ViolationRecordDrawn': {
      const s = event.data.signoff;
      const record = {
        recordId: s.recordId,
        offender: s.offender,
        ...(s.explanation !== undefined ? { explanation: s.explanation } : {}),
        officerKeyId: event.data.keyId,
        signedAt: s.signedAt,
      };
      return { ...kase, record };
    }
    case 'DocumentIssued':
      return { ...kase, documents: [...(kase.documents ?? []), { ...event.data }] };
    case 'PaymentRecorded': {
      const { paymentRef, amountVnd, surchargeVnd, channel, paidAt } = event.data;
      return { ...kase, paidVnd: amountVnd, payment: { paymentRef, amountVnd, surchargeVnd, channel, paidAt } };
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
      return { ...kase, decision, decidedAt: event.data.signoff.signedAt };
    }
    case 'PenaltyPaid':
      return { ...kase, paidVnd: event.data.amountVnd };
    case 'AppealFiled':
      return { ...kase, appeals: [...kase.appeals, { appealId: event.data.appealId, grounds: event.data.grounds, filedAt: event.data.filedAt }] };
    case 'AppealResolved': {
      const appeals = kase.appeals.map((a) =>
        a.appealId === event.data.appealId ? { ...a, outcome: event.data.outcome, resolvedAt: event.data.resolvedAt } : a,
      );
      return { ...kase, appeals };
    }
    case 'CaseClosed':
      // The reason is recorded only when this record is the one that closes the case.
      return nextStatus(kase.status, event.type).endedFrom !== undefined ? { ...kase, closedReason: event.data.reason } : kase;
    case 'CaseExpired':
    case 'CaseVoided':
      return kase;
    default:
      return assertNever(event, 'case event');
  }
}
