/**
 * Given case events, when folded into the case and citizen rows, then the rows say what the history says.
 * Events come from the real case decider (via the domain specs' fixtures), so their shapes are the real ones.
 */
import { expect } from 'chai';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import { applyCaseEvent, timelineSummary, type CaseViewRow, type Envelope } from '../../../src/projections/cases/case-view.ts';
import { applyCitizenEvent, detectingUnitOf, type CitizenRow } from '../../../src/projections/cases/citizen-view.ts';
import { plateKey } from '../../../src/projections/cases/plate.ts';
import { vietnamDate } from '../../../src/domain/signoff/primitives.ts';
import { CASE_ID, OBSERVED_AT, PLATE, PLATE_CROP, model, carViolation, caseCommand, confirmReview, recordDetection, rejectReview, reviewer, transferCase, violationDetected } from '../domain/case-fixtures.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import { fold } from '../../../src/domain/decider.ts';
import { periodOfDays } from '../../../src/domain/case/periods.ts';
import { RESPONSE_DAYS } from '../../../src/domain/case/handlers/procedure.ts';

const env = (revision: number, actorId = 'cam-01-0001', actorKind = 'device'): Envelope => ({
  eventId: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
  revision,
  recordedAt: `2026-03-1${Math.min(9, revision)}T00:00:00.000Z`,
  actorKind,
  actorId,
  hash: 'a'.repeat(64),
});

function rows(events: CaseEvent[]): { row: CaseViewRow | undefined; citizen: CitizenRow | undefined } {
  let row: CaseViewRow | undefined;
  let citizen: CitizenRow | undefined;
  events.forEach((e, i) => {
    row = applyCaseEvent(row, e, env(i, i === 0 ? 'cam-01-0001' : reviewer.view.officerId, i === 0 ? 'device' : 'officer'));
    citizen = applyCitizenEvent(citizen, e);
  });
  return { row, citizen };
}

/** Runs the real decider on a command against a history and returns the new events. */
function decide(history: CaseEvent[], command: Parameters<typeof caseDecider.decide>[0]): CaseEvent[] {
  return caseDecider.decide(command, fold(caseDecider, history));
}

describe('case read model fold', () => {
  const detected = violationDetected();

  it('ignores everything before the detection', () => {
    const confirm = decide([detected], confirmReview([detected]));
    expect(applyCaseEvent(undefined, confirm[0]!, env(1))).to.equal(undefined);
    expect(applyCitizenEvent(undefined, confirm[0]!)).to.equal(undefined);
  });

  it('the citizen row carries the plate colour a detection/v2 signed, and none (unknown) for detection/v1', () => {
    const v2 = caseDecider.decide(recordDetection({ plateColour: 'yellow' }), caseDecider.initialState());
    expect(rows(v2).citizen!.plate_colour).to.equal('yellow');
    expect(rows([detected]).citizen!.plate_colour).to.equal(null);
  });

  it('a detection gives a pending case with location, violation, catalog title and basis, edge plate and evidence', () => {
    const { row, citizen } = rows([detected]);
    const entry = carViolation();
    expect(row).to.deep.include({
      case_id: CASE_ID,
      province: '01',
      status: 'detected',
      observed_at: OBSERVED_AT,
      violation_code: entry.code,
      violation_title: entry.title.vi,
      plate_edge: PLATE,
      plate_edge_compact: plateKey(PLATE),
      road_type: 'urban',
      commune: 'Ngọc Hà',
      revision: 0,
    });
    expect(row!.legal_basis).to.deep.equal(entry.legalBasis);
    expect(row!.evidence.originals).to.have.length(2);
    expect(citizen).to.deep.include({ published: false, status: 'unresolved', vehicle_type: 'car', detecting_unit: detectingUnitOf('01') });
  });

  it('a confirmation records who, when and the key, sets the confirmed plate and publishes the citizen row', () => {
    const history: CaseEvent[] = [detected];
    history.push(...decide(history, confirmReview(history)));
    const { row, citizen } = rows(history);
    expect(row!.status).to.equal('confirmed');
    expect(row!.reviewed_by).to.equal(reviewer.view.officerId);
    expect(row!.review).to.include({ decision: 'confirm', keyId: reviewer.key.keyId, officerId: reviewer.view.officerId });
    expect(row!.plate_confirmed).to.equal(PLATE);
    expect(citizen).to.deep.include({ published: true, plate: PLATE, plate_compact: plateKey(PLATE) });
  });

  it('flags the vehicle as unresponsive only on OwnerUnresponsive, not on an owner lookup, notice or decision', () => {
    const history: CaseEvent[] = [detected];
    history.push(...decide(history, confirmReview(history)));
    history.push(...decide(history, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'own-1' }, registry: 'reg', now: '2026-03-11T03:00:00.000Z' })));
    history.push(...decide(history, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic', now: '2026-03-12T03:00:00.000Z' })));
    history.push(...decide(history, caseCommand({ type: 'RecordNoticeDelivered', noticeId: 'ntc-1', now: '2026-03-12T04:00:00.000Z' })));
    expect(rows(history).citizen!.owner_unresponsive).to.equal(false);
    history.push(...decide(history, caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1', now: '2026-05-01T00:00:00.000Z' })));
    expect(history.at(-1)!.type).to.equal('OwnerUnresponsive');
    expect(rows(history).citizen!.owner_unresponsive).to.equal(true);
  });

  it('holds the end of the owner’s response period while the case waits on the owner, and clears it after', () => {
    const noticed: CaseEvent[] = [detected];
    noticed.push(...decide(noticed, confirmReview(noticed)));
    noticed.push(...decide(noticed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'own-1' }, registry: 'reg', now: '2026-03-11T03:00:00.000Z' })));
    expect(rows(noticed).row!.response_due_at).to.equal(null);
    noticed.push(...decide(noticed, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic', now: '2026-03-12T03:00:00.000Z' })));
    // The decider's own count (periods.ts), not a copy of it.
    expect(rows(noticed).row!.response_due_at).to.equal(periodOfDays('2026-03-12T03:00:00.000Z', RESPONSE_DAYS).endsAt);

    const explained = [...noticed, ...decide(noticed, caseCommand({ type: 'SubmitExplanation', explanationId: 'exp-1', channel: 'in-person', statement: 'Tôi không lái xe hôm đó' }))];
    expect(rows(explained).row).to.deep.include({ explained: true, response_due_at: null });

    const unresponsive = [...noticed, ...decide(noticed, caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1', now: '2026-05-01T00:00:00.000Z' }))];
    expect(rows(unresponsive).row!.response_due_at).to.equal(null);

    // A notice its channel refused starts nothing: the period runs from the earlier one that was not refused.
    const second = [...noticed, ...decide(noticed, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-2', channel: 'post', now: '2026-03-14T03:00:00.000Z' }))];
    expect(rows(second).row!.response_due_at).to.equal(periodOfDays('2026-03-14T03:00:00.000Z', RESPONSE_DAYS).endsAt);
    const refused = [...second, ...decide(second, caseCommand({ type: 'RecordNoticeDeliveryFailed', noticeId: 'ntc-2', reason: 'address unknown', now: '2026-03-15T03:00:00.000Z' }))];
    expect(refused.at(-1)!.type).to.equal('NoticeDeliveryFailed');
    expect(rows(refused).row!.response_due_at).to.equal(periodOfDays('2026-03-12T03:00:00.000Z', RESPONSE_DAYS).endsAt);
  });

  it('a rejection is never published to citizens', () => {
    const history: CaseEvent[] = [detected];
    history.push(...decide(history, rejectReview(history)));
    const { row, citizen } = rows(history);
    expect(row!.status).to.equal('rejected');
    expect(citizen!.published).to.equal(false);
  });

  it('flags raised at detection set the flag columns', () => {
    const flagged = violationDetected(recordDetection(), [
      { flag: 'calibration-invalid', detail: 'certificate expired' },
      { flag: 'plate-mismatch', detail: 'AI read 30A-123.46' },
    ]);
    const { row } = rows([flagged]);
    expect(row).to.deep.include({ flag_calibration: true, flag_plate_mismatch: true, flag_model_not_approved: false });
  });

  it('a doubtful AI reading lists the plate-doubt flag with its alternatives and keeps them in the timeline', () => {
    const alternatives = [{ plate: '30A-128.45', shareBp: 3100 }];
    const reading = decide([detected], caseCommand({
      type: 'RecognizePlate',
      actor: { kind: 'service', id: 'anpr-worker' },
      plate: '30A-123.45',
      confidenceBp: 6900,
      alternatives,
      sourceDigest: PLATE_CROP,
      context: { model: model('approved') },
    }));
    const { row } = rows([detected, ...reading]);
    expect(row!.plate_ai).to.equal('30A-123.45');
    const doubt = row!.flags.find((f) => f.flag === 'plate-doubt');
    expect(doubt?.detail).to.contain('30A-128.45').and.contain('3100 bp');
    expect(timelineSummary(reading[0]!)).to.deep.include({ alternatives });
  });

  it('an ended case keeps its status when later events arrive', () => {
    let row = rows([detected]).row!;
    row = applyCaseEvent(row, { type: 'CaseClosed', data: { reason: 'rejected', closedAt: '2026-03-12T00:00:00.000Z' } }, env(1))!;
    row = applyCaseEvent(row, { type: 'OwnerNotFound', data: { registry: 'r', reason: 'x', checkedAt: '2026-03-12T00:00:00.000Z' } }, env(2))!;
    expect(row).to.deep.include({ status: 'closed', status_before_end: 'detected', close_reason: 'rejected', revision: 2 });
  });

  it('the timeline summary never carries the owner reference', () => {
    const summary = timelineSummary({
      type: 'OwnerIdentified',
      data: { owner: { kind: 'individual', ref: 'secret-ref-1' }, registry: 'national', identifiedAt: '2026-03-12T00:00:00.000Z' },
    });
    expect(JSON.stringify(summary)).to.not.contain('secret-ref-1');
  });

  it('files statistics under the Viet Nam calendar day', () => {
    expect(vietnamDate('2026-03-10T16:59:59.999Z')).to.equal('2026-03-10');
    expect(vietnamDate('2026-03-10T17:00:00.000Z')).to.equal('2026-03-11');
  });

  it('plate keys: valid plates normalise; odd reads keep letters and digits only', () => {
    expect(plateKey('30A-123.45')).to.equal(plateKey('30a 12345'));
    expect(plateKey('??ab!<script>')).to.match(/^[A-Z0-9]*$/);
  });

  describe('a case transferred to another province', () => {
    const confirmed = [detected, ...decide([detected], confirmReview([detected]))];
    const owned = [...confirmed, ...decide(confirmed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg', now: '2026-03-11T03:00:00.000Z' }))];

    it('given a confirmed case, when it is handed over across nodes, then the citizen sees it transferred to the receiving province, not resolved', () => {
      const handedOver = [...owned, ...decide(owned, { ...transferCase(owned), handover: 'federation' })];
      expect(handedOver.map((e) => e.type).slice(-2)).to.deep.equal(['CaseTransferred', 'CaseClosed']);
      expect(rows(handedOver).citizen).to.deep.include({ status: 'transferred', transferred_to: '79', published: true });
    });

    it('given a confirmed case, when it is transferred within the node, then it stays unresolved here (the node goes on with it)', () => {
      const inNode = [...owned, ...decide(owned, transferCase(owned))];
      expect(inNode.map((e) => e.type)).to.include('CaseTransferred').and.not.include('CaseClosed');
      expect(rows(inNode).citizen).to.deep.include({ status: 'unresolved', transferred_to: null });
    });
  });
});
