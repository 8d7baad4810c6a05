import { expect } from 'chai';
import { UnknownViolationCodeError, ViolationNotApplicableError } from '../../../src/domain/catalog/index.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import {
  AppealAlreadyOpenError,
  CameraNotUsableError,
  CaseEndedError,
  CaseIdMismatchError,
  CaseNotFoundError,
  CorrectionReasonRequiredError,
  DetectionConflictError,
  DetectionSignatureInvalidError,
  DeviceKeyNotInForceError,
  DuplicateEvidenceError,
  FineOutOfRangeError,
  AuthorityExceededError,
  InvalidCaseTransitionError,
  InvalidConfirmedPlateError,
  LimitationNotReachedError,
  LimitationPeriodElapsedError,
  ModelNotApprovedError,
  OverrideReasonRequiredError,
  PaymentAmountMismatchError,
  PenaltyTermsMismatchError,
  RejectReasonError,
  ReviewRequiredError,
  SignoffCaseMismatchError,
  SignoffContentMismatchError,
  SignoffEvidenceMismatchError,
  SignoffPurposeError,
  SignoffRevisionError,
  SignoffSignatureInvalidError,
  TimestampInFutureError,
  UnknownEvidenceError,
  ViolationRecordRequiredError,
} from '../../../src/domain/case/errors.ts';
import { PLATE_DOUBT_BP, parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import type { CaseCommand, CaseCommandOf } from '../../../src/domain/case/commands.ts';
import { fold } from '../../../src/domain/decider.ts';
import { plateBoxOf } from '../../../src/adapters/http/routes/case-view.ts';
import { verifyDetectionOnce, type VerifiedDetection } from '../../../src/domain/signoff/verified-detection.ts';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import {
  OfficerIdentityMismatchError,
  OfficerKeyNotInForceError,
  OfficerLacksRoleError,
  OfficerNotActiveError,
  OfficerNotEnrolledError,
  OfficerOutsideProvinceError,
} from '../../../src/domain/officer/errors.ts';
import { ActorNotAllowedError, ProvinceMismatchError } from '../../../src/domain/signoff/errors.ts';
import { keyPairFromLabel } from '../../../src/domain/signoff/keys.ts';
import { spec } from '../../support/given-when-then.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import {
  calibrationCertified,
  cameraRegistered,
  cameraWith,
  carViolation,
  CASE_ID,
  caseCommand,
  confirmReview,
  DECIDED_AT,
  decidePenalty,
  detectionInput,
  drawRecord,
  INGESTED_AT,
  model,
  officer,
  OVERVIEW,
  PLATE_CROP,
  recordDetection,
  rejectReview,
  resolveAppeal,
  reviewer,
  violationDetected,
  voidCase,
} from './case-fixtures.ts';
import { cameraKey, cameraKey2, HCMC, NATIONAL, strangerKey, systemActor } from './fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });

/** Runs a command against a history and returns the history extended by its events. */
function after(history: CaseEvent[], command: CaseCommand): CaseEvent[] {
  return [...history, ...caseDecider.decide(command, fold(caseDecider, history))];
}

const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const ownerIdentified = after(
  confirmed,
  caseCommand({
    type: 'IdentifyOwner',
    owner: { kind: 'individual', ref: 'owner-0001' },
    registry: 'national-vehicle-registry',
  }),
);
const noticed = after(
  ownerIdentified,
  caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic' }),
);
const recorded = after(noticed, drawRecord(noticed));
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
const closedPaid = after(paid, caseCommand({ type: 'CloseCase' }));
/** The limitation's end: 24:00 Vietnam time of 2027-03-10, the anniversary of the violation's Vietnam date. */
const ONE_YEAR_LATER = '2027-03-10T17:00:00.000Z';

describe('case decider', () => {
  describe('RecordDetection', () => {
    it('opens a case from a detection signed by the camera key in force', () => {
      const state = caseSpec().given([]).when(recordDetection()).then(detected);
      expect(state.status).to.equal('detected');
      if (state.status === 'none') throw new Error('unreachable');
      expect(state.caseId).to.equal(CASE_ID);
      expect(state.originals.map((e) => e.digest)).to.deep.equal([PLATE_CROP, OVERVIEW]);
    });
    it('derives the case id from the detection id (UUID v5, stable)', () => {
      expect(caseIdForDetection('det-1')).to.equal(caseIdForDetection('det-1'));
      expect(caseIdForDetection('det-1')).to.not.equal(caseIdForDetection('det-2'));
      expect(caseIdForDetection('det-1')).to.match(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      caseSpec()
        .given([])
        .when({ ...recordDetection(), caseId: caseIdForDetection('another') })
        .thenThrows(CaseIdMismatchError);
    });
    it('is idempotent: the same signed detection again yields nothing', () => {
      caseSpec().given(detected).when(recordDetection()).thenNothing();
    });
    it('refuses a different detection under the same detection id', () => {
      const differing = recordDetection({ measurements: { signalRedMs: 9999 } });
      caseSpec().given(detected).when(differing).thenThrows(DetectionConflictError);
    });
    it('refuses a signature by another key than the one named', () => {
      const forged = { ...recordDetection({}, { key: strangerKey }), keyId: cameraKey.keyId };
      caseSpec().given([]).when(forged).thenThrows(DetectionSignatureInvalidError);
    });
    it('refuses a detection altered after signing', () => {
      const command = recordDetection();
      const tampered = {
        ...command,
        detection: { ...command.detection, violationCode: command.detection.violationCode },
      };
      tampered.detection.plateRead = { text: '30A-999.99', confidenceBp: 9712 };
      caseSpec().given([]).when(tampered).thenThrows(DetectionSignatureInvalidError);
    });
    describe('a signature verified at the edge (VerifiedDetection)', () => {
      it('accepts the route’s genuine proof for this very detection object', () => {
        const command = recordDetection();
        const verified = verifyDetectionOnce(command.detection, command.signature, command.keyId, cameraKey.publicKey);
        expect(verified).to.not.equal(undefined);
        caseSpec()
          .given([])
          .when({ ...command, context: { ...command.context, verified: verified! } })
          .then([violationDetected(command)]);
      });
      it('does not trust a look-alike proof: a forged signature is still refused', () => {
        const forged = { ...recordDetection({}, { key: strangerKey }), keyId: cameraKey.keyId };
        const lookAlike = {
          detection: Object.freeze(forged.detection),
          signature: forged.signature,
          keyId: forged.keyId,
          publicKey: cameraKey.publicKey,
          covers: () => true,
        } as unknown as VerifiedDetection;
        caseSpec()
          .given([])
          .when({ ...forged, context: { ...forged.context, verified: lookAlike } })
          .thenThrows(DetectionSignatureInvalidError);
      });
      it('does not carry a genuine proof over to another detection, signature or key', () => {
        const genuine = recordDetection();
        const verified = verifyDetectionOnce(genuine.detection, genuine.signature, genuine.keyId, cameraKey.publicKey)!;
        const forged = { ...recordDetection({}, { key: strangerKey }), keyId: cameraKey.keyId };
        caseSpec()
          .given([])
          .when({ ...forged, context: { ...forged.context, verified } })
          .thenThrows(DetectionSignatureInvalidError);
        caseSpec()
          .given([])
          .when({ ...forged, detection: genuine.detection, context: { ...forged.context, verified } })
          .thenThrows(DetectionSignatureInvalidError);
      });
    });
    it('refuses a key the camera never registered, a revoked key, and a key rotated out before observedAt', () => {
      caseSpec()
        .given([])
        .when(recordDetection({}, { key: strangerKey }))
        .thenThrows(DeviceKeyNotInForceError);
      const revoked = cameraWith([
        cameraRegistered(),
        calibrationCertified(),
        {
          type: 'DeviceKeyRevoked',
          data: {
            cameraId: 'cam-01-0001',
            keyId: cameraKey.keyId,
            reason: 'leaked',
            revokedAt: '2026-06-01T00:00:00.000Z',
          },
        },
      ]);
      caseSpec()
        .given([])
        .when(recordDetection({}, { cameraView: revoked }))
        .thenThrows(DeviceKeyNotInForceError);
      const rotated = cameraWith([
        cameraRegistered(),
        calibrationCertified(),
        {
          type: 'DeviceKeyRotated',
          data: {
            cameraId: 'cam-01-0001',
            publicKey: cameraKey2.publicKey,
            keyId: cameraKey2.keyId,
            rotatedAt: '2026-03-01T00:00:00.000Z',
          },
        },
      ]);
      caseSpec()
        .given([])
        .when(recordDetection({}, { cameraView: rotated }))
        .thenThrows(DeviceKeyNotInForceError);
      caseSpec()
        .given([])
        .when(recordDetection({}, { cameraView: rotated, key: cameraKey2 }))
        .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['ViolationDetected']));
    });
    it('refuses an unregistered camera, or a camera view of another camera', () => {
      caseSpec()
        .given([])
        .when(recordDetection({}, { cameraView: undefined }))
        .thenThrows(CameraNotUsableError);
      caseSpec()
        .given([])
        .when(recordDetection({ cameraId: 'cam-01-0002' }))
        .thenThrows(CameraNotUsableError);
    });
    it("refuses a command for another province than the camera's; a national command is accepted", () => {
      caseSpec()
        .given([])
        .when({ ...recordDetection(), province: HCMC })
        .thenThrows(ProvinceMismatchError);
      caseSpec()
        .given([])
        .when({ ...recordDetection(), province: NATIONAL })
        .then(detected);
      caseSpec()
        .given(detected)
        .when({ ...confirmReview(detected), province: HCMC })
        .thenThrows(ProvinceMismatchError);
    });
    it('refuses an officer or citizen submitting detections', () => {
      caseSpec()
        .given([])
        .when({ ...recordDetection(), actor: { kind: 'citizen', id: 'x' } })
        .thenThrows(ActorNotAllowedError);
    });
    it('refuses an observation in the future, or older than the one-year limitation', () => {
      caseSpec()
        .given([])
        .when(recordDetection({ observedAt: '2026-03-10T02:00:00.000Z' }))
        .thenThrows(TimestampInFutureError);
      caseSpec()
        .given([])
        .when(recordDetection({}, { now: ONE_YEAR_LATER }))
        .thenThrows(LimitationPeriodElapsedError);
    });
    it('refuses a violation code the catalog does not know for the vehicle class', () => {
      caseSpec()
        .given([])
        .when(recordDetection({ violationCode: 'no.such.code' }))
        .thenThrows(UnknownViolationCodeError);
      caseSpec()
        .given([])
        .when(recordDetection({ vehicleClass: 'tractor' }))
        .thenThrows(ViolationNotApplicableError);
    });
    it('judges the catalog version by the violation date in Vietnam (UTC+7)', () => {
      const earlyCamera = cameraWith([
        cameraRegistered('2024-06-01T00:00:00.000Z'),
        calibrationCertified('2024-06-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z'),
      ]);
      const firstVersionFrom = '2025-01-01';
      const vnMidnight = new Date(`${firstVersionFrom}T00:00:00+07:00`).toISOString();
      const justBefore = new Date(Date.parse(vnMidnight) - 60_000).toISOString();
      const opts = { cameraView: earlyCamera, now: '2025-01-02T00:00:00.000Z' };
      caseSpec()
        .given([])
        .when(
          recordDetection(
            { observedAt: justBefore, violationCode: carViolation(firstVersionFrom).code },
            opts,
          ),
        )
        .thenThrows(ViolationNotApplicableError);
      caseSpec()
        .given([])
        .when(
          recordDetection(
            { observedAt: vnMidnight, violationCode: carViolation(firstVersionFrom).code },
            opts,
          ),
        )
        .thenEvents((events) => expect(events[0]?.type).to.equal('ViolationDetected'));
    });
    it('flags a detection made outside any calibration period, or by a model version not approved', () => {
      const uncalibrated = cameraWith([
        cameraRegistered(),
        calibrationCertified('2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
      ]);
      const command = recordDetection({}, { cameraView: uncalibrated, model: model('suspended') });
      caseSpec()
        .given([])
        .when(command)
        .thenEvents(([event]) => {
          if (event?.type !== 'ViolationDetected') throw new Error('expected ViolationDetected');
          expect(event.data.flags?.map((f) => f.flag)).to.deep.equal([
            'calibration-invalid',
            'model-not-approved',
          ]);
          expect(event.data.model?.modelId).to.equal('ppocr-v4-1');
        });
      caseSpec()
        .given([])
        .when(recordDetection({}, { model: model('approved') }))
        .thenEvents(([event]) =>
          expect(event?.type === 'ViolationDetected' && event.data.flags).to.equal(undefined),
        );
    });
  });

  describe('PlateRecognized', () => {
    const recognize = (
      plate: string,
      overrides: Partial<Extract<CaseCommand, { type: 'RecognizePlate' }>> = {},
    ) =>
      caseCommand<Extract<CaseCommand, { type: 'RecognizePlate' }>>({
        type: 'RecognizePlate',
        actor: { kind: 'service', id: 'anpr-worker' },
        now: INGESTED_AT,
        plate,
        confidenceBp: 9350,
        sourceDigest: PLATE_CROP,
        context: { model: model('approved') },
        ...overrides,
      });
    it('records an AI reading from a service actor with an approved model', () => {
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45'))
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).to.deep.equal(['PlateRecognized']);
          expect(events[0]?.type === 'PlateRecognized' && events[0].data.model.version).to.equal('4.0.0');
        });
    });
    it('flags the case when the reading disagrees with the camera (plateMismatch), once', () => {
      const { events } = caseSpec()
        .given(detected)
        .when(recognize('30A-999.99'))
        .thenEvents((evs) =>
          expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized', 'CaseFlagged']),
        );
      const flagged = [...detected, ...events];
      caseSpec()
        .given(flagged)
        .when(recognize('30A-888.88'))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized']));
      caseSpec().given(flagged).when(confirmReview(flagged)).thenThrows(OverrideReasonRequiredError);
    });
    it('records the alternatives and flags a reading with them as in doubt (plate-doubt), once', () => {
      const alternatives = [{ plate: '30A-128.45', shareBp: 3100 }];
      const { events } = caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { confidenceBp: 9500, alternatives }))
        .thenEvents((evs) => {
          expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized', 'CaseFlagged']);
          expect(evs[0]?.type === 'PlateRecognized' && evs[0].data.alternatives).to.deep.equal(alternatives);
          expect(evs[1]?.type === 'CaseFlagged' && evs[1].data.flag.flag).to.equal('plate-doubt');
          expect(evs[1]?.type === 'CaseFlagged' && evs[1].data.flag.detail).to.contain('30A-128.45');
        });
      const flagged = [...detected, ...events];
      const state = fold(caseDecider, flagged);
      expect(state.status !== 'none' && state.plateReadings[0]?.alternatives).to.deep.equal(alternatives);
      caseSpec()
        .given(flagged)
        .when(recognize('30A-123.45', { confidenceBp: 5000 }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized']));
    });
    it(`flags a reading below PLATE_DOUBT_BP (${PLATE_DOUBT_BP} bp) without alternatives, and not one at it`, () => {
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { confidenceBp: PLATE_DOUBT_BP - 1 }))
        .thenEvents((evs) => {
          expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized', 'CaseFlagged']);
          expect(evs[0]?.type === 'PlateRecognized' && 'alternatives' in evs[0].data).to.equal(false);
        });
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { confidenceBp: PLATE_DOUBT_BP, alternatives: [] }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['PlateRecognized']));
    });
    it('the doubt flag is advisory: the officer confirms the plate they chose without an override reason', () => {
      const doubted = [...detected, ...caseDecider.decide(recognize('30A-123.45', { confidenceBp: 6000, alternatives: [{ plate: '30A-128.45', shareBp: 4000 }] }), fold(caseDecider, detected))];
      caseSpec()
        .given(doubted)
        .when(confirmReview(doubted))
        .thenEvents(([event]) => {
          expect(event?.type).to.equal('ReviewConfirmed');
          expect(event?.type === 'ReviewConfirmed' && event.data.overriddenFlags).to.equal(undefined);
        });
    });
    it('refuses alternatives that are not plates with a share in basis points', () => {
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { alternatives: [{ plate: '30A-128.45', shareBp: 10001 }] }))
        .thenThrows(ValidationError);
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { alternatives: Array.from({ length: 4 }, () => ({ plate: '30A-128.45', shareBp: 100 })) }))
        .thenThrows(ValidationError);
    });
    it('refuses readings from officers, devices and unapproved or suspended models', () => {
      caseSpec()
        .given(detected)
        .when(recognize(PLATE_CROP, { actor: reviewer.actor }))
        .thenThrows(ActorNotAllowedError);
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { actor: { kind: 'device', id: 'cam-01-0001' } }))
        .thenThrows(ActorNotAllowedError);
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { context: { model: model('registered') } }))
        .thenThrows(ModelNotApprovedError);
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { context: { model: model('suspended') } }))
        .thenThrows(ModelNotApprovedError);
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { context: { model: undefined } }))
        .thenThrows(ModelNotApprovedError);
    });
    it('refuses a reading of evidence the case does not hold, and readings after review', () => {
      caseSpec()
        .given(detected)
        .when(recognize('30A-123.45', { sourceDigest: `sha256:${'9'.repeat(64)}` }))
        .thenThrows(UnknownEvidenceError);
      caseSpec().given(confirmed).when(recognize('30A-123.45')).thenThrows(InvalidCaseTransitionError);
    });
  });

  describe('evidence', () => {
    const derive = caseCommand<Extract<CaseCommand, { type: 'DeriveEvidence' }>>({
      type: 'DeriveEvidence',
      actor: { kind: 'service', id: 'media-worker' },
      sourceDigest: OVERVIEW,
      derived: { digest: `sha256:${'3'.repeat(64)}`, mediaType: 'image/webp', size: 9000, kind: 'thumbnail' },
      operation: 'thumbnail',
      parameters: { width: 320 },
      producer: { library: 'sharp', version: '0.35.5' },
    });
    it("keeps each derivation's parameters, so the case document can give the plate crop's box", () => {
      const cropped = (box: string): CaseEvent => ({
        type: 'EvidenceDerived',
        data: {
          sourceDigest: OVERVIEW,
          derived: { digest: `sha256:${box.length.toString().repeat(64).slice(0, 64)}`, mediaType: 'image/jpeg', size: 900, kind: 'plate-crop' },
          operation: 'plate-crop',
          parameters: { box, padding: 8 },
          producer: { library: 'sharp', version: '0.35.5' },
          derivedAt: INGESTED_AT,
        },
      });
      const state = fold(caseDecider, [...detected, cropped('100,200,120,40')]);
      if (state.status === 'none') expect.fail('the case exists');
      expect(state.derivations[0]!.parameters).to.deep.equal({ box: '100,200,120,40', padding: 8 });
      expect(plateBoxOf(state)).to.deep.equal({ sourceDigest: OVERVIEW, x: 100, y: 200, width: 120, height: 40 });
      // The newest well-formed box counts; a malformed one (a hostile or damaged record) is skipped, never thrown on.
      const later = fold(caseDecider, [...detected, cropped('100,200,120,40'), cropped('1,2,3,4'), cropped('9,9,-3,x')]);
      if (later.status === 'none') expect.fail('the case exists');
      expect(plateBoxOf(later)).to.deep.equal({ sourceDigest: OVERVIEW, x: 1, y: 2, width: 3, height: 4 });
      expect(plateBoxOf(fold(caseDecider, detected) as Exclude<typeof state, { status: 'none' }>)).to.equal(null);
    });

    it('records derived media naming their source; a retry is a no-op', () => {
      const { events } = caseSpec()
        .given(detected)
        .when(derive)
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['EvidenceDerived']));
      caseSpec()
        .given([...detected, ...events])
        .when(derive)
        .thenNothing();
      caseSpec()
        .given([...detected, ...events])
        .when({ ...derive, operation: 'redact' })
        .thenThrows(DuplicateEvidenceError);
    });
    it('refuses derivation from evidence the case does not hold', () => {
      caseSpec()
        .given(detected)
        .when({ ...derive, sourceDigest: `sha256:${'8'.repeat(64)}` })
        .thenThrows(UnknownEvidenceError);
    });
    it('attaches further originals before review; the review must then cover them', () => {
      const extra = {
        digest: `sha256:${'4'.repeat(64)}`,
        mediaType: 'video/mp4',
        size: 1_000_000,
        role: 'video' as const,
      };
      const attach = caseCommand<Extract<CaseCommand, { type: 'AttachEvidence' }>>({
        type: 'AttachEvidence',
        actor: { kind: 'device', id: 'cam-01-0001' },
        evidence: [extra],
        reason: 'video clip uploaded after the stills',
      });
      const { events } = caseSpec()
        .given(detected)
        .when(attach)
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['EvidenceAttached']));
      const withVideo = [...detected, ...events];
      caseSpec().given(withVideo).when(attach).thenThrows(DuplicateEvidenceError);
      caseSpec().given(withVideo).when(confirmReview(withVideo)).thenThrows(SignoffEvidenceMismatchError);
      caseSpec()
        .given(withVideo)
        .when(confirmReview(withVideo, { evidence: [OVERVIEW, PLATE_CROP, extra.digest] }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['ReviewConfirmed']));
      caseSpec().given(confirmed).when(attach).thenThrows(InvalidCaseTransitionError);
    });
  });

  describe('review', () => {
    it('confirms with the officer signature over the sign-off', () => {
      const command = confirmReview(detected);
      if (command.type !== 'ConfirmReview') throw new Error('unreachable');
      const state = caseSpec()
        .given(detected)
        .when(command)
        .then([
          {
            type: 'ReviewConfirmed',
            data: { signoff: command.signoff, signature: command.signature, keyId: command.keyId },
          },
        ]);
      expect(state.status).to.equal('confirmed');
    });
    it('rejects with an explicit reason; a rejection without one is refused', () => {
      expect(
        caseSpec()
          .given(detected)
          .when(rejectReview(detected))
          .thenEvents(() => {}).state.status,
      ).to.equal('rejected');
      caseSpec()
        .given(detected)
        .when(rejectReview(detected, { rejectReason: undefined, rejectNote: undefined }))
        .thenThrows(RejectReasonError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { rejectReason: 'other' }))
        .thenThrows(RejectReasonError);
      caseSpec()
        .given(detected)
        .when({
          ...confirmReview(detected, { decision: 'reject', rejectReason: 'other' }),
          type: 'ConfirmReview',
        } as CaseCommand)
        .thenThrows(SignoffContentMismatchError);
    });
    it('refuses confirmation by a service, device or system actor', () => {
      for (const kind of ['service', 'device', 'system'] as const) {
        caseSpec()
          .given(detected)
          .when({ ...confirmReview(detected), actor: { kind, id: 'off-01-0001' } })
          .thenThrows(ActorNotAllowedError);
      }
    });
    it('refuses an officer not enrolled, suspended, lacking the reviewer role, or described by another context', () => {
      const command = confirmReview(detected);
      caseSpec()
        .given(detected)
        .when({ ...command, context: { officer: undefined } } as CaseCommand)
        .thenThrows(OfficerNotEnrolledError);
      caseSpec()
        .given(detected)
        .when({ ...command, context: { officer: { ...reviewer.view, status: 'suspended' } } } as CaseCommand)
        .thenThrows(OfficerNotActiveError);
      const decider = officer('off-01-0002', { roles: ['decider'] });
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: decider }))
        .thenThrows(OfficerLacksRoleError);
      caseSpec()
        .given(detected)
        .when({ ...command, actor: { kind: 'officer', id: 'off-01-0009' } })
        .thenThrows(OfficerIdentityMismatchError);
    });
    it('refuses provincial staff of another province; national staff act anywhere', () => {
      const hcmcOfficer = officer('off-79-0001', { province: HCMC });
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: hcmcOfficer }))
        .thenThrows(OfficerOutsideProvinceError);
      const national = officer('off-00-0001', { province: NATIONAL, title: 'c08-director' });
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: national }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['ReviewConfirmed']));
    });
    it('refuses a revoked key, and a key not yet or no longer in force at signedAt', () => {
      const revoked = officer('off-01-0003', {
        extra: (key) => [
          {
            type: 'OfficerKeyRevoked',
            data: {
              officerId: 'off-01-0003',
              keyId: key.keyId,
              reason: 'lost',
              revokedAt: '2026-12-01T00:00:00.000Z',
            },
          },
        ],
      });
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: revoked }))
        .thenThrows(OfficerKeyNotInForceError);
      const newKey = keyPairFromLabel('off-01-0004#2');
      const rotated = officer('off-01-0004', {
        extra: () => [
          {
            type: 'OfficerKeyRotated',
            data: {
              officerId: 'off-01-0004',
              publicKey: newKey.publicKey,
              keyId: newKey.keyId,
              rotatedAt: '2026-03-01T00:00:00.000Z',
            },
          },
        ],
      });
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: rotated }))
        .thenThrows(OfficerKeyNotInForceError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, {}, { by: rotated, signWith: newKey }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['ReviewConfirmed']));
    });
    it('refuses a signature that does not verify: another key, or a payload altered after signing', () => {
      caseSpec()
        .given(detected)
        .when({
          ...confirmReview(detected, {}, { signWith: strangerKey }),
          keyId: reviewer.key.keyId,
        } as CaseCommand)
        .thenThrows(SignoffSignatureInvalidError);
      const command = confirmReview(detected);
      if (command.type !== 'ConfirmReview') throw new Error('unreachable');
      caseSpec()
        .given(detected)
        .when({ ...command, signoff: { ...command.signoff, overrideReason: 'added later' } })
        .thenThrows(SignoffSignatureInvalidError);
    });
    it('refuses a sign-off for another case, another purpose, a revision not yet reached, or other evidence', () => {
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { caseId: caseIdForDetection('other') }))
        .thenThrows(SignoffCaseMismatchError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { caseRevision: 1 }))
        .thenThrows(SignoffRevisionError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { evidence: [OVERVIEW] }))
        .thenThrows(SignoffEvidenceMismatchError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { evidence: [OVERVIEW, PLATE_CROP, `sha256:${'7'.repeat(64)}`] }))
        .thenThrows(SignoffEvidenceMismatchError);
      const decision = decidePenalty(detected);
      caseSpec()
        .given(detected)
        .when({ ...decision, type: 'ConfirmReview' } as CaseCommand)
        .thenThrows(SignoffPurposeError);
    });
    it('refuses a sign-off dated in the future', () => {
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { signedAt: '2026-03-12T02:00:00.000Z' }))
        .thenThrows(TimestampInFutureError);
    });
    it('requires a correction reason when the confirmed plate or violation differs from the detection', () => {
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { plate: '30A-123.46' }))
        .thenThrows(CorrectionReasonRequiredError);
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { plate: '30A-123.46', correction: 'camera misread 6 as 5' }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['ReviewConfirmed']));
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { plate: 'not a plate', correction: 'x' }))
        .thenThrows(InvalidConfirmedPlateError);
    });
    it('requires an explicit override reason to confirm a flagged case', () => {
      const uncalibrated = cameraWith([cameraRegistered()]);
      const flagged = [
        violationDetected(recordDetection({}, { cameraView: uncalibrated }), [
          {
            flag: 'calibration-invalid',
            detail: 'No calibration certificate of the camera was valid at observedAt',
          },
        ]),
      ];
      caseSpec()
        .given(flagged)
        .when(recordDetection({}, { cameraView: uncalibrated }))
        .thenNothing();
      caseSpec().given(flagged).when(confirmReview(flagged)).thenThrows(OverrideReasonRequiredError);
      caseSpec()
        .given(flagged)
        .when(confirmReview(flagged, { overrideReason: 'certificate renewal filed; see VMI letter 12/2026' }))
        .thenEvents(([event]) => {
          expect(event?.type === 'ReviewConfirmed' && event.data.overriddenFlags).to.deep.equal([
            'calibration-invalid',
          ]);
        });
    });
    it('refuses a second review', () => {
      caseSpec().given(confirmed).when(confirmReview(confirmed)).thenThrows(InvalidCaseTransitionError);
    });
    it('refuses review once the one-year limitation has run out', () => {
      caseSpec()
        .given(detected)
        .when(confirmReview(detected, { signedAt: ONE_YEAR_LATER }, { now: ONE_YEAR_LATER }))
        .thenThrows(LimitationPeriodElapsedError);
    });
    it('refuses commands on a case that does not exist', () => {
      caseSpec().given([]).when(confirmReview(detected)).thenThrows(CaseNotFoundError);
    });
  });

  describe('PenaltyDecided', () => {
    it('decides a lawful penalty after a confirmed review, recording the catalog version', () => {
      const state = caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded))
        .thenEvents(([event]) => {
          expect(event?.type).to.equal('PenaltyDecided');
          expect(event?.type === 'PenaltyDecided' && event.data.catalogVersion).to.equal(
            carViolation().catalogVersion,
          );
        }).state;
      expect(state.status).to.equal('decided');
    });
    it('refuses a decision before the violation record is drawn up, even after the notice', () => {
      caseSpec().given(confirmed).when(decidePenalty(confirmed)).thenThrows(ViolationRecordRequiredError);
      caseSpec().given(noticed).when(decidePenalty(noticed)).thenThrows(ViolationRecordRequiredError);
    });
    it('refuses any penalty without a confirmed human review', () => {
      caseSpec().given(detected).when(decidePenalty(detected)).thenThrows(ReviewRequiredError);
      const rejected = after(detected, rejectReview(detected));
      caseSpec().given(rejected).when(decidePenalty(rejected)).thenThrows(ReviewRequiredError);
    });
    it('refuses a decision by a service or device actor', () => {
      caseSpec()
        .given(recorded)
        .when({ ...decidePenalty(recorded), actor: { kind: 'service', id: 'off-01-0001' } })
        .thenThrows(ActorNotAllowedError);
      caseSpec()
        .given(recorded)
        .when({ ...decidePenalty(recorded), actor: { kind: 'device', id: 'off-01-0001' } })
        .thenThrows(ActorNotAllowedError);
    });
    it('refuses a fine outside the legal range, and points or legal basis other than the catalog', () => {
      const entry = carViolation();
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { fineVnd: entry.fineMinVnd - 1 }))
        .thenThrows(FineOutOfRangeError);
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { fineVnd: entry.fineMaxVnd + 1 }))
        .thenThrows(FineOutOfRangeError);
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { points: (entry.points + 1) % 12 }))
        .thenThrows(PenaltyTermsMismatchError);
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { legalBasis: { ...entry.legalBasis, point: 'z' } }))
        .thenThrows(PenaltyTermsMismatchError);
    });
    it('refuses an officer whose title does not cover the top of the fine range', () => {
      const teamLeader = officer('off-01-0005', { title: 'team-leader' });
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, {}, { by: teamLeader }))
        .thenThrows(AuthorityExceededError);
    });
    it('refuses an officer without the decider role', () => {
      const reviewerOnly = officer('off-01-0006', { roles: ['reviewer'] });
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, {}, { by: reviewerOnly }))
        .thenThrows(OfficerLacksRoleError);
    });
    it('refuses a decision on another violation or plate than the review confirmed', () => {
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { plate: '30A-543.21' }))
        .thenThrows(SignoffContentMismatchError);
    });
    it('refuses a second decision', () => {
      caseSpec().given(decided).when(decidePenalty(decided)).thenThrows(InvalidCaseTransitionError);
    });
    it('refuses a decision after the limitation, and after expiry', () => {
      caseSpec()
        .given(recorded)
        .when(decidePenalty(recorded, { signedAt: ONE_YEAR_LATER }, { now: ONE_YEAR_LATER }))
        .thenThrows(LimitationPeriodElapsedError);
      const expired = after(recorded, caseCommand({ type: 'ExpireCase', now: ONE_YEAR_LATER }));
      caseSpec()
        .given(expired)
        .when(decidePenalty(expired, { signedAt: ONE_YEAR_LATER }, { now: ONE_YEAR_LATER }))
        .thenThrows(LimitationPeriodElapsedError);
    });
  });

  describe('flags and rejection', () => {
    it('lets an officer or process flag a case before review, which then needs an override', () => {
      const flag = caseCommand({
        type: 'FlagCase',
        actor: reviewer.actor,
        flag: { flag: 'manual', detail: 'vehicle looks like an ambulance' },
      });
      const { events } = caseSpec()
        .given(detected)
        .when(flag)
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['CaseFlagged']));
      const flagged = [...detected, ...events];
      caseSpec().given(flagged).when(confirmReview(flagged)).thenThrows(OverrideReasonRequiredError);
      caseSpec()
        .given(detected)
        .when({ ...flag, actor: { kind: 'citizen', id: 'c-1' } })
        .thenThrows(ActorNotAllowedError);
      caseSpec().given(confirmed).when(flag).thenThrows(InvalidCaseTransitionError);
    });
    it('records a background job that failed for good, issued by a service, in any state, without changing the status', () => {
      const failure = caseCommand<CaseCommandOf<'RecordProcessingFailure'>>({
        type: 'RecordProcessingFailure',
        actor: { kind: 'service', id: 'job-pipeline' },
        job: 'media',
        jobId: 'evt-1',
        reasonCode: 'media-image-unsupported',
        reason: 'Image could not be decoded',
        attempts: 1,
      });
      const expected = {
        type: 'ProcessingFailed',
        data: {
          job: 'media',
          jobId: 'evt-1',
          reasonCode: 'media-image-unsupported',
          reason: 'Image could not be decoded',
          attempts: 1,
          failedAt: failure.now,
        },
      } as const;
      const state = caseSpec().given(detected).when(failure).then([expected]);
      expect(state.status).to.equal('detected');
      expect(state.status !== 'none' && state.processingFailures).to.deep.equal([
        { job: 'media', reasonCode: 'media-image-unsupported', reason: 'Image could not be decoded', failedAt: failure.now },
      ]);
      caseSpec().given(confirmed).when(failure).then([expected]);
      caseSpec().given(detected).when({ ...failure, actor: reviewer.actor }).thenThrows(ActorNotAllowedError);
      caseSpec().given(detected).when({ ...failure, reasonCode: 'Not A Code' }).thenThrows(ValidationError);
      // Replay of the existing events is unchanged: no failure list appears without the event.
      expect(fold(caseDecider, detected)).to.not.have.property('processingFailures');
    });
    it('closes a rejected case, and nothing but closing (or voiding) follows a rejection', () => {
      const rejected = after(detected, rejectReview(detected));
      caseSpec()
        .given(rejected)
        .when(
          caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'o-1' }, registry: 'reg' }),
        )
        .thenThrows(InvalidCaseTransitionError);
      caseSpec()
        .given(rejected)
        .when(caseCommand({ type: 'CloseCase' }))
        .then([{ type: 'CaseClosed', data: { reason: 'rejected', closedAt: DECIDED_AT } }]);
    });
    it('retries an owner lookup after a miss', () => {
      const notFound = after(
        confirmed,
        caseCommand({ type: 'RecordOwnerNotFound', registry: 'reg', reason: 'registry timeout' }),
      );
      const state = caseSpec()
        .given(notFound)
        .when(
          caseCommand({
            type: 'IdentifyOwner',
            owner: { kind: 'organisation', ref: 'org-7' },
            registry: 'reg',
          }),
        )
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['OwnerIdentified'])).state;
      expect(state.status).to.equal('owner-identified');
    });
  });

  describe('owner, notices, payment, appeal, closing', () => {
    it('runs the whole lifecycle to a paid, closed case', () => {
      expect(fold(caseDecider, closedPaid).status).to.equal('closed');
      const types = closedPaid.map((e) => e.type);
      expect(types).to.deep.equal([
        'ViolationDetected',
        'ReviewConfirmed',
        'OwnerIdentified',
        'NoticeIssued',
        'ViolationRecordDrawn',
        'PenaltyDecided',
        'PaymentRecorded',
        'CaseClosed',
      ]);
      for (const e of closedPaid) parseCaseEvent(e);
    });
    it('records notice delivery outcomes once; repeats are no-ops', () => {
      const delivered = after(noticed, caseCommand({ type: 'RecordNoticeDelivered', noticeId: 'ntc-1' }));
      expect(delivered.at(-1)?.type).to.equal('NoticeDelivered');
      caseSpec()
        .given(delivered)
        .when(caseCommand({ type: 'RecordNoticeDelivered', noticeId: 'ntc-1' }))
        .thenNothing();
      caseSpec()
        .given(noticed)
        .when(
          caseCommand({ type: 'RecordNoticeDeliveryFailed', noticeId: 'ntc-1', reason: 'address unknown' }),
        )
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['NoticeDeliveryFailed']));
    });
    it('refuses a notice before the owner is known, and owner lookups before review', () => {
      caseSpec()
        .given(confirmed)
        .when(caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'post' }))
        .thenThrows(InvalidCaseTransitionError);
      caseSpec()
        .given(detected)
        .when(
          caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'o-1' }, registry: 'reg' }),
        )
        .thenThrows(InvalidCaseTransitionError);
    });
    it('closes an undecidable case when the owner is not found', () => {
      const notFound = after(
        confirmed,
        caseCommand({ type: 'RecordOwnerNotFound', registry: 'reg', reason: 'plate not registered' }),
      );
      caseSpec()
        .given(notFound)
        .when(caseCommand({ type: 'CloseCase' }))
        .then([{ type: 'CaseClosed', data: { reason: 'owner-not-found', closedAt: DECIDED_AT } }]);
    });
    it('refuses a payment of another amount, and closing an unpaid decided case', () => {
      caseSpec()
        .given(decided)
        .when(caseCommand({ type: 'RecordPayment', paymentRef: 'pay-1', amountVnd: 1, channel: 'at-unit' }))
        .thenThrows(PaymentAmountMismatchError);
      caseSpec()
        .given(decided)
        .when(caseCommand({ type: 'CloseCase' }))
        .thenThrows(InvalidCaseTransitionError);
    });
    it('files and resolves an appeal; an overturned decision closes the case', () => {
      const appealed = after(
        decided,
        caseCommand({ type: 'FileAppeal', appealId: 'apl-1', grounds: 'not my car' }),
      );
      caseSpec()
        .given(appealed)
        .when(caseCommand({ type: 'FileAppeal', appealId: 'apl-2', grounds: 'again' }))
        .thenThrows(AppealAlreadyOpenError);
      caseSpec()
        .given(appealed)
        .when({ ...resolveAppeal(appealed, { outcome: 'overturned', fineVnd: 0 }), actor: systemActor })
        .thenThrows(ActorNotAllowedError);
      const resolved = after(
        appealed,
        resolveAppeal(appealed, { outcome: 'overturned', reason: 'clone plate', fineVnd: 0 }),
      );
      caseSpec()
        .given(resolved)
        .when(caseCommand({ type: 'CloseCase' }))
        .then([{ type: 'CaseClosed', data: { reason: 'appeal-overturned', closedAt: DECIDED_AT } }]);
    });
  });

  describe('after the end', () => {
    it('allows only appeal filing and outcome, and voiding, after close', () => {
      caseSpec()
        .given(closedPaid)
        .when(caseCommand({ type: 'IssueNotice', noticeId: 'ntc-2', channel: 'post' }))
        .thenThrows(CaseEndedError);
      caseSpec()
        .given(closedPaid)
        .when(
          caseCommand({
            type: 'DeriveEvidence',
            sourceDigest: OVERVIEW,
            derived: {
              digest: `sha256:${'5'.repeat(64)}`,
              mediaType: 'image/webp',
              size: 1,
              kind: 'thumbnail',
            },
            operation: 'thumbnail',
            parameters: {},
            producer: { library: 'sharp', version: '0.35.5' },
          }),
        )
        .thenThrows(CaseEndedError);
      const appealed = after(
        closedPaid,
        caseCommand({ type: 'FileAppeal', appealId: 'apl-1', grounds: 'complaint within 90 days' }),
      );
      expect(fold(caseDecider, appealed).status).to.equal('closed');
      caseSpec()
        .given(appealed)
        .when(resolveAppeal(appealed, { reason: 'evidence clear' }))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['AppealResolved']));
      const voided = caseSpec()
        .given(closedPaid)
        .when(voidCase(closedPaid, '2026-04-01T00:00:00.000Z'))
        .thenEvents((evs) => expect(evs.map((e) => e.type)).to.deep.equal(['CaseVoided'])).state;
      expect(voided.status).to.equal('voided');
    });
    it('refuses everything after void, including a second void', () => {
      const voided = after(closedPaid, voidCase(closedPaid, '2026-04-01T00:00:00.000Z'));
      caseSpec().given(voided).when(voidCase(voided, '2026-04-02T00:00:00.000Z')).thenThrows(CaseEndedError);
      caseSpec()
        .given(voided)
        .when(caseCommand({ type: 'FileAppeal', appealId: 'apl-9', grounds: 'x' }))
        .thenThrows(CaseEndedError);
    });
    it('voids only by a supervisor officer with a valid sign-off', () => {
      const plain = officer('off-01-0007', { roles: ['reviewer', 'decider'] });
      caseSpec()
        .given(detected)
        .when(voidCase(detected, REVIEWED, { by: plain }))
        .thenThrows(OfficerLacksRoleError);
    });
  });

  describe('one-year limitation', () => {
    it('expires an undecided case one year after the violation, not earlier', () => {
      caseSpec()
        .given(detected)
        .when(caseCommand({ type: 'ExpireCase', now: '2027-03-10T16:59:59.999Z' }))
        .thenThrows(LimitationNotReachedError);
      const state = caseSpec()
        .given(detected)
        .when(caseCommand({ type: 'ExpireCase', now: ONE_YEAR_LATER }))
        .then([
          {
            type: 'CaseExpired',
            data: {
              observedAt: detectionInput().observedAt,
              limitationEndsAt: ONE_YEAR_LATER,
              expiredAt: ONE_YEAR_LATER,
            },
          },
        ]);
      expect(state.status).to.equal('expired');
    });
    it('never expires a decided case', () => {
      caseSpec()
        .given(decided)
        .when(caseCommand({ type: 'ExpireCase', now: '2027-06-01T00:00:00.000Z' }))
        .thenThrows(LimitationNotReachedError);
    });
    it('refuses review after expiry', () => {
      const expired = after(detected, caseCommand({ type: 'ExpireCase', now: ONE_YEAR_LATER }));
      caseSpec()
        .given(expired)
        .when(confirmReview(expired, { signedAt: ONE_YEAR_LATER }, { now: ONE_YEAR_LATER }))
        .thenThrows(LimitationPeriodElapsedError);
    });
  });
});

const REVIEWED = '2026-03-11T02:00:00.000Z';
