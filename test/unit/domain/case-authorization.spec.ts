/**
 * Issue 10, item 1: every case command passes ONE authorisation rule (src/domain/case/authorization.ts).
 * Table-driven given/when/then: every case command × every actor state → refused with its error class, and the
 * allowed actor → succeeds. Plus the signed appeal resolution (`appeal/v1`): purpose, signature, content,
 * and the resolving officer's authority over the fine.
 */
import { expect } from 'chai';
import { CASE_COMMAND_AUTHORITY } from '../../../src/domain/case/authorization.ts';
import { holderId } from '../../../src/domain/case/citizen-rules.ts';
import { plateKey } from '../../../src/domain/case/plate-key.ts';
import {
  CASE_COMMAND_TYPES,
  type CaseCommand,
  type CaseCommandType,
} from '../../../src/domain/case/commands.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import {
  AuthorityExceededError,
  NotTheVehicleHolderError,
  SignoffContentMismatchError,
  SignoffPurposeError,
  SignoffSignatureInvalidError,
} from '../../../src/domain/case/errors.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import { fold } from '../../../src/domain/decider.ts';
import {
  OfficerIdentityMismatchError,
  OfficerKeyNotInForceError,
  OfficerLacksRoleError,
  OfficerNotActiveError,
  OfficerNotEnrolledError,
  OfficerOutsideProvinceError,
} from '../../../src/domain/officer/errors.ts';
import type { Actor } from '../../../src/domain/record.ts';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import { buildDecisionSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  CASE_ID,
  DECIDED_AT,
  OVERVIEW,
  PLATE,
  PLATE_CROP,
  REVIEWED_AT,
  carViolation,
  caseCommand,
  confirmReview,
  decidePenalty,
  drawRecord,
  transferCase,
  model,
  officer,
  rejectReview,
  resolveAppeal,
  reviewer,
  violationDetected,
  voidCase,
  type TestOfficer,
} from './case-fixtures.ts';
import { HCMC, deviceActor, serviceActor, strangerKey, systemActor } from './fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];
const SUSPENDED_AT = '2026-02-01T00:00:00.000Z';

// ---- the world ---------------------------------------------------------------------------------------------
const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const ownerIdentified = after(
  confirmed,
  caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg' }),
);
const noticed = after(
  ownerIdentified,
  caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }),
);
const recorded = after(noticed, drawRecord(noticed));
const unresponsive = after(
  noticed,
  caseCommand({
    type: 'RecordOwnerUnresponsive',
    noticeId: 'ntc-1',
    now: '2026-04-30T00:00:00.000Z',
    actor: { kind: 'service', id: 'procedure-schedule' },
  }),
);
const decided = after(recorded, decidePenalty(recorded));
const paid = after(
  decided,
  caseCommand({
    type: 'RecordPayment',
    paymentRef: 'pay-1',
    amountVnd: carViolation().fineMinVnd,
    channel: 'state-treasury',
  }),
);
const appealed = after(
  decided,
  caseCommand({ type: 'FileAppeal', appealId: 'apl-1', grounds: 'not my car' }),
);

/** Actor states: each an officer (with its view) or a non-officer actor. */
const suspended = officer('off-01-0002', {
  extra: () => [
    {
      type: 'OfficerSuspended',
      data: { officerId: 'off-01-0002', reason: 'inquiry', suspendedAt: SUSPENDED_AT },
    },
  ],
});
const revokedKey = officer('off-01-0003', {
  extra: (key) => [
    {
      type: 'OfficerKeyRevoked',
      data: { officerId: 'off-01-0003', keyId: key.keyId, reason: 'device lost', revokedAt: SUSPENDED_AT },
    },
  ],
});
const wrongRole = officer('off-01-0004', { roles: ['analyst', 'auditor'] });
const otherProvince = officer('off-79-0001', { province: HCMC });

/** One row per case command: a history it succeeds on, and the command as a given officer would issue it. */
interface Row {
  history: CaseEvent[];
  by: (who: TestOfficer) => CaseCommand;
  signed: boolean;
}
const plain = (history: CaseEvent[], fields: object): Row => ({
  history,
  signed: false,
  by: (who) =>
    caseCommand({
      ...(fields as CaseCommand),
      actor: who.actor,
      context: { ...(fields as { context?: object }).context, officer: who.view },
    } as never),
});
const THUMB = `sha256:${'5'.repeat(64)}`;
// ReceiveCase opens a case (no history) and only the federation relay service issues it: case-handover.spec.ts.
const ROWS: Record<Exclude<CaseCommandType, 'RecordDetection' | 'ReceiveCase'>, Row> = {
  RecognizePlate: plain(detected, {
    type: 'RecognizePlate',
    plate: PLATE,
    confidenceBp: 9100,
    sourceDigest: OVERVIEW,
    context: { model: model('approved') },
  }),
  DeriveEvidence: plain(detected, {
    type: 'DeriveEvidence',
    sourceDigest: OVERVIEW,
    derived: { digest: THUMB, mediaType: 'image/webp', size: 10, kind: 'thumbnail' },
    operation: 'thumbnail',
    parameters: { width: 320 },
    producer: { library: 'sharp', version: '0.34.0' },
  }),
  AttachEvidence: plain(detected, {
    type: 'AttachEvidence',
    evidence: [{ digest: THUMB, mediaType: 'image/jpeg', size: 10, role: 'context' }],
    reason: 'Second angle from the patrol car',
  }),
  FlagCase: plain(detected, { type: 'FlagCase', flag: { flag: 'manual', detail: 'ambulance?' } }),
  RecordProcessingFailure: plain(detected, {
    type: 'RecordProcessingFailure',
    job: 'media',
    jobId: 'media:1',
    reasonCode: 'undecodable',
    reason: 'the image does not decode',
    attempts: 3,
  }),
  ConfirmReview: { history: detected, signed: true, by: (who) => confirmReview(detected, {}, { by: who }) },
  RejectReview: { history: detected, signed: true, by: (who) => rejectReview(detected, {}, { by: who }) },
  IdentifyOwner: plain(confirmed, {
    type: 'IdentifyOwner',
    owner: { kind: 'individual', ref: 'owner-0001' },
    registry: 'reg',
  }),
  RecordOwnerNotFound: plain(confirmed, {
    type: 'RecordOwnerNotFound',
    registry: 'reg',
    reason: 'no vehicle',
  }),
  IssueNotice: plain(ownerIdentified, { type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }),
  RecordNoticeDelivered: plain(noticed, { type: 'RecordNoticeDelivered', noticeId: 'ntc-1' }),
  RecordNoticeDeliveryFailed: plain(noticed, {
    type: 'RecordNoticeDeliveryFailed',
    noticeId: 'ntc-1',
    reason: 'returned',
  }),
  TransferCase: {
    history: ownerIdentified,
    signed: true,
    by: (who) => transferCase(ownerIdentified, {}, { by: who }),
  },
  SubmitExplanation: plain(noticed, {
    type: 'SubmitExplanation',
    explanationId: 'exp-1',
    channel: 'online',
    statement: 'My brother drove the car that day',
  }),
  IdentifyDriver: plain(noticed, {
    type: 'IdentifyDriver',
    driver: { kind: 'individual', ref: 'person-0002' },
    licenceRef: 'gplx-0002',
  }),
  RecordOwnerUnresponsive: plain(noticed, {
    type: 'RecordOwnerUnresponsive',
    noticeId: 'ntc-1',
    now: '2026-04-30T00:00:00.000Z',
  }),
  RecordAgencyWarningSent: plain(unresponsive, {
    type: 'RecordAgencyWarningSent',
    agency: 'registration',
    warningId: 'warn-1',
    receipt: 'rcpt-1',
    now: '2026-04-30T01:00:00.000Z',
  }),
  DrawViolationRecord: { history: noticed, signed: true, by: (who) => drawRecord(noticed, {}, { by: who }) },
  DecidePenalty: { history: recorded, signed: true, by: (who) => decidePenalty(recorded, {}, { by: who }) },
  RecordDocumentIssued: plain(recorded, {
    type: 'RecordDocumentIssued',
    kind: 'record',
    digest: `sha256:${'6'.repeat(64)}`,
    templateVersion: 'violation-record/v1',
  }),
  RecordPayment: plain(decided, {
    type: 'RecordPayment',
    paymentRef: 'pay-1',
    amountVnd: carViolation().fineMinVnd,
    channel: 'state-treasury',
  }),
  FileAppeal: plain(decided, { type: 'FileAppeal', appealId: 'apl-1', grounds: 'not my car' }),
  ResolveAppeal: { history: appealed, signed: true, by: (who) => resolveAppeal(appealed, {}, { by: who }) },
  CloseCase: plain(paid, { type: 'CloseCase' }),
  ExpireCase: plain(detected, { type: 'ExpireCase', now: '2027-03-10T17:00:00.000Z' }),
  VoidCase: { history: detected, signed: true, by: (who) => voidCase(detected, REVIEWED_AT, { by: who }) },
};

type ErrorClass = abstract new (...args: never[]) => Error;
type Outcome = 'allowed' | ErrorClass;

interface ActorState {
  name: string;
  command: (row: Row) => CaseCommand;
  expected: (type: CaseCommandType, row: Row) => Outcome;
}

const rule = (type: CaseCommandType) => CASE_COMMAND_AUTHORITY[type];
const CITIZEN_COMMANDS: readonly CaseCommandType[] = ['SubmitExplanation', 'IdentifyDriver', 'FileAppeal'];
/** An officer state that is refused with `error` wherever an officer may act at all. */
const officerRefused =
  (error: ErrorClass) =>
  (type: CaseCommandType): Outcome =>
    rule(type).officerRoles.length === 0 ? ActorNotAllowedError : error;
const asActor = (actor: Actor) => (row: Row) => ({ ...row.by(reviewer), actor }) as CaseCommand;
const otherKind = (kind: 'device' | 'service' | 'system', id?: string) => (type: CaseCommandType) =>
  (rule(type).otherKinds as readonly string[]).includes(kind) && (kind !== 'service' || !rule(type).services || rule(type).services!.includes(id!))
    ? 'allowed'
    : ActorNotAllowedError;

const STATES: ActorState[] = [
  {
    name: 'an enrolled, active officer with the role, in the province',
    command: (row) => row.by(reviewer),
    expected: (type) => (rule(type).officerRoles.length === 0 ? ActorNotAllowedError : 'allowed'),
  },
  {
    name: 'an unknown subject (no officer stream)',
    command: (row) => {
      const c = row.by(reviewer);
      return {
        ...c,
        actor: { kind: 'officer', id: 'nobody-enrolled' },
        context: { ...c.context, officer: undefined },
      } as CaseCommand;
    },
    expected: officerRefused(OfficerNotEnrolledError),
  },
  {
    name: 'an officer acting with another officer’s view',
    command: (row) => ({ ...row.by(reviewer), actor: { kind: 'officer', id: 'off-01-9999' } }) as CaseCommand,
    expected: officerRefused(OfficerIdentityMismatchError),
  },
  {
    name: 'a suspended officer',
    command: (row) => row.by(suspended),
    expected: officerRefused(OfficerNotActiveError),
  },
  {
    name: 'an officer whose key is revoked',
    command: (row) => row.by(revokedKey),
    // A revoked key only matters where a signature is needed; unsigned commands still go through.
    expected: (type, row) =>
      rule(type).officerRoles.length === 0
        ? ActorNotAllowedError
        : row.signed
          ? OfficerKeyNotInForceError
          : 'allowed',
  },
  {
    name: 'an officer without a role for the command',
    command: (row) => row.by(wrongRole),
    expected: officerRefused(OfficerLacksRoleError),
  },
  {
    name: 'an officer of another province',
    command: (row) => row.by(otherProvince),
    expected: officerRefused(OfficerOutsideProvinceError),
  },
  { name: 'a device', command: asActor(deviceActor()), expected: otherKind('device') },
  { name: 'a worker service', command: asActor(serviceActor), expected: otherKind('service', serviceActor.id) },
  // Only RecordPayment names its services: the payment gateway, once the bank's callback verified.
  {
    name: 'the payment gateway service',
    command: asActor({ kind: 'service', id: 'payment-gateway' }),
    expected: otherKind('service', 'payment-gateway'),
  },
  // RecordOwnerUnresponsive on schedule and RecordAgencyWarningSent name their own services.
  {
    name: 'the procedure schedule service',
    command: asActor({ kind: 'service', id: 'procedure-schedule' }),
    expected: otherKind('service', 'procedure-schedule'),
  },
  {
    name: 'the agency-warning worker',
    command: asActor({ kind: 'service', id: 'agency-warning-worker' }),
    expected: otherKind('service', 'agency-warning-worker'),
  },
  { name: 'the system', command: asActor(systemActor), expected: otherKind('system') },
  // The portal's commands (an answer to a notice, an appeal) are the holder's own; anything else is refused.
  {
    name: 'a citizen who is not the vehicle holder',
    command: asActor({ kind: 'citizen', id: 'citizen-1' }),
    expected: (type) => (CITIZEN_COMMANDS.includes(type) ? NotTheVehicleHolderError : ActorNotAllowedError),
  },
  {
    name: 'the vehicle holder (citizen)',
    command: asActor({ kind: 'citizen', id: holderId(plateKey(PLATE)) }),
    expected: (type) => (CITIZEN_COMMANDS.includes(type) ? 'allowed' : ActorNotAllowedError),
  },
];

describe('case authorisation: every command × every actor state (one rule)', () => {
  it('has a row for every case command but ingest and handover (whose actors their own specs cover)', () => {
    expect(Object.keys(ROWS).sort()).to.deep.equal(
      CASE_COMMAND_TYPES.filter((t) => t !== 'RecordDetection' && t !== 'ReceiveCase').sort(),
    );
  });
  it('lets services issue exactly the commands the workers and the payment gateway issue', () => {
    const serviceCommands = CASE_COMMAND_TYPES.filter((t) =>
      (rule(t).otherKinds as readonly string[]).includes('service'),
    );
    expect(serviceCommands.sort()).to.deep.equal(
      [
        'RecordDetection',
        'RecognizePlate',
        'DeriveEvidence',
        'IdentifyOwner',
        'RecordOwnerNotFound',
        'IssueNotice',
        'RecordNoticeDelivered',
        'RecordNoticeDeliveryFailed',
        'RecordProcessingFailure',
        'RecordPayment', // only the `payment-gateway` service (rule.services)
        'ReceiveCase', // only the `federation-relay` service (rule.services)
        'RecordOwnerUnresponsive', // only the `procedure-schedule` service
        'RecordAgencyWarningSent', // only the `agency-warning-worker` service
      ].sort(),
    );
  });
  for (const [type, row] of Object.entries(ROWS) as [Exclude<CaseCommandType, 'RecordDetection'>, Row][]) {
    describe(type, () => {
      for (const state of STATES) {
        const outcome = state.expected(type, row);
        it(`${state.name} → ${outcome === 'allowed' ? 'appended' : outcome.name}`, () => {
          const when = caseSpec().given(row.history).when(state.command(row));
          if (outcome === 'allowed')
            when.thenEvents((events) => expect(events).to.have.length.greaterThan(0));
          else when.thenThrows(outcome);
        });
      }
    });
  }
});

describe('appeal resolution is a signed appeal/v1 sign-off', () => {
  it('records the outcome, reason and resolver from the sign-off, with the signature', () => {
    const command = resolveAppeal(appealed, { outcome: 'overturned', fineVnd: 0, reason: 'clone plate' });
    const { events, state } = caseSpec()
      .given(appealed)
      .when(command)
      .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['AppealResolved']));
    const data = events[0]!.data as Extract<CaseEvent, { type: 'AppealResolved' }>['data'];
    expect(data).to.include({
      appealId: 'apl-1',
      outcome: 'overturned',
      reason: 'clone plate',
      resolvedBy: reviewer.view.officerId,
    });
    expect(data.signoff).to.deep.equal(command.signoff);
    expect(data.signature).to.equal(command.signature);
    expect(data.keyId).to.equal(reviewer.key.keyId);
    expect(state.status).to.equal('appeal-resolved');
  });
  it('refuses a resolver whose title does not cover the fine', () => {
    const onDuty = officer('off-01-0005', { title: 'officer-on-duty', roles: ['reviewer', 'decider'] });
    caseSpec()
      .given(appealed)
      .when(resolveAppeal(appealed, {}, { by: onDuty }))
      .thenThrows(AuthorityExceededError);
  });
  it('refuses a signature by another key, and a sign-off of another purpose', () => {
    caseSpec()
      .given(appealed)
      .when({ ...resolveAppeal(appealed, {}, { signWith: strangerKey }), keyId: reviewer.key.keyId })
      .thenThrows(SignoffSignatureInvalidError);
    const decision = signSignoff(
      buildDecisionSignoff({
        caseId: CASE_ID,
        caseRevision: appealed.length - 1,
        violationCode: carViolation().code,
        plate: PLATE,
        evidence: [OVERVIEW, PLATE_CROP],
        signedAt: DECIDED_AT,
        fineVnd: carViolation().fineMinVnd,
        points: carViolation().points,
        legalBasis: { ...carViolation().legalBasis },
        offender: { kind: 'individual', ref: 'owner-0001' },
      }),
      reviewer.key.secretKey,
    );
    caseSpec()
      .given(appealed)
      .when({ ...resolveAppeal(appealed), ...decision } as unknown as CaseCommand)
      .thenThrows(SignoffPurposeError);
  });
  it('refuses a sign-off for another appeal, or a fine that does not follow from the outcome', () => {
    caseSpec()
      .given(appealed)
      .when({ ...resolveAppeal(appealed, { appealId: 'apl-2' }), appealId: 'apl-1' })
      .thenThrows(SignoffContentMismatchError);
    caseSpec()
      .given(appealed)
      .when(resolveAppeal(appealed, { outcome: 'overturned' }))
      .thenThrows(SignoffContentMismatchError);
    caseSpec()
      .given(appealed)
      .when(resolveAppeal(appealed, { outcome: 'upheld', fineVnd: 0 }))
      .thenThrows(SignoffContentMismatchError);
  });
});
