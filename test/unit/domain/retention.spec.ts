/**
 * The retention decider, given/when/then: holds placed and lifted, destruction only when due and unheld
 * (placed hold, open case, pending appeal), idempotent repeats, and `destroyedEvidence` for verifiers.
 */
import { expect } from 'chai';
import { SignoffSignatureInvalidError, TimestampInFutureError } from '../../../src/domain/case/errors.ts';
import { OfficerKeyNotInForceError, OfficerNotEnrolledError } from '../../../src/domain/officer/errors.ts';
import type { OfficerView } from '../../../src/domain/officer/view.ts';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import { buildHoldSignoff, keyPairFromLabel, signSignoff, type HoldSignoffInput } from '../../../src/domain/signoff/index.ts';
import {
  CourtHoldLiftError,
  destroyedEvidence,
  HoldOrderInvalidError,
  type HoldOrder,
  type HoldOrderRecord,
  EvidenceUnderHoldError,
  LegalHoldAlreadyPlacedError,
  LegalHoldNotFoundError,
  parseRetentionEvent,
  policyInForce,
  RetentionNotApplicableError,
  RetentionNotDueError,
  retentionDecider,
  type CaseRetentionFacts,
  type RetentionCommand,
  type RetentionEvent,
  type RetentionPolicy,
} from '../../../src/domain/retention/index.ts';
import { spec } from '../../support/given-when-then.ts';

const CASE = '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60';
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const D = `sha256:${'d'.repeat(64)}`;
const ENDED = '2026-03-12T00:00:00.000Z';
const basis = { instrument: 'test', verified: false };
const POLICIES: RetentionPolicy[] = [
  { id: 'rejected-detection/2026-01-01', category: 'rejected-detection', effectiveFrom: '2026-01-01', retainDays: 365, legalBasis: basis },
  { id: 'closed-case/2026-01-01', category: 'closed-case', effectiveFrom: '2026-01-01', retainDays: 3650, legalBasis: basis },
  { id: 'closed-case/2028-01-01', category: 'closed-case', effectiveFrom: '2028-01-01', retainDays: 1000, legalBasis: basis },
  { id: 'derived-media/2026-01-01', category: 'derived-media', effectiveFrom: '2026-01-01', retainDays: 30, legalBasis: basis },
];
const officer = { actor: { kind: 'officer' as const, id: 'off-01-0001' }, province: '01' };
const court = { actor: { kind: 'officer' as const, id: 'court:tand-hn-01' }, province: '01' };
const KEY = keyPairFromLabel('off-01-0001');
const OTHER_KEY = keyPairFromLabel('someone-else');
const officerView: OfficerView = {
  officerId: 'off-01-0001',
  province: '01',
  title: 'cand-bo',
  roles: ['reviewer'],
  status: 'active',
  keys: [{ keyId: KEY.keyId, publicKey: KEY.publicKey, validFrom: '2026-01-01T00:00:00.000Z' }],
};
/** An officer's signed hold order over exactly these fields. */
const signedOrder = (fields: Omit<HoldSignoffInput, 'caseId' | 'signedAt'>, signedAt = '2026-04-01T00:00:00.000Z', key = KEY): HoldOrder => ({
  kind: 'signed',
  ...signSignoff(buildHoldSignoff({ caseId: CASE, signedAt, ...fields }), key.secretKey),
  officer: officerView,
});
const PLACE = { action: 'place', holdId: 'h-1', authority: 'court', reference: 'QĐ 12/2026', reason: 'Court request' } as const;
const LIFT = { action: 'lift', holdId: 'h-1', authority: 'court', reference: 'QĐ 20/2026', reason: 'Judgment final' } as const;
const system = { actor: { kind: 'system' as const, id: 'retention' }, province: '01' };

const facts = (over: Partial<CaseRetentionFacts> = {}): CaseRetentionFacts => ({
  caseId: CASE,
  status: 'ended',
  endedAt: ENDED,
  rejected: true,
  appealPending: false,
  originals: [A, B],
  derived: [D],
  ...over,
});
const destroy = (now: string, digest = A, f = facts()): RetentionCommand => ({
  type: 'DestroyEvidence',
  caseId: CASE,
  digest,
  facts: f,
  policies: POLICIES,
  now,
  ...system,
});
const hold = (now = '2026-04-01T00:00:00.000Z', order: HoldOrder = signedOrder(PLACE)): RetentionCommand => ({
  type: 'PlaceLegalHold',
  caseId: CASE,
  holdId: 'h-1',
  authority: 'court',
  reference: 'QĐ 12/2026',
  reason: 'Court request',
  order,
  now,
  ...officer,
});
const lift = (order: HoldOrder = signedOrder(LIFT, '2026-05-01T00:00:00.000Z'), authority: 'court' | 'officer' = 'court'): RetentionCommand => ({
  type: 'LiftLegalHold',
  caseId: CASE,
  holdId: 'h-1',
  authority,
  reference: 'QĐ 20/2026',
  reason: 'Judgment final',
  order,
  now: '2026-05-01T00:00:00.000Z',
  ...officer,
});
const { officer: _view, ...signedFields } = signedOrder(PLACE) as Extract<HoldOrder, { kind: 'signed' }>;
const storedOrder = signedFields as HoldOrderRecord;
const placed: RetentionEvent = {
  type: 'LegalHoldPlaced',
  data: { caseId: CASE, holdId: 'h-1', authority: 'court', reference: 'QĐ 12/2026', reason: 'Court request', placedAt: '2026-04-01T00:00:00.000Z', order: storedOrder },
};
/** A hold recorded before holds were signed: still read. */
const legacyPlaced: RetentionEvent = {
  type: 'LegalHoldPlaced',
  data: { caseId: CASE, holdId: 'h-1', authority: 'court', reference: 'QĐ 12/2026', reason: 'Court request', placedAt: '2026-04-01T00:00:00.000Z' },
};
const lifted: RetentionEvent = {
  type: 'LegalHoldLifted',
  data: { caseId: CASE, holdId: 'h-1', reason: 'Judgment final', liftedAt: '2026-05-01T00:00:00.000Z' },
};
const DUE = '2027-03-12T00:00:00.000Z';
const destroyedA: RetentionEvent = {
  type: 'EvidenceDestroyed',
  data: { caseId: CASE, digest: A, role: 'original', category: 'rejected-detection', policy: 'rejected-detection/2026-01-01', legalBasis: basis, destroyedAt: DUE },
};

const retention = () => spec(retentionDecider, { parse: (e) => parseRetentionEvent(e) });

describe('retention decider', () => {
  describe('legal holds', () => {
    it("given no hold, when an officer places one with a signed hold/v1 sign-off, then LegalHoldPlaced carrying the sign-off", () => {
      retention().given([]).when(hold()).then([placed]);
    });
    it("given no hold, when a court requests one, then LegalHoldPlaced recorded as the court's request", () => {
      retention()
        .given([])
        .when({ ...hold(undefined, { kind: 'court-request' }), ...court })
        .then([{ ...placed, data: { ...placed.data, order: { kind: 'court-request' } } } as RetentionEvent]);
    });
    it('a court request under authority officer is refused', () => {
      retention()
        .given([])
        .when({ ...hold(undefined, { kind: 'court-request' }), authority: 'officer', ...court } as RetentionCommand)
        .thenThrows(HoldOrderInvalidError);
    });
    it('an officer hold without a sign-off is refused', () => {
      retention()
        .given([])
        .when({ ...hold(), order: undefined } as unknown as RetentionCommand)
        .thenThrows(HoldOrderInvalidError);
    });
    it('a sign-off signed by another key is refused (key not in force)', () => {
      retention().given([]).when(hold(undefined, signedOrder(PLACE, undefined, OTHER_KEY))).thenThrows(OfficerKeyNotInForceError);
    });
    it('a forged signature is refused', () => {
      type Signed = Extract<HoldOrder, { kind: 'signed' }>;
      const other = signedOrder({ ...PLACE, reason: 'other' }) as Signed;
      const forged: HoldOrder = { ...(signedOrder(PLACE) as Signed), signature: other.signature };
      retention().given([]).when(hold(undefined, forged)).thenThrows(SignoffSignatureInvalidError);
    });
    it('a sign-off naming another hold order (other reference) is refused', () => {
      retention().given([]).when(hold(undefined, signedOrder({ ...PLACE, reference: 'QĐ 99/2026' }))).thenThrows(HoldOrderInvalidError);
    });
    it('a sign-off for lifting is not accepted for placing', () => {
      retention().given([]).when(hold(undefined, signedOrder({ ...PLACE, action: 'lift' }))).thenThrows(HoldOrderInvalidError);
    });
    it('a sign-off dated in the future is refused', () => {
      retention().given([]).when(hold(undefined, signedOrder(PLACE, '2026-04-02T00:00:00.000Z'))).thenThrows(TimestampInFutureError);
    });
    it('a sign-off by an officer who is not enrolled is refused', () => {
      retention()
        .given([])
        .when(hold(undefined, { ...signedOrder(PLACE), officer: undefined } as HoldOrder))
        .thenThrows(OfficerNotEnrolledError);
    });
    it("given a court's hold, when an officer lifts it on their own authority, then refused; with the court's order, lifted", () => {
      retention()
        .given([placed])
        .when(lift(signedOrder({ ...LIFT, authority: 'officer' }, '2026-05-01T00:00:00.000Z'), 'officer'))
        .thenThrows(CourtHoldLiftError);
      retention()
        .given([placed])
        .when(lift())
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).to.deep.equal(['LegalHoldLifted']);
          expect(events[0]!.data).to.deep.include({ authority: 'court', reference: 'QĐ 20/2026' });
          expect((events[0]!.data as { order: { kind: string } }).order.kind).to.equal('signed');
        });
    });
    it('a hold recorded before holds were signed is still read, and lifted by a signed order', () => {
      retention()
        .given([legacyPlaced])
        .when(lift())
        .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['LegalHoldLifted']));
    });
    it('given the same hold, when placed again, then nothing', () => {
      retention().given([placed]).when(hold()).thenNothing();
    });
    it('given a lifted hold, when its id is placed again, then refused', () => {
      retention().given([placed, lifted]).when(hold()).thenThrows(LegalHoldAlreadyPlacedError);
    });
    it('given no hold, when lifting one, then refused', () => {
      retention().given([]).when(lift()).thenThrows(LegalHoldNotFoundError);
    });
    it('a device may not place a hold', () => {
      retention()
        .given([])
        .when({ ...hold(), actor: { kind: 'device', id: 'cam-1' } } as RetentionCommand)
        .thenThrows(ActorNotAllowedError);
    });
  });

  describe('destruction', () => {
    it('given an ended rejected case past its period, when destroyed, then EvidenceDestroyed with policy and basis', () => {
      const state = retention().given([]).when(destroy(DUE)).then([destroyedA]);
      expect(state.destroyed[A]).to.deep.equal({ policy: 'rejected-detection/2026-01-01', basis, at: DUE });
    });
    it('one millisecond before the period runs out, then RetentionNotDueError', () => {
      retention().given([]).when(destroy('2027-03-11T23:59:59.999Z')).thenThrows(RetentionNotDueError);
    });
    it('given a placed hold, then EvidenceUnderHoldError; once lifted, destroyed', () => {
      retention().given([placed]).when(destroy(DUE)).thenThrows(EvidenceUnderHoldError);
      retention().given([placed, lifted]).when(destroy(DUE)).then([destroyedA]);
    });
    it('an open case holds automatically', () => {
      const open = facts({ status: 'open' });
      delete (open as { endedAt?: string }).endedAt;
      retention().given([]).when(destroy('2040-01-01T00:00:00.000Z', A, open)).thenThrows(EvidenceUnderHoldError);
    });
    it('a pending appeal holds automatically', () => {
      retention().given([]).when(destroy('2040-01-01T00:00:00.000Z', A, facts({ appealPending: true }))).thenThrows(EvidenceUnderHoldError);
    });
    it('given it was destroyed, when destroyed again, then nothing', () => {
      retention().given([destroyedA]).when(destroy('2028-01-01T00:00:00.000Z')).thenNothing();
    });
    it('a digest that is not evidence of the case is refused', () => {
      retention().given([]).when(destroy(DUE, `sha256:${'e'.repeat(64)}`)).thenThrows(RetentionNotApplicableError);
    });
    it('derived media follow the derived-media policy', () => {
      retention()
        .given([])
        .when(destroy('2026-04-11T00:00:00.000Z', D))
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).to.deep.equal(['EvidenceDestroyed']);
          expect((events[0]!.data as { policy: string; role: string })).to.deep.include({ policy: 'derived-media/2026-01-01', role: 'derived' });
        });
    });
    it('a confirmed (not rejected) case follows the closed-case policy in force at the run', () => {
      const confirmed = facts({ rejected: false });
      retention().given([]).when(destroy(DUE, A, confirmed)).thenThrows(RetentionNotDueError);
      // From 2028 the newer closed-case policy (1000 days) is in force.
      retention()
        .given([])
        .when(destroy('2028-12-06T00:00:00.000Z', A, confirmed))
        .thenEvents((events) => expect((events[0]!.data as { policy: string }).policy).to.equal('closed-case/2028-01-01'));
    });
    it('only system or service actors destroy', () => {
      retention().given([]).when({ ...destroy(DUE), ...officer }).thenThrows(ActorNotAllowedError);
    });
  });

  it('policyInForce picks the newest policy effective on the day', () => {
    expect(policyInForce(POLICIES, 'closed-case', '2027-12-31T23:59:59.000Z')?.id).to.equal('closed-case/2026-01-01');
    expect(policyInForce(POLICIES, 'closed-case', '2028-01-01T00:00:00.000Z')?.id).to.equal('closed-case/2028-01-01');
    expect(policyInForce(POLICIES, 'closed-case', '2025-12-31T00:00:00.000Z')).to.equal(undefined);
  });

  it('destroyedEvidence maps digests of retention records only', () => {
    const records = [
      { stream: `retention-${CASE}`, ...destroyedA },
      { stream: `case-${CASE}`, type: 'EvidenceDestroyed', data: { ...destroyedA.data, digest: B } },
      { stream: `custody-${CASE}`, type: 'EvidenceAccessed', data: { digest: A } },
    ];
    const map = destroyedEvidence(records);
    expect([...map.entries()]).to.deep.equal([[A, { policy: 'rejected-detection/2026-01-01', basis, at: DUE }]]);
  });
});
