/**
 * The citizen decider (stream `citizen-<caseId>`): complaints within the legal period, payment requests with the
 * late surcharge (the case decider's computation), the check of the bank's confirmation against the request (the
 * payment itself is recorded on the case: case-procedure.spec.ts), and Idempotency-Key repeats.
 */
import { expect } from 'chai';
import {
  AlreadyPaidError,
  amountDue,
  CaseNotOpenToCitizenError,
  citizenDecider,
  ComplaintPeriodEndedError,
  confirmedPayment,
  IdempotencyKeyReusedError,
  NothingToPayError,
  parseCitizenEvent,
  PaymentAmountMismatchError,
  PaymentNotRequestedError,
  type CaseFactsForCitizen,
  type CitizenCommand,
  type CitizenEvent,
} from '../../../src/domain/citizen/index.ts';
import { paymentDue } from '../../../src/domain/case/handlers/penalty.ts';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';

const CASE = '0a1b2c3d-0000-4000-8000-000000000001';
const citizen = { kind: 'citizen' as const, id: 'portal-5f3a' };
const bank = { kind: 'service' as const, id: 'payment-gateway' };
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const decided: CaseFactsForCitizen = { caseId: CASE, province: '01', open: true, paid: false, decision: { decidedAt: '2026-11-02T03:00:00.000Z', fineVnd: 900_000 } };
const noticed: CaseFactsForCitizen = { caseId: CASE, province: '01', open: true, paid: false };
const the = spec(citizenDecider, { parse: (e: CitizenEvent) => parseCitizenEvent(e) });

function complain(now: string, facts = decided, key = 'key-complaint-1', digest = DIGEST_A): CitizenCommand {
  return {
    type: 'FileComplaint',
    caseId: CASE,
    now,
    actor: citizen,
    province: '01',
    context: { case: facts },
    complaintId: 'c-1',
    kind: 'appeal',
    grounds: 'Xe của tôi không đi qua đó lúc này',
    attachments: [{ digest: DIGEST_B, mediaType: 'image/jpeg', size: 1234, role: 'citizen-attachment' }],
    idempotencyKey: key,
    requestDigest: digest,
  };
}

function request(now: string, facts = decided, key = 'key-payment-1'): CitizenCommand {
  return { type: 'RequestPayment', caseId: CASE, now, actor: citizen, province: '01', context: { case: facts }, paymentId: 'p-1', reference: '0A1B2C3D/QD-XPHC', idempotencyKey: key, requestDigest: DIGEST_A };
}

describe('citizen decider', () => {
  describe('complaints', () => {
    it('files an appeal within 90 days of the decision, with a reference for the receipt', () => {
      the.given([]).when(complain('2026-12-01T00:00:00.000Z')).thenEvents((events) => {
        expect(events).to.have.length(1);
        const e = events[0]!;
        expect(e.type).to.equal('ComplaintFiled');
        expect(e.data).to.include({ reference: 'KN-0A1B2C3D-01', kind: 'appeal', filedAt: '2026-12-01T00:00:00.000Z' });
      });
    });

    it('refuses after the 90 days, counted as every period (a closing weekend moves to the next working day)', () => {
      // Decided 2 November 2026: the 90th day is Sunday 31 January 2027, so the period runs to Monday 1 February.
      the.given([]).when(complain('2027-02-01T00:00:00.000Z')).thenEvents((e) => expect(e).to.have.length(1));
      the.given([]).when(complain('2027-02-01T17:00:00.000Z')).thenThrows(ComplaintPeriodEndedError);
    });

    it('allows a complaint before any decision, and refuses one on a case that is not open', () => {
      the.given([]).when(complain('2027-06-01T00:00:00.000Z', noticed)).thenEvents((e) => expect(e).to.have.length(1));
      the.given([]).when(complain('2026-12-01T00:00:00.000Z', { ...noticed, open: false })).thenThrows(CaseNotOpenToCitizenError);
    });

    it('a repeat with the same key and request is a no-op; another request under the key is refused', () => {
      const [filed] = citizenDecider.decide(complain('2026-12-01T00:00:00.000Z'), citizenDecider.initialState());
      the.given([filed!]).when(complain('2026-12-01T00:01:00.000Z')).thenNothing();
      the.given([filed!]).when(complain('2026-12-01T00:01:00.000Z', decided, 'key-complaint-1', DIGEST_B)).thenThrows(IdempotencyKeyReusedError);
    });

    it('numbers the second complaint 02', () => {
      const [filed] = citizenDecider.decide(complain('2026-12-01T00:00:00.000Z'), citizenDecider.initialState());
      the.given([filed!]).when({ ...complain('2026-12-02T00:00:00.000Z', decided, 'key-complaint-2', DIGEST_B), complaintId: 'c-2' } as CitizenCommand)
        .thenEvents((events) => expect(events[0]!.data).to.include({ reference: 'KN-0A1B2C3D-02' }));
    });

    it('only a citizen files one', () => {
      the.given([]).when({ ...complain('2026-12-01T00:00:00.000Z'), actor: bank } as CitizenCommand).thenThrows(ActorNotAllowedError);
    });
  });

  describe('payments', () => {
    it('the amount is the fine alone within 10 days, plus 0.05% per day after', () => {
      expect(amountDue(900_000, '2026-11-02T03:00:00.000Z', '2026-11-12T10:00:00.000Z')).to.include({ payBy: '2026-11-12', surchargeVnd: 0, totalVnd: 900_000 });
      // 8 days late: 900,000 × 0.0005 × 8 = 3,600.
      expect(amountDue(900_000, '2026-11-02T03:00:00.000Z', '2026-11-20T03:00:00.000Z')).to.include({ daysLate: 8, surchargeVnd: 3_600, totalVnd: 903_600 });
    });

    it('requests the amount due with the surcharge', () => {
      the.given([]).when(request('2026-11-20T03:00:00.000Z')).thenEvents((events) => {
        expect(events[0]!.data).to.include({ fineVnd: 900_000, surchargeVnd: 3_600, totalVnd: 903_600 });
      });
    });

    it('refuses before a decision', () => {
      the.given([]).when(request('2026-11-20T03:00:00.000Z', noticed)).thenThrows(NothingToPayError);
    });

    it('checks a bank confirmation against the request (exact amount) before the case records it; refuses a request once the case is paid', () => {
      const [requested] = citizenDecider.decide(request('2026-11-20T03:00:00.000Z'), citizenDecider.initialState());
      const state = the.given([requested!]).state;
      expect(() => confirmedPayment(state, 'p-1', 900_000)).to.throw(PaymentAmountMismatchError);
      expect(() => confirmedPayment(state, 'p-2', 903_600)).to.throw(PaymentNotRequestedError);
      expect(() => confirmedPayment(citizenDecider.initialState(), 'p-1', 903_600)).to.throw(PaymentNotRequestedError);
      expect(confirmedPayment(state, 'p-1', 903_600)).to.include({ paymentId: 'p-1', totalVnd: 903_600, surchargeVnd: 3_600 });
      the.given([requested!]).when(request('2026-11-21T03:00:00.000Z', { ...decided, paid: true }, 'key-payment-2')).thenThrows(AlreadyPaidError);
    });

    it('asks for exactly what the case decider accepts (one computation: the case handler\'s paymentDue)', () => {
      for (const now of ['2026-11-12T16:59:59.999Z', '2026-11-12T17:00:00.000Z', '2026-12-25T03:00:00.000Z']) {
        const due = paymentDue(900_000, '2026-11-02T03:00:00.000Z', now);
        expect(amountDue(900_000, '2026-11-02T03:00:00.000Z', now)).to.deep.equal({ fineVnd: 900_000, surchargeVnd: due.surchargeVnd, totalVnd: due.totalVnd, payBy: due.due.lastDay, daysLate: due.daysLate });
      }
    });
  });
});
