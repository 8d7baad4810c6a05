/**
 * The camera-case procedure (Circular 73/2024/TT-BCA Art. 24; Decree 168/2024 Art. 47; docs/legal-procedure.md):
 * transfer to the owner's province, the owner's explanation and the named driver, the unresponsive owner, the
 * violation record, licence points only from an individual driver, and payment with the late surcharge.
 */
import { expect } from 'chai';
import { listViolations } from '../../../src/domain/catalog/index.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import {
  InvalidCaseTransitionError,
  InvalidTransferTargetError,
  LicencePointsError,
  NoLegalGroundError,
  OffenderMismatchError,
  PaymentAmountMismatchError,
  PenaltyTermsMismatchError,
  ProcedurePeriodElapsedError,
  ProcedurePeriodRunningError,
  RecordExplanationMismatchError,
  SignoffContentMismatchError,
  SignoffPurposeError,
  UnknownNoticeError,
  ViolationRecordRequiredError,
  AgencyNotWarnedError,
  AgencyWarningConflictError,
} from '../../../src/domain/case/errors.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import { lateSurchargeVnd } from '../../../src/domain/case/handlers/penalty.ts';
import { fold } from '../../../src/domain/decider.ts';
import { OfficerOutsideProvinceError } from '../../../src/domain/officer/errors.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../../../src/domain/signoff/errors.ts';
import type { Offender } from '../../../src/domain/signoff/payloads.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  carViolation,
  caseCommand,
  confirmReview,
  DECIDED_AT,
  decidePenalty,
  drawRecord,
  officer,
  recordDetection,
  transferCase,
  TRANSFERRED_AT,
  violationDetected,
} from './case-fixtures.ts';
import { HCMC } from './fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];
const types = (events: CaseEvent[]) => events.map((e) => e.type);

const OWNER: Offender = { kind: 'individual', ref: 'owner-0001' };
const ORG: Offender = { kind: 'organisation', ref: 'org-0001' };
const DRIVER: Offender = { kind: 'individual', ref: 'person-0002' };

const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const ownedBy = (owner: Offender, history = confirmed) =>
  after(history, caseCommand({ type: 'IdentifyOwner', owner, registry: 'reg', now: '2026-03-11T03:00:00.000Z' }));
const notice = (history: CaseEvent[]) =>
  after(history, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic' }));
const ownerIdentified = ownedBy(OWNER);
const noticed = notice(ownerIdentified); // the notice is issued at DECIDED_AT, 2026-03-20 (Vietnam day)
const explanation = {
  type: 'SubmitExplanation',
  explanationId: 'exp-1',
  channel: 'in-person',
  statement: 'My brother drove the car that morning',
} as const;
const explained = after(noticed, caseCommand(explanation));
const notFound = after(
  confirmed,
  caseCommand({ type: 'RecordOwnerNotFound', registry: 'reg', reason: 'plate not registered' }),
);
const hcmcOfficer = officer('off-79-0001', { province: HCMC });

describe('camera-case procedure', () => {
  describe('CaseTransferred (Circular 73/2024 Art. 24)', () => {
    it('transfers within 10 days to the police of the owner’s province, who handle the case from then on', () => {
      const state = caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified))
        .thenEvents(([event]) => {
          expect(event?.type).to.equal('CaseTransferred');
          expect(event?.type === 'CaseTransferred' && event.data.signoff.toProvince).to.equal(HCMC);
          expect(event?.type === 'CaseTransferred' && event.data.transferredAt).to.equal(TRANSFERRED_AT);
        }).state;
      expect(state.status).to.equal('owner-identified');
      const transferred = after(ownerIdentified, transferCase(ownerIdentified));
      // The receiving province's officer issues the notice; the camera province's officers no longer act.
      caseSpec()
        .given(transferred)
        .when(
          caseCommand({
            type: 'IssueNotice',
            noticeId: 'ntc-79',
            channel: 'post',
            actor: hcmcOfficer.actor,
            context: { officer: hcmcOfficer.view },
          }),
        )
        .thenEvents((evs) => expect(types(evs)).to.deep.equal(['NoticeIssued']));
      caseSpec()
        .given(transferred)
        .when(caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }))
        .thenThrows(OfficerOutsideProvinceError);
    });
    it('refuses a transfer after the 10 days (ended 24:00 on 20 March in Hà Nội)', () => {
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified, { signedAt: '2026-03-20T16:59:00.000Z' }, { now: '2026-03-20T16:59:00.000Z' }))
        .thenEvents((evs) => expect(types(evs)).to.deep.equal(['CaseTransferred']));
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified, { signedAt: '2026-03-20T17:00:00.000Z' }, { now: '2026-03-20T17:00:00.000Z' }))
        .thenThrows(ProcedurePeriodElapsedError);
    });
    it('refuses the province already handling the case, or an unknown one', () => {
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified, { toProvince: '01' }))
        .thenThrows(InvalidTransferTargetError);
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified, { toProvince: '99' }))
        .thenThrows(InvalidTransferTargetError);
    });
    it('is the alternative to the notice: refused after a notice, before the owner is known, twice, or without an owner', () => {
      caseSpec().given(noticed).when(transferCase(noticed)).thenThrows(InvalidCaseTransitionError);
      caseSpec().given(confirmed).when(transferCase(confirmed)).thenThrows(InvalidCaseTransitionError);
      const transferred = after(ownerIdentified, transferCase(ownerIdentified));
      caseSpec()
        .given(transferred)
        .when({ ...transferCase(transferred, { toProvince: '48' }, { by: hcmcOfficer }), province: HCMC })
        .thenThrows(InvalidCaseTransitionError);
      caseSpec().given(notFound).when(transferCase(notFound)).thenThrows(NoLegalGroundError);
    });
    it('refuses a sign-off of another purpose, or naming another plate than the review', () => {
      const command = transferCase(ownerIdentified);
      caseSpec()
        .given(ownerIdentified)
        .when({ ...command, signoff: { ...command.signoff, purpose: 'decision/v1' } } as unknown as CaseCommand)
        .thenThrows(SignoffPurposeError);
      caseSpec()
        .given(ownerIdentified)
        .when(transferCase(ownerIdentified, { plate: '30A-543.21' }))
        .thenThrows(SignoffContentMismatchError);
    });
  });

  describe('ExplanationSubmitted and DriverIdentified (Decree 168 Art. 47.8.b)', () => {
    it('records the owner’s explanation after the notice; a repeat is a no-op', () => {
      caseSpec()
        .given(noticed)
        .when(caseCommand(explanation))
        .thenEvents(([event]) => {
          expect(event?.type === 'ExplanationSubmitted' && event.data.channel).to.equal('in-person');
        });
      caseSpec().given(explained).when(caseCommand(explanation)).thenNothing();
    });
    it('refuses an explanation before any notice, an unknown channel, and without an owner', () => {
      caseSpec().given(ownerIdentified).when(caseCommand(explanation)).thenThrows(InvalidCaseTransitionError);
      caseSpec()
        .given(noticed)
        .when(caseCommand({ ...explanation, channel: 'fax' as never }))
        .thenThrows(InvalidCommandError);
      caseSpec().given(notFound).when(caseCommand(explanation)).thenThrows(NoLegalGroundError);
    });
    it('records the driver someone else was; refuses an organisation as driver and a second, different driver', () => {
      const named = after(explained, caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' }));
      expect(types(named).at(-1)).to.equal('DriverIdentified');
      caseSpec()
        .given(explained)
        .when(caseCommand({ type: 'IdentifyDriver', driver: ORG, licenceRef: 'gplx-x' }))
        .thenThrows(OffenderMismatchError);
      caseSpec()
        .given(named)
        .when(caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' }))
        .thenNothing();
      caseSpec()
        .given(named)
        .when(caseCommand({ type: 'IdentifyDriver', driver: { kind: 'individual', ref: 'p-3' }, licenceRef: 'g-3' }))
        .thenThrows(InvalidCaseTransitionError);
    });
    it('refuses explanation and driver once the record is drawn', () => {
      const recorded = after(noticed, drawRecord(noticed));
      caseSpec().given(recorded).when(caseCommand(explanation)).thenThrows(InvalidCaseTransitionError);
      caseSpec()
        .given(recorded)
        .when(caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' }))
        .thenThrows(InvalidCaseTransitionError);
    });
  });

  describe('OwnerUnresponsive (20 days after the notice)', () => {
    // Notice issued on 2026-03-20 (Vietnam day): 20 days → Thursday 2026-04-09, to 24:00 in Hà Nội.
    const unresponsive = (now: string) => caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1', now });
    it('refuses before the 20 days end, and records the warnings to registration and inspection after', () => {
      caseSpec().given(noticed).when(unresponsive('2026-04-09T16:59:59.999Z')).thenThrows(ProcedurePeriodRunningError);
      caseSpec()
        .given(noticed)
        .when(unresponsive('2026-04-09T17:00:00.000Z'))
        .then([
          {
            type: 'OwnerUnresponsive',
            data: {
              noticeId: 'ntc-1',
              periodEndsAt: '2026-04-09T17:00:00.000Z',
              warned: ['registration', 'inspection'],
              recordedAt: '2026-04-09T17:00:00.000Z',
            },
          },
        ]);
    });
    it('also warns the commune police for a motorbike', () => {
      const bikeEntry = listViolations('2026-03-10').find(
        (e) => e.vehicleClasses.includes('motorbike') && !e.vehicleClasses.includes('car'),
      )!;
      const bike = [violationDetected(recordDetection({ vehicleClass: 'motorbike', violationCode: bikeEntry.code }))];
      const bikeNoticed = notice(ownedBy(OWNER, after(bike, confirmReview(bike, { violationCode: bikeEntry.code }))));
      caseSpec()
        .given(bikeNoticed)
        .when(unresponsive('2026-05-01T00:00:00.000Z'))
        .thenEvents(([event]) => {
          expect(event?.type === 'OwnerUnresponsive' && event.data.warned).to.deep.equal([
            'registration',
            'inspection',
            'commune-police',
          ]);
        });
    });
    it('refuses after the owner explained, for an unknown notice, and repeats as a no-op', () => {
      caseSpec().given(explained).when(unresponsive('2026-05-01T00:00:00.000Z')).thenThrows(InvalidCaseTransitionError);
      caseSpec()
        .given(noticed)
        .when(caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-9', now: '2026-05-01T00:00:00.000Z' }))
        .thenThrows(UnknownNoticeError);
      const flagged = after(noticed, unresponsive('2026-05-01T00:00:00.000Z'));
      caseSpec().given(flagged).when(unresponsive('2026-05-02T00:00:00.000Z')).thenNothing();
    });
    it('is recorded on schedule by the procedure-schedule service, on the same legal ground; no other service may', () => {
      const bySchedule = (now: string, id = 'procedure-schedule') =>
        caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1', now, actor: { kind: 'service', id } });
      caseSpec().given(noticed).when(bySchedule('2026-04-09T16:59:59.999Z')).thenThrows(ProcedurePeriodRunningError);
      caseSpec()
        .given(noticed)
        .when(bySchedule('2026-04-09T17:00:00.000Z'))
        .thenEvents((events) => expect(types(events)).to.deep.equal(['OwnerUnresponsive']));
      caseSpec().given(noticed).when(bySchedule('2026-05-01T00:00:00.000Z', 'notice-worker')).thenThrows(ActorNotAllowedError);
    });
  });

  describe('AgencyWarningSent (the warnings OwnerUnresponsive names, sent)', () => {
    const flagged = after(noticed, caseCommand({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1', now: '2026-05-01T00:00:00.000Z' }));
    const worker = { kind: 'service', id: 'agency-warning-worker' } as const;
    const sent = (agency: 'registration' | 'inspection' | 'commune-police', receipt = `rcpt-${agency}`) =>
      caseCommand({
        type: 'RecordAgencyWarningSent',
        agency,
        warningId: `warn-${agency}`,
        receipt,
        now: '2026-05-01T00:05:00.000Z',
        actor: worker,
      });
    it('records the warning an agency received, once', () => {
      caseSpec()
        .given(flagged)
        .when(sent('registration'))
        .then([
          {
            type: 'AgencyWarningSent',
            data: {
              noticeId: 'ntc-1',
              agency: 'registration',
              warningId: 'warn-registration',
              receipt: 'rcpt-registration',
              sentAt: '2026-05-01T00:05:00.000Z',
            },
          },
        ]);
      const once = after(flagged, sent('registration'));
      caseSpec().given(once).when(sent('registration')).thenNothing();
      caseSpec().given(once).when(sent('registration', 'rcpt-other')).thenThrows(AgencyWarningConflictError);
    });
    it('refuses a warning before the owner is recorded unresponsive, and one to an agency not named', () => {
      caseSpec().given(noticed).when(sent('registration')).thenThrows(AgencyNotWarnedError);
      // A car: the commune police are warned only for motorbikes.
      caseSpec().given(flagged).when(sent('commune-police')).thenThrows(AgencyNotWarnedError);
    });
    it('refuses any actor but the agency-warning worker', () => {
      caseSpec()
        .given(flagged)
        .when({ ...sent('inspection'), actor: { kind: 'service', id: 'notice-worker' } })
        .thenThrows(ActorNotAllowedError);
    });
  });

  describe('ViolationRecordDrawn (record/v1)', () => {
    it('draws the record against the owner, carrying the explanation verbatim', () => {
      caseSpec()
        .given(explained)
        .when(drawRecord(explained, { explanation: explanation.statement }))
        .thenEvents(([event]) => {
          expect(event?.type === 'ViolationRecordDrawn' && event.data.signoff.explanation).to.equal(
            explanation.statement,
          );
        });
    });
    it('refuses a record that leaves out or invents an explanation', () => {
      caseSpec().given(explained).when(drawRecord(explained)).thenThrows(RecordExplanationMismatchError);
      caseSpec()
        .given(explained)
        .when(drawRecord(explained, { explanation: 'Nobody drove' }))
        .thenThrows(RecordExplanationMismatchError);
      caseSpec()
        .given(noticed)
        .when(drawRecord(noticed, { explanation: 'Nobody drove' }))
        .thenThrows(RecordExplanationMismatchError);
    });
    it('names the named driver, else the owner', () => {
      caseSpec().given(noticed).when(drawRecord(noticed, { offender: DRIVER })).thenThrows(OffenderMismatchError);
      const named = after(noticed, caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' }));
      caseSpec().given(named).when(drawRecord(named)).thenThrows(OffenderMismatchError);
      caseSpec()
        .given(named)
        .when(drawRecord(named, { offender: DRIVER }))
        .thenEvents((evs) => expect(types(evs)).to.deep.equal(['ViolationRecordDrawn']));
    });
    it('refuses a record before the notice, a second record, and one without an owner', () => {
      caseSpec().given(ownerIdentified).when(drawRecord(ownerIdentified)).thenThrows(InvalidCaseTransitionError);
      const recorded = after(noticed, drawRecord(noticed));
      caseSpec().given(recorded).when(drawRecord(recorded)).thenThrows(InvalidCaseTransitionError);
      caseSpec().given(notFound).when(drawRecord(notFound)).thenThrows(NoLegalGroundError);
    });
  });

  describe('PenaltyDecided after the record; licence points only from an individual driver', () => {
    it('refuses a decision from owner-not-found: no recorded legal ground', () => {
      caseSpec().given(notFound).when(decidePenalty(notFound)).thenThrows(NoLegalGroundError);
    });
    it('refuses a decision before the record', () => {
      caseSpec().given(noticed).when(decidePenalty(noticed)).thenThrows(ViolationRecordRequiredError);
    });
    it('refuses a decision naming another offender than the record', () => {
      const recorded = after(noticed, drawRecord(noticed));
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { offender: { kind: 'individual', ref: 'someone-else' } }))
        .thenThrows(OffenderMismatchError);
    });
    it('decides against an organisation owner that names nobody at double the fine and without points', () => {
      const entry = carViolation();
      const orgNoticed = notice(ownedBy(ORG));
      const orgRecorded = after(orgNoticed, drawRecord(orgNoticed, { offender: ORG }));
      caseSpec()
        .given(orgRecorded)
        .when(decidePenalty(orgRecorded, { offender: ORG, fineVnd: entry.fineMinVnd * 2, points: 0 }))
        .thenEvents((evs) => expect(types(evs)).to.deep.equal(['PenaltyDecided']));
      if (entry.points > 0) {
        caseSpec()
          .given(orgRecorded)
          .when(decidePenalty(orgRecorded, { offender: ORG, fineVnd: entry.fineMinVnd * 2, points: entry.points }))
          .thenThrows(LicencePointsError);
      }
    });
    it('takes the points from the driver an organisation names', () => {
      const entry = carViolation();
      expect(entry.points).to.be.greaterThan(0);
      const orgNoticed = notice(ownedBy(ORG));
      const named = after(orgNoticed, caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' }));
      const recorded = after(named, drawRecord(named, { offender: DRIVER }));
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { offender: DRIVER }))
        .thenEvents(([event]) => {
          expect(event?.type === 'PenaltyDecided' && event.data.signoff.points).to.equal(entry.points);
        });
      // Points other than the catalog's from an individual driver are still refused.
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { offender: DRIVER, points: 0 }))
        .thenThrows(PenaltyTermsMismatchError);
    });
  });

  describe('PaymentRecorded (10 days; 0.05% of the fine per day late, rounded down)', () => {
    const entry = carViolation();
    const recorded = after(noticed, drawRecord(noticed));
    const decided = after(recorded, decidePenalty(recorded)); // decided 2026-03-20: due to 24:00 on 30 March
    const pay = (amountVnd: number, now: string) =>
      caseCommand({ type: 'RecordPayment', paymentRef: 'pay-1', amountVnd, channel: 'state-treasury', now });
    it('records a payment within the period without surcharge', () => {
      caseSpec()
        .given(decided)
        .when(pay(entry.fineMinVnd, '2026-03-30T16:59:59.999Z'))
        .then([
          {
            type: 'PaymentRecorded',
            data: {
              paymentRef: 'pay-1',
              amountVnd: entry.fineMinVnd,
              fineVnd: entry.fineMinVnd,
              surchargeVnd: 0,
              daysLate: 0,
              dueEndsAt: '2026-03-30T17:00:00.000Z',
              channel: 'state-treasury',
              paidAt: '2026-03-30T16:59:59.999Z',
            },
          },
        ]);
    });
    it('adds 0.05% of the fine per day late, and refuses the fine alone after the period', () => {
      const surcharge = Math.floor((entry.fineMinVnd * 5 * 5) / 10_000);
      caseSpec().given(decided).when(pay(entry.fineMinVnd, '2026-04-04T03:00:00.000Z')).thenThrows(PaymentAmountMismatchError);
      caseSpec()
        .given(decided)
        .when(pay(entry.fineMinVnd + surcharge, '2026-04-04T03:00:00.000Z'))
        .thenEvents(([event]) => {
          expect(event?.type === 'PaymentRecorded' && [event.data.daysLate, event.data.surchargeVnd]).to.deep.equal([
            5,
            surcharge,
          ]);
        });
    });
    it('rounds the surcharge down to whole đồng', () => {
      expect(lateSurchargeVnd(1_000_001, 1)).to.equal(500);
      expect(lateSurchargeVnd(18_000_000, 3)).to.equal(27_000);
      expect(lateSurchargeVnd(Number.MAX_SAFE_INTEGER, 1000)).to.be.a('number');
    });
    describe('recorded by the payment gateway when the bank\'s signed callback verified', () => {
      const gateway = { kind: 'service' as const, id: 'payment-gateway' };
      const portalPay = (amountVnd: number, now: string, actor: CaseCommand['actor'] = gateway, paymentRef = 'p-1') =>
        caseCommand({ type: 'RecordPayment', paymentRef, gatewayRef: 'bank-0001', amountVnd, channel: 'vietqr', now, actor });
      const LATE = '2026-04-04T03:00:00.000Z'; // 5 days after the period
      const total = entry.fineMinVnd + lateSurchargeVnd(entry.fineMinVnd, 5);
      it('records PaymentRecorded with the surcharge the decider computes and the bank reference; the case is paid', () => {
        caseSpec()
          .given(decided)
          .when(portalPay(total, LATE))
          .then([
            {
              type: 'PaymentRecorded',
              data: {
                paymentRef: 'p-1',
                gatewayRef: 'bank-0001',
                amountVnd: total,
                fineVnd: entry.fineMinVnd,
                surchargeVnd: total - entry.fineMinVnd,
                daysLate: 5,
                dueEndsAt: '2026-03-30T17:00:00.000Z',
                channel: 'vietqr',
                paidAt: LATE,
              },
            },
          ]);
        const paid = after(decided, portalPay(total, LATE));
        expect(fold(caseDecider, paid)).to.include({ status: 'paid', paidVnd: total });
      });
      it('records nothing twice: a replayed callback (same payment and amount) is a no-op; another payment is refused', () => {
        const paid = after(decided, portalPay(total, LATE));
        caseSpec().given(paid).when(portalPay(total, LATE)).thenNothing();
        caseSpec().given(paid).when(portalPay(total, LATE, gateway, 'p-2')).thenThrows(InvalidCaseTransitionError);
        caseSpec().given(paid).when(pay(total, LATE)).thenThrows(InvalidCaseTransitionError);
      });
      it('refuses an amount other than the fine plus today\'s surcharge', () => {
        caseSpec().given(decided).when(portalPay(entry.fineMinVnd, LATE)).thenThrows(PaymentAmountMismatchError);
      });
      it('refuses a citizen, another service, a device or the system', () => {
        for (const actor of [
          { kind: 'citizen' as const, id: 'holder-0123456789abcdef' },
          { kind: 'service' as const, id: 'media-worker' },
          { kind: 'device' as const, id: 'cam-01' },
          { kind: 'system' as const, id: 'system' },
        ])
          caseSpec().given(decided).when(portalPay(total, LATE, actor)).thenThrows(ActorNotAllowedError);
      });
    });
    it('refuses an unknown channel and a payment before any decision', () => {
      caseSpec()
        .given(decided)
        .when({ ...pay(entry.fineMinVnd, DECIDED_AT), channel: 'crypto' } as never)
        .thenThrows(InvalidCommandError);
      caseSpec().given(recorded).when(pay(entry.fineMinVnd, DECIDED_AT)).thenThrows(InvalidCaseTransitionError);
    });
  });
});
