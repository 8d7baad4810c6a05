/** Building document inputs from a case's events (pure). */
import { expect } from 'chai';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import type { ExistingCase } from '../../../src/domain/case/state.ts';
import { fold } from '../../../src/domain/decider.ts';
import {
  appointmentFor,
  checkAppointmentSetting,
  DEFAULT_APPOINTMENT,
  DocumentSourceMissingError,
  ISSUABLE_TEMPLATE_VERSIONS,
  noticeDocumentFor,
  noticeTemplateVersionFor,
  paymentReferenceFor,
  parseVietQr,
  penaltyDecisionDocumentFor,
  violationRecordDocumentFor,
} from '../../../src/domain/documents/index.ts';
import { periodOfDays } from '../../../src/domain/case/periods.ts';
import { CASE_ID, DECIDED_AT, PLATE, caseCommand, confirmReview, decidePenalty, drawRecord, violationDetected } from '../domain/case-fixtures.ts';
import { owner, treasury, unit } from './fixtures.ts';

function after(history: CaseEvent[], command: CaseCommand): CaseEvent[] {
  return [...history, ...caseDecider.decide(command, fold(caseDecider, history))];
}
const kaseOf = (history: CaseEvent[]) => fold(caseDecider, history) as ExistingCase;

const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const identified = after(confirmed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg' }));
const NOTICE_AT = '2026-03-12T20:00:00.000Z';
const noticed = after(identified, { ...caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic' }), now: NOTICE_AT } as CaseCommand);
const recorded = after(noticed, drawRecord(noticed));
const decided = after(recorded, decidePenalty(recorded));
const STATEMENT = 'Tôi đi theo xe phía trước nên không quan sát được đèn tín hiệu.';
const recordContext = { unit, offender: { ...owner, registryRef: 'owner-0001' }, officer: { officerId: 'officer-01-reviewer', title: 'officer-on-duty' as const } };
const decidedEvent = decided.at(-1) as Extract<CaseEvent, { type: 'PenaltyDecided' }>;

describe('documents: inputs built from the case', () => {
  it('the notice comes from NoticeIssued: its id, time, the confirmed plate and the catalog entry', () => {
    const doc = noticeDocumentFor(kaseOf(noticed), 'ntc-1', { unit, addressee: owner });
    expect(doc).to.deep.include({ kind: 'notice', templateVersion: 'notice/v1', caseId: CASE_ID, noticeId: 'ntc-1', issuedAt: NOTICE_AT });
    expect(doc.violation.plate).to.equal(PLATE);
    expect(doc.violation.legalBasis).to.deep.equal({ decree: '168/2024/NĐ-CP', article: 6, clause: 9, point: 'b' });
    expect(doc.fineRange).to.deep.equal({ minVnd: 18_000_000, maxVnd: 20_000_000 });
    expect(doc.points).to.equal(4);
    // 20:00 UTC on the 12th is the 13th in Viet Nam; 20 calendar days later is April 2nd.
    expect(doc.respondBy).to.equal('2026-04-02');
    expect(doc.addressee).to.equal(owner);
  });

  it('a notice issued from 2026-12-07 (Viet Nam day) is built as notice/v2 with the form\'s extra fields', () => {
    // 2026-12-06T17:00Z is 00:00 on 7 December in Viet Nam: the first instant of notice/v2.
    const V2_AT = '2026-12-06T17:00:00.000Z';
    const late = after(identified, { ...caseCommand({ type: 'IssueNotice', noticeId: 'ntc-9', channel: 'post' }), now: V2_AT } as CaseCommand);
    const detectingUnit = { ...unit, fullName: 'Phòng Cảnh sát giao thông Công an tỉnh Bắc Ninh' };
    const handling = { ...unit, fullName: 'Phòng Cảnh sát giao thông Công an thành phố Hà Nội' };
    const doc = noticeDocumentFor(kaseOf(late), 'ntc-9', { unit: handling, addressee: owner, detectingUnit, appointment: { workingDaysAfterNotice: 3, opensAt: '07:30' } });
    if (doc.templateVersion !== 'notice/v2') throw new Error(`expected notice/v2, got ${doc.templateVersion}`);
    expect(doc).to.deep.include({
      issuedAt: V2_AT,
      detectingUnit: 'Phòng Cảnh sát giao thông Công an tỉnh Bắc Ninh',
      handlingUnit: 'Phòng Cảnh sát giao thông Công an thành phố Hà Nội',
      decreeDate: '26/12/2024',
      // Monday 7 December: the 3rd working day after it is Thursday the 10th.
      appointment: { date: '2026-12-10', time: '07:30' },
      respondBy: '2026-12-28',
    });
    expect(doc).not.to.have.property('identityNumber');
    // Without a unit setting: the default, 5 working days at 08:00; without a detecting unit: the handling unit.
    const plain = noticeDocumentFor(kaseOf(late), 'ntc-9', { unit: handling, addressee: owner });
    expect(plain).to.deep.include({ appointment: { date: '2026-12-14', time: '08:00' }, detectingUnit: handling.fullName });
    // One instant earlier (6 December in Viet Nam) is still notice/v1.
    expect(noticeTemplateVersionFor(kaseOf(late), 'ntc-9', '2026-12-06T16:59:59.999Z')).to.equal('notice/v1');
    expect(ISSUABLE_TEMPLATE_VERSIONS.notice).to.deep.equal(['notice/v1', 'notice/v2']);
  });

  it('a notice whose document was recorded under notice/v1 stays notice/v1, whatever its date', () => {
    const V2_AT = '2026-12-08T02:00:00.000Z';
    const late = after(identified, { ...caseCommand({ type: 'IssueNotice', noticeId: 'ntc-9', channel: 'post' }), now: V2_AT } as CaseCommand);
    const issued = after(late, {
      ...caseCommand({ type: 'RecordDocumentIssued', kind: 'notice', noticeId: 'ntc-9', digest: `sha256:${'ab'.repeat(32)}`, templateVersion: 'notice/v1' }),
      now: V2_AT,
    } as CaseCommand);
    const doc = noticeDocumentFor(kaseOf(issued), 'ntc-9', { unit, addressee: owner });
    expect(doc.templateVersion).to.equal('notice/v1');
    expect(doc).not.to.have.property('appointment');
  });

  it('the appointment skips weekends and fixed holidays, and its setting is bounded', () => {
    // Issued Tuesday 28 April 2026 (Viet Nam): 30 April and 1 May are holidays, 2–3 May a weekend.
    expect(appointmentFor('2026-04-28T03:00:00Z', { workingDaysAfterNotice: 2, opensAt: '08:00' })).to.deep.equal({ date: '2026-05-04', time: '08:00' });
    // 23:30 UTC on a Friday is Saturday in Viet Nam: counting starts from Saturday.
    expect(appointmentFor('2026-12-11T23:30:00Z', { workingDaysAfterNotice: 1, opensAt: '13:30' })).to.deep.equal({ date: '2026-12-14', time: '13:30' });
    expect(checkAppointmentSetting(DEFAULT_APPOINTMENT)).to.equal(DEFAULT_APPOINTMENT);
    for (const bad of [
      { workingDaysAfterNotice: 0, opensAt: '08:00' },
      { workingDaysAfterNotice: 8, opensAt: '08:00' },
      { workingDaysAfterNotice: 2.5, opensAt: '08:00' },
      { workingDaysAfterNotice: 3, opensAt: '24:00' },
      { workingDaysAfterNotice: 3, opensAt: '8:00' },
    ])
      expect(() => checkAppointmentSetting(bad), JSON.stringify(bad)).to.throw(RangeError);
    // The longest setting still ends inside the 20 days of Art. 24.5, over the longest fixed-holiday run.
    const worst = appointmentFor('2026-04-28T03:00:00Z', { workingDaysAfterNotice: 7, opensAt: '08:00' });
    expect(worst.date <= periodOfDays('2026-04-28T03:00:00Z', 20).lastDay).to.equal(true);
  });

  it('the notice is refused for a notice the case does not hold', () => {
    expect(() => noticeDocumentFor(kaseOf(noticed), 'ntc-2', { unit, addressee: owner })).to.throw(DocumentSourceMissingError);
  });

  it('the decision comes from PenaltyDecided: the signed fine, points, basis, time, and the QR pays it', () => {
    const doc = penaltyDecisionDocumentFor(kaseOf(decided), decidedEvent.data, {
      unit,
      offender: owner,
      decider: { officerId: 'off-01-0001', title: 'provincial-division-head' },
      treasury,
    });
    const s = decidedEvent.data.signoff;
    expect(doc).to.deep.include({ kind: 'penalty-decision', issuedAt: DECIDED_AT, fineVnd: s.fineVnd, points: s.points });
    expect(doc.fineInWords).to.equal('Mười tám triệu đồng');
    expect(doc.decider).to.deep.equal({ officerId: 'off-01-0001', title: 'Trưởng phòng Cảnh sát giao thông', keyId: decidedEvent.data.keyId });
    expect(doc.number).to.match(/^[0-9A-F]{8}\/QĐ-XPHC$/);
    expect(doc.paymentReference).to.equal(doc.number.replace('Đ', 'D'));
    // Decided Friday 2026-03-20 (Viet Nam): the 10th day, Monday 2026-03-30, is a working day.
    expect(doc.payBy).to.equal('2026-03-30');
    expect(doc.payBy).to.equal(periodOfDays(DECIDED_AT, 10).lastDay);
    expect(doc.lateSurchargeBpPerDay).to.equal(5);
    expect(parseVietQr(doc.qrPayload)).to.include({
      bankBin: treasury.bankBin,
      accountNumber: treasury.accountNumber,
      amountVnd: s.fineVnd,
      reference: doc.paymentReference,
    });
  });

  it('the same events give the same inputs', () => {
    const ctx = { unit, offender: owner, decider: { officerId: 'off-01-0001', title: 'team-leader' as const }, treasury };
    expect(penaltyDecisionDocumentFor(kaseOf(decided), decidedEvent.data, ctx)).to.deep.equal(
      penaltyDecisionDocumentFor(kaseOf(structuredClone(decided)), structuredClone(decidedEvent.data), ctx),
    );
  });

  it('the violation record comes from ViolationRecordDrawn: its signer, time, offender and the explanation verbatim', () => {
    const explained = after(noticed, caseCommand({ type: 'SubmitExplanation', explanationId: 'exp-1', channel: 'online', statement: STATEMENT }));
    const drawn = after(explained, drawRecord(explained, { explanation: STATEMENT }));
    const drawnEvent = drawn.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>;
    const doc = violationRecordDocumentFor(kaseOf(drawn), drawnEvent.data, recordContext);
    const s = drawnEvent.data.signoff;
    expect(doc).to.deep.include({
      kind: 'violation-record',
      templateVersion: 'violation-record/v1',
      caseId: CASE_ID,
      issuedAt: s.signedAt,
      explanation: STATEMENT,
      offender: recordContext.offender,
      witnesses: [],
      explanationWithinDays: 2,
    });
    expect(doc.number).to.match(/^[0-9A-F]{8}\/BB-VPHC$/);
    expect(doc.officer).to.deep.equal({ officerId: 'officer-01-reviewer', title: 'Cán bộ Cảnh sát giao thông đang thi hành công vụ', keyId: drawnEvent.data.keyId });
    expect(doc.drawnAt).to.equal(`trụ sở ${unit.name}, ${unit.address}`);
    expect(doc.violation.plate).to.equal(s.plate);
    expect(doc.driver).to.equal(undefined);
  });

  it('the violation record of a named driver prints the driver and the licence', () => {
    const driverRef = { kind: 'individual' as const, ref: 'drv-0001' };
    const named = after(noticed, caseCommand({ type: 'IdentifyDriver', driver: driverRef, licenceRef: 'GPLX-0102' }));
    const drawn = after(named, drawRecord(named, { offender: driverRef }));
    const drawnEvent = drawn.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>;
    const driver = { ...owner, name: 'Trần Văn Đức', registryRef: 'drv-0001' };
    const doc = violationRecordDocumentFor(kaseOf(drawn), drawnEvent.data, { ...recordContext, offender: driver });
    expect(doc.offender).to.equal(driver);
    expect(doc.driver).to.deep.equal({ name: 'Trần Văn Đức', licenceRef: 'GPLX-0102' });
    expect(doc).not.to.have.property('explanation');
  });

  it('the violation record is refused for an offender other than the one it names, or another case', () => {
    const drawnEvent = recorded.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>;
    expect(() => violationRecordDocumentFor(kaseOf(recorded), drawnEvent.data, { ...recordContext, offender: { ...owner, registryRef: 'someone-else' } })).to.throw(
      DocumentSourceMissingError,
    );
    const other = { ...drawnEvent.data, signoff: { ...drawnEvent.data.signoff, caseId: '00000000-0000-4000-8000-000000000999' } };
    expect(() => violationRecordDocumentFor(kaseOf(recorded), other, recordContext)).to.throw(DocumentSourceMissingError);
  });

  it('counts calendar days in Viet Nam time and writes references in ASCII', () => {
    // One day-count rule for every document and the portal (periods.ts): 2025-12-31T17:30Z is 1 January in
    // Viet Nam; its next day, Friday 2 January, is a working day; a Saturday moves to Monday.
    expect(periodOfDays('2025-12-31T17:30:00Z', 1).lastDay).to.equal('2026-01-02');
    expect(periodOfDays('2026-01-02T03:00:00Z', 1).lastDay).to.equal('2026-01-05');
    expect(paymentReferenceFor('0A/QĐ-XPHC')).to.equal('0A/QD-XPHC');
  });
});
