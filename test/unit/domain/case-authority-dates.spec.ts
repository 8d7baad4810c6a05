/**
 * The decider checks authority under the table in force on the decision date (Viet Nam calendar day):
 * Decree 168/2024 Art. 43 until 2025-06-30, Decree 189/2025 Art. 8 from 2025-07-01. A commune police chief
 * may not decide a car red light (max 20M) under Art. 43 (2.5M) but may under Decree 189 (50% of 75M).
 */
import { caseDecider } from '../../../src/domain/case/decider.ts';
import { AuthorityExceededError } from '../../../src/domain/case/errors.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import { fold } from '../../../src/domain/decider.ts';
import { expect } from 'chai';
import { spec } from '../../support/given-when-then.ts';
import {
  calibrationCertified,
  cameraRegistered,
  cameraWith,
  carViolation,
  caseCommand,
  confirmReview,
  decidePenalty,
  drawRecord,
  officer,
  recordDetection,
  violationDetected,
} from './case-fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];

const OBSERVED = '2025-06-20T01:00:00.000Z';
const earlyCamera = cameraWith([
  cameraRegistered('2025-01-01T00:00:00.000Z'),
  calibrationCertified('2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
]);
const ENROLLED = '2025-01-02T00:00:00.000Z';
const reviewerEarly = officer('off-01-0101', { enrolledAt: ENROLLED });
const communeChief = officer('off-01-0102', { title: 'commune-police-chief', enrolledAt: ENROLLED });
const director = officer('off-01-0103', { title: 'provincial-police-director', enrolledAt: ENROLLED });
const entry = carViolation('2025-06-20');

const detection = recordDetection(
  { observedAt: OBSERVED, violationCode: entry.code },
  { cameraView: earlyCamera, now: '2025-06-20T01:00:05.000Z' },
);
const detected = [violationDetected(detection)];
const confirmed = after(
  detected,
  confirmReview(
    detected,
    { signedAt: '2025-06-21T02:00:00.000Z', violationCode: entry.code },
    { by: reviewerEarly, now: '2025-06-21T02:00:00.000Z' },
  ),
);

/** The owner identified and notified, and the violation record drawn against `offender` (the decision's prerequisites). */
function recordedAgainst(offender: { kind: 'individual' | 'organisation'; ref: string }): CaseEvent[] {
  const owned = after(
    confirmed,
    caseCommand({ type: 'IdentifyOwner', owner: offender, registry: 'reg', now: '2025-06-22T02:00:00.000Z' }),
  );
  const noticed = after(
    owned,
    caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post', now: '2025-06-22T03:00:00.000Z' }),
  );
  return after(
    noticed,
    drawRecord(
      noticed,
      { signedAt: '2025-06-25T02:00:00.000Z', violationCode: entry.code, offender },
      { by: reviewerEarly, now: '2025-06-25T02:00:00.000Z' },
    ),
  );
}
const recorded = recordedAgainst({ kind: 'individual', ref: 'owner-0001' });
const recordedOrg = recordedAgainst({ kind: 'organisation', ref: 'org-1' });

/** 2025-06-30T16:59:59.999Z is 23:59:59.999 on 30 June in Hà Nội; one millisecond later it is 1 July. */
const LAST_INSTANT_OF_30_JUNE = '2025-06-30T16:59:59.999Z';
const FIRST_INSTANT_OF_1_JULY = '2025-06-30T17:00:00.000Z';

const decideOn = (at: string, by = communeChief) =>
  decidePenalty(
    recorded,
    {
      signedAt: at,
      violationCode: entry.code,
      fineVnd: entry.fineMinVnd,
      points: entry.points,
      legalBasis: { ...entry.legalBasis },
    },
    { by, now: at },
  );

describe('case decider: authority by the table in force on the decision date', () => {
  it('the example is a car violation whose top fine (20M) lies between 2.5M and 37.5M', () => {
    expect(entry.fineMaxVnd).to.be.greaterThan(2_500_000);
    expect(entry.fineMaxVnd).to.be.at.most(37_500_000);
  });

  it('refuses the commune police chief on 30 June 2025 (Decree 168 Art. 43.3: 2.5M)', () => {
    caseSpec().given(recorded).when(decideOn(LAST_INSTANT_OF_30_JUNE)).thenThrows(AuthorityExceededError);
    caseSpec().given(recorded).when(decideOn('2025-06-30T02:00:00.000Z')).thenThrows(AuthorityExceededError);
  });

  it('lets the commune police chief decide from 1 July 2025 (Decree 189/2025 Art. 8: 50% of 75M)', () => {
    caseSpec()
      .given(recorded)
      .when(decideOn(FIRST_INSTANT_OF_1_JULY))
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['PenaltyDecided']));
    caseSpec()
      .given(recorded)
      .when(decideOn('2025-07-01T09:00:00.000Z'))
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['PenaltyDecided']));
  });

  it('lets the provincial police director decide on both sides of the boundary', () => {
    for (const at of [LAST_INSTANT_OF_30_JUNE, FIRST_INSTANT_OF_1_JULY]) {
      caseSpec()
        .given(recorded)
        .when(decideOn(at, director))
        .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['PenaltyDecided']));
    }
  });

  it('an organisation (double fine, double limit) still needs more than the commune chief before 1 July', () => {
    const org = (at: string) =>
      decidePenalty(
        recordedOrg,
        {
          signedAt: at,
          violationCode: entry.code,
          fineVnd: entry.fineMinVnd * 2,
          // Never licence points from an organisation.
          points: 0,
          legalBasis: { ...entry.legalBasis },
          offender: { kind: 'organisation', ref: 'org-1' },
        },
        { by: communeChief, now: at },
      );
    caseSpec().given(recordedOrg).when(org(LAST_INSTANT_OF_30_JUNE)).thenThrows(AuthorityExceededError);
    caseSpec()
      .given(recordedOrg)
      .when(org(FIRST_INSTANT_OF_1_JULY))
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['PenaltyDecided']));
  });
});
