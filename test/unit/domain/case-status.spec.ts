/**
 * The case status machine (src/domain/case/status.ts) is the one the decider's `evolve` and the case view
 * projection fold with: for every status × event type, `evolve` and `applyCaseEvent` end in the status the
 * table gives, and remember the status an open case ended in exactly when the table says it ended.
 */
import { expect } from 'chai';
import { evolve } from '../../../src/domain/case/evolve.ts';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import { CASE_STATUSES, type CaseState, type ExistingCase } from '../../../src/domain/case/state.ts';
import { CASE_STATUS_TRANSITIONS, INITIAL_CASE_STATUS, nextStatus, type CaseEventType } from '../../../src/domain/case/status.ts';
import { applyCaseEvent, type CaseViewRow, type Envelope } from '../../../src/projections/cases/case-view.ts';
import { violationDetected } from './case-fixtures.ts';

const AT = '2026-03-11T02:00:00.000Z';
const signoff = { decision: 'confirm', plate: '30A-123.45', violationCode: '16824.6.9.b', signedAt: AT, caseRevision: 0, fineVnd: 0, points: 0, legalBasis: {}, offender: { kind: 'person' }, voidReason: 'x' };
/** One event of each type, with the members the folds read (the folds do not validate). */
const SAMPLE: { [T in CaseEventType]: Record<string, unknown> } = {
  ViolationDetected: {},
  PlateRecognized: { plate: '30A-123.45', compact: '30A12345', confidenceBp: 9000, model: { modelId: 'm', name: 'n', version: '1' } },
  EvidenceDerived: { sourceDigest: 'sha256:x', operation: 'crop', derived: { digest: 'sha256:y' }, producer: {} },
  EvidenceAttached: { evidence: [] },
  CaseFlagged: { flag: { flag: 'manual', detail: 'd' } },
  ProcessingFailed: { job: 'inference', reasonCode: 'r', reason: 'r', failedAt: AT, attempts: 3 },
  ReviewConfirmed: { signoff, keyId: 'k' },
  ReviewRejected: { signoff: { ...signoff, decision: 'reject' }, keyId: 'k' },
  OwnerIdentified: { owner: { kind: 'person' }, registry: 'r' },
  OwnerNotFound: { registry: 'r' },
  NoticeIssued: { noticeId: 'n1', channel: 'post', issuedAt: AT },
  NoticeDelivered: { noticeId: 'n1', deliveredAt: AT },
  NoticeDeliveryFailed: { noticeId: 'n1', failedAt: AT },
  CaseTransferred: { signoff: { ...signoff, toProvince: '79' }, keyId: 'k', transferredAt: AT },
  CaseReceived: { from: { origin: 'o', province: '01', leafIndex: 0, recordHash: 'h' }, review: { plate: '30A-123.45' }, owner: { kind: 'individual' } },
  ExplanationSubmitted: { explanationId: 'e1', channel: 'online', statement: 's', submittedAt: AT },
  DriverIdentified: { driver: { kind: 'individual', ref: 'p' }, licenceRef: 'l', identifiedAt: AT },
  OwnerUnresponsive: { noticeId: 'n1', periodEndsAt: AT, warned: ['registration'], recordedAt: AT },
  AgencyWarningSent: { noticeId: 'n1', agency: 'registration', warningId: 'w1', receipt: 'r1', sentAt: AT },
  ViolationRecordDrawn: { signoff: { ...signoff, recordId: 'r1' }, keyId: 'k', drawnAt: AT },
  DocumentIssued: { kind: 'record', digest: 'sha256:x', templateVersion: 'violation-record/v1', issuedAt: AT },
  PaymentRecorded: { paymentRef: 'p', amountVnd: 1, fineVnd: 1, surchargeVnd: 0, daysLate: 0, dueEndsAt: AT, channel: 'at-unit', paidAt: AT },
  PenaltyDecided: { signoff, keyId: 'k' },
  PenaltyPaid: { amountVnd: 0, paidAt: AT, paymentRef: 'p' },
  AppealFiled: { appealId: 'a1', filedAt: AT },
  AppealResolved: { appealId: 'a1', outcome: 'upheld', resolvedAt: AT, resolvedBy: 'o' },
  CaseClosed: { reason: 'paid' },
  CaseExpired: { limitationEndsAt: AT },
  CaseVoided: { signoff, keyId: 'k' },
};
const EVENT_TYPES = Object.keys(SAMPLE) as CaseEventType[];
const event = (type: CaseEventType): CaseEvent => ({ type, data: SAMPLE[type] }) as unknown as CaseEvent;
const env = (revision: number): Envelope => ({ eventId: 'e', revision, recordedAt: AT, actorKind: 'officer', actorId: 'o', hash: 'h' });

describe('case status machine (src/domain/case/status.ts)', () => {
  const detected = violationDetected();
  const opened = evolve({ status: 'none' }, detected) as ExistingCase;
  const row = applyCaseEvent(undefined, detected, env(0))!;

  it('given no case, when the detection is folded, then domain and view open it in the initial status', () => {
    expect(opened.status).to.equal(INITIAL_CASE_STATUS);
    expect(row.status).to.equal(INITIAL_CASE_STATUS);
  });

  it('covers every case event type', () => {
    expect(Object.keys(CASE_STATUS_TRANSITIONS).sort()).to.deep.equal([...EVENT_TYPES].sort());
  });

  for (const status of CASE_STATUSES) {
    for (const type of EVENT_TYPES) {
      it(`given a case ${status}, when ${type} is folded, then evolve and the case view reach the table's status`, () => {
        const step = nextStatus(status, type);
        const before = { ...opened, status, statusBeforeEnd: 'paid' } as CaseState;
        const after = evolve(before, event(type)) as ExistingCase;
        expect(after.status, 'evolve').to.equal(step.status);
        expect(after.statusBeforeEnd, 'evolve, status before end').to.equal(step.endedFrom ?? 'paid');

        const viewBefore: CaseViewRow = { ...row, status, status_before_end: 'paid' };
        const viewAfter = applyCaseEvent(viewBefore, event(type), env(1))!;
        expect(viewAfter.status, 'case view').to.equal(step.status);
        expect(viewAfter.status_before_end, 'case view, status before end').to.equal(step.endedFrom ?? 'paid');

        const target = CASE_STATUS_TRANSITIONS[type];
        const ended = ['closed', 'expired', 'voided'].includes(status);
        if (target === null) expect(step).to.deep.equal({ status });
        else if (target === 'voided') expect(step.status).to.equal('voided');
        else expect(step.status).to.equal(ended ? status : target);
      });
    }
  }
});
