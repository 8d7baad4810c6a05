/**
 * Hostile input: whatever garbage arrives in a command's fields, the deciders answer with events or a typed
 * AppError — never a TypeError or another untyped crash — and `evolve` folds whatever they produce.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { cameraDecider } from '../../../src/domain/camera/decider.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import { fold, type Decider } from '../../../src/domain/decider.ts';
import { officerDecider } from '../../../src/domain/officer/decider.ts';
import { AppError } from '../../../src/domain/shared/errors.ts';
import { confirmReview, decidePenalty, recordDetection, violationDetected } from './case-fixtures.ts';

function answersTyped<C, E, S>(decider: Decider<C, E, S>, command: C, state: S): void {
  try {
    const events = decider.decide(command, state);
    let s = state;
    for (const e of events) s = decider.evolve(s, e);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

const junk = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.constant('__proto__'),
  fc.constant({ toString: 'x' }),
);

describe('deciders under hostile input', () => {
  const detected: CaseEvent[] = [violationDetected()];
  const caseState = fold(caseDecider, detected);
  const templates: CaseCommand[] = [recordDetection(), confirmReview(detected), decidePenalty(detected)];

  it('the case decider throws only AppErrors when any field of a command is replaced by junk', () => {
    fc.assert(
      fc.property(
        fc.nat(templates.length - 1),
        fc.string(),
        junk,
        fc.boolean(),
        (i, _seed, value, onEmpty) => {
          const template = templates[i]!;
          const keys = Object.keys(template);
          const key = keys[Math.abs(_seed.length) % keys.length]!;
          const command = { ...template, [key]: value } as CaseCommand;
          answersTyped(caseDecider, command, onEmpty ? caseDecider.initialState() : caseState);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('the case decider throws only AppErrors when a signed payload field is replaced by junk', () => {
    fc.assert(
      fc.property(fc.nat(templates.length - 1), fc.nat(), junk, (i, pick, value) => {
        const template = templates[i]!;
        const payloadKey = template.type === 'RecordDetection' ? 'detection' : 'signoff';
        const payload = (template as unknown as Record<string, Record<string, unknown>>)[payloadKey]!;
        const keys = Object.keys(payload);
        const command = {
          ...template,
          [payloadKey]: { ...payload, [keys[pick % keys.length]!]: value },
        } as CaseCommand;
        answersTyped(
          caseDecider,
          command,
          template.type === 'RecordDetection' ? caseDecider.initialState() : caseState,
        );
      }),
      { numRuns: 400 },
    );
  });

  it('camera and officer deciders throw only AppErrors on junk commands', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), junk),
        fc.constantFrom('RegisterCamera', 'RotateDeviceKey', 'EnrollOfficer', 'RevokeOfficerKey'),
        (fields, type) => {
          const command = {
            now: '2026-01-01T00:00:00Z',
            actor: { kind: 'officer', id: 'a' },
            province: '01',
            ...fields,
            type,
          };
          if (type.endsWith('Officer') || type.includes('OfficerKey'))
            answersTyped(officerDecider, command as never, officerDecider.initialState());
          else answersTyped(cameraDecider, command as never, cameraDecider.initialState());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the untouched templates valid (so the properties above exercise deep rules, not just parsing)', () => {
    expect(caseDecider.decide(templates[0]!, caseDecider.initialState()).map((e) => e.type)).to.deep.equal([
      'ViolationDetected',
    ]);
    expect(caseDecider.decide(templates[1]!, caseState).map((e) => e.type)).to.deep.equal([
      'ReviewConfirmed',
    ]);
  });
});

describe('evolve over any history', () => {
  it('never throws, whatever order valid events arrive in', () => {
    const detected: CaseEvent[] = [violationDetected()];
    const state = fold(caseDecider, detected);
    const confirmed = [...detected, ...caseDecider.decide(confirmReview(detected), state)];
    const pool: CaseEvent[] = [
      ...confirmed,
      {
        type: 'OwnerIdentified',
        data: {
          owner: { kind: 'individual', ref: 'o-1' },
          registry: 'r',
          identifiedAt: '2026-03-12T00:00:00.000Z',
        },
      },
      {
        type: 'NoticeIssued',
        data: { noticeId: 'n-1', channel: 'post', issuedAt: '2026-03-12T00:00:00.000Z' },
      },
      { type: 'NoticeDelivered', data: { noticeId: 'n-1', deliveredAt: '2026-03-13T00:00:00.000Z' } },
      { type: 'PenaltyPaid', data: { paymentRef: 'p-1', amountVnd: 1, paidAt: '2026-03-14T00:00:00.000Z' } },
      { type: 'AppealFiled', data: { appealId: 'a-1', grounds: 'g', filedAt: '2026-03-15T00:00:00.000Z' } },
      {
        type: 'AppealResolved',
        data: {
          appealId: 'a-1',
          outcome: 'upheld',
          reason: 'r',
          resolvedBy: 'o',
          resolvedAt: '2026-03-16T00:00:00.000Z',
        },
      },
      { type: 'CaseClosed', data: { reason: 'paid', closedAt: '2026-03-17T00:00:00.000Z' } },
      {
        type: 'CaseExpired',
        data: {
          observedAt: '2026-03-10T01:00:00.000Z',
          limitationEndsAt: '2027-03-10T01:00:00.000Z',
          expiredAt: '2027-03-10T01:00:00.000Z',
        },
      },
      {
        type: 'CaseFlagged',
        data: { flag: { flag: 'manual', detail: 'd' }, flaggedAt: '2026-03-11T00:00:00.000Z' },
      },
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 30 }), (events) => {
        const folded = fold(caseDecider, events);
        const first = events.findIndex((e) => e.type === 'ViolationDetected');
        // Every event from the first ViolationDetected on counts in the revision; before it nothing exists.
        if (first === -1) expect(folded.status).to.equal('none');
        else if (folded.status !== 'none') expect(folded.revision).to.equal(events.length - first - 1);
      }),
      { numRuns: 300 },
    );
  });
});
