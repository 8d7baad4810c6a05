/**
 * A small world for the case specs: a registered and calibrated camera, officers of several kinds, model
 * versions, and builders for signed detections and sign-offs. Everything is built through the real deciders
 * and the real signing code.
 */
import { listViolations, type CatalogEntry } from '../../../src/domain/catalog/index.ts';
import { cameraDecider } from '../../../src/domain/camera/decider.ts';
import type { CameraEvent } from '../../../src/domain/camera/events.ts';
import { cameraView, type CameraView } from '../../../src/domain/camera/view.ts';
import type { CaseCommand, CaseCommandOf } from '../../../src/domain/case/commands.ts';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import type { CaseState } from '../../../src/domain/case/state.ts';
import { fold } from '../../../src/domain/decider.ts';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { modelDecider } from '../../../src/domain/model/decider.ts';
import type { ModelEvent } from '../../../src/domain/model/events.ts';
import { modelView, type ModelView } from '../../../src/domain/model/view.ts';
import { officerDecider } from '../../../src/domain/officer/decider.ts';
import type { OfficerEvent, OfficerRole } from '../../../src/domain/officer/events.ts';
import { officerView, type OfficerView } from '../../../src/domain/officer/view.ts';
import {
  buildAppealSignoff,
  buildDecisionSignoff,
  buildDetectionPayload,
  buildRecordSignoff,
  buildReviewSignoff,
  buildTransferSignoff,
  buildVoidSignoff,
  signDetection,
  signSignoff,
  type AppealSignoffInput,
  type DecisionSignoffInput,
  type RecordSignoffInput,
  type TransferSignoffInput,
  type ReviewSignoffInput,
} from '../../../src/domain/signoff/index.ts';
import { keyPairFromLabel, type Ed25519KeyPair } from '../../../src/domain/signoff/keys.ts';
import type { Detection, DetectionInput } from '../../../src/domain/signoff/payloads.ts';
import type { Actor } from '../../../src/domain/record.ts';
import { cameraKey, HANOI, location } from './fixtures.ts';

export const OBSERVED_AT = '2026-03-10T01:00:00.000Z';
export const INGESTED_AT = '2026-03-10T01:00:05.000Z';
export const REVIEWED_AT = '2026-03-11T02:00:00.000Z';
export const DECIDED_AT = '2026-03-20T02:00:00.000Z';
export const PLATE = '30A-123.45';

/** A car violation from the catalog in force on the observation date (so specs follow the catalog's data). */
export function carViolation(onDate = '2026-03-10'): CatalogEntry {
  const entry = listViolations(onDate).find(
    (e) => e.vehicleClasses.includes('car') && e.fineMaxVnd <= 37_500_000,
  );
  if (!entry) throw new Error('the catalog has no car violation a provincial director may decide');
  return entry;
}

export function cameraWith(events: CameraEvent[]): CameraView {
  return cameraView(fold(cameraDecider, events))!;
}

export const cameraRegistered = (registeredAt = '2026-01-10T08:00:00.000Z'): CameraEvent => ({
  type: 'CameraRegistered',
  data: {
    cameraId: 'cam-01-0001',
    province: HANOI,
    location,
    publicKey: cameraKey.publicKey,
    keyId: cameraKey.keyId,
    registeredAt,
  },
});
export const calibrationCertified = (
  validFrom = '2026-01-01T00:00:00.000Z',
  validTo = '2027-01-01T00:00:00.000Z',
): CameraEvent => ({
  type: 'CalibrationCertified',
  data: {
    cameraId: 'cam-01-0001',
    certificateId: 'VMI-2026-0042',
    issuer: 'VMI',
    validFrom,
    validTo,
    certifiedAt: '2026-01-10T08:00:00.000Z',
  },
});
export const camera = cameraWith([cameraRegistered(), calibrationCertified()]);

export interface TestOfficer {
  view: OfficerView;
  key: Ed25519KeyPair;
  actor: Actor;
}

export function officer(
  id: string,
  opts: {
    province?: string;
    title?: string;
    roles?: OfficerRole[];
    enrolledAt?: string;
    extra?: (key: Ed25519KeyPair) => OfficerEvent[];
  } = {},
): TestOfficer {
  const key = keyPairFromLabel(`${id}#1`);
  const enrolled: OfficerEvent = {
    type: 'OfficerEnrolled',
    data: {
      officerId: id,
      province: opts.province ?? HANOI,
      title: opts.title ?? 'provincial-police-director',
      roles: opts.roles ?? ['reviewer', 'decider', 'supervisor'],
      publicKey: key.publicKey,
      keyId: key.keyId,
      enrolledAt: opts.enrolledAt ?? '2026-01-10T08:00:00.000Z',
    },
  };
  const view = officerView(fold(officerDecider, [enrolled, ...(opts.extra?.(key) ?? [])]))!;
  return { view, key, actor: { kind: 'officer', id } };
}

export const reviewer = officer('off-01-0001');

export function model(status: 'registered' | 'approved' | 'suspended'): ModelView {
  const events: ModelEvent[] = [
    {
      type: 'ModelVersionRegistered',
      data: {
        modelId: 'ppocr-v4-1',
        name: 'PP-OCRv4',
        version: '4.0.0',
        files: [{ name: 'rec.onnx', sha256: 'c'.repeat(64) }],
        registeredAt: '2026-01-01T00:00:00.000Z',
      },
    },
  ];
  if (status !== 'registered') {
    events.push({
      type: 'ModelVersionApproved',
      data: { modelId: 'ppocr-v4-1', approvedBy: 'off-00-0001', approvedAt: '2026-01-02T00:00:00.000Z' },
    });
  }
  if (status === 'suspended') {
    events.push({
      type: 'ModelVersionSuspended',
      data: { modelId: 'ppocr-v4-1', reason: 'drift', suspendedAt: '2026-01-03T00:00:00.000Z' },
    });
  }
  return modelView(fold(modelDecider, events))!;
}

export const OVERVIEW = `sha256:${'1'.repeat(64)}`;
export const PLATE_CROP = `sha256:${'2'.repeat(64)}`;

export function detectionInput(overrides: Partial<DetectionInput> = {}): DetectionInput {
  return {
    detectionId: 'det-cam-01-0001-000042',
    cameraId: 'cam-01-0001',
    observedAt: OBSERVED_AT,
    location,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    measurements: { signalRedMs: 2400 },
    plateRead: { text: PLATE, confidenceBp: 9712 },
    evidence: [
      { digest: PLATE_CROP, mediaType: 'image/jpeg', size: 20_480, role: 'plate' },
      { digest: OVERVIEW, mediaType: 'image/jpeg', size: 183_201, role: 'overview' },
    ],
    ...overrides,
  };
}

export function recordDetection(
  overrides: Partial<DetectionInput> = {},
  opts: { key?: Ed25519KeyPair; cameraView?: CameraView | undefined; model?: ModelView; now?: string } = {},
): CaseCommandOf<'RecordDetection'> {
  const detection: Detection = buildDetectionPayload(detectionInput(overrides));
  const signed = signDetection(detection, (opts.key ?? cameraKey).secretKey);
  return {
    type: 'RecordDetection',
    caseId: caseIdForDetection(detection.detectionId),
    now: opts.now ?? INGESTED_AT,
    actor: { kind: 'device', id: 'cam-01-0001' },
    province: HANOI,
    detection: signed.detection,
    signature: signed.signature,
    keyId: signed.keyId,
    context: {
      camera: 'cameraView' in opts ? opts.cameraView : camera,
      ...(opts.model ? { model: opts.model } : {}),
    },
  };
}

export const CASE_ID = caseIdForDetection(detectionInput().detectionId);

/** The event the standard detection produces (flags as given). */
export function violationDetected(
  command = recordDetection(),
  flags?: {
    flag: 'calibration-invalid' | 'model-not-approved' | 'plate-mismatch' | 'camera-suspended' | 'manual';
    detail: string;
  }[],
): CaseEvent {
  return {
    type: 'ViolationDetected',
    data: {
      detection: command.detection,
      signature: command.signature,
      keyId: command.keyId,
      caseId: command.caseId,
      province: HANOI,
      ...(flags ? { flags } : {}),
    },
  };
}

/** The revision of the last event of a history (what a signer has seen). */
export const lastRevision = (history: CaseEvent[]): number => history.length - 1;

const envelope = (who: TestOfficer, now: string) => ({
  caseId: CASE_ID,
  now,
  actor: who.actor,
  province: HANOI,
  context: { officer: who.view },
});

export function confirmReview(
  history: CaseEvent[],
  overrides: Partial<ReviewSignoffInput> = {},
  opts: { by?: TestOfficer; signWith?: Ed25519KeyPair; now?: string } = {},
): CaseCommand {
  const who = opts.by ?? reviewer;
  const signoff = buildReviewSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    decision: 'confirm',
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: REVIEWED_AT,
    ...overrides,
  });
  const signed = signSignoff(signoff, (opts.signWith ?? who.key).secretKey);
  return { type: 'ConfirmReview', ...envelope(who, opts.now ?? REVIEWED_AT), ...signed };
}

export function rejectReview(
  history: CaseEvent[],
  overrides: Partial<ReviewSignoffInput> = {},
  opts: { by?: TestOfficer } = {},
): CaseCommand {
  const who = opts.by ?? reviewer;
  const signoff = buildReviewSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    decision: 'reject',
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: REVIEWED_AT,
    rejectReason: 'exempt-vehicle',
    rejectNote: 'Ambulance on duty',
    ...overrides,
  });
  return { type: 'RejectReview', ...envelope(who, REVIEWED_AT), ...signSignoff(signoff, who.key.secretKey) };
}

export function decidePenalty(
  history: CaseEvent[],
  overrides: Partial<DecisionSignoffInput> = {},
  opts: { by?: TestOfficer; now?: string } = {},
): CaseCommand {
  const who = opts.by ?? reviewer;
  const entry = carViolation();
  const signoff = buildDecisionSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    violationCode: entry.code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: DECIDED_AT,
    fineVnd: entry.fineMinVnd,
    points: entry.points,
    legalBasis: { ...entry.legalBasis },
    offender: { kind: 'individual', ref: 'owner-0001' },
    ...overrides,
  });
  return {
    type: 'DecidePenalty',
    ...envelope(who, opts.now ?? DECIDED_AT),
    ...signSignoff(signoff, who.key.secretKey),
  };
}

export const RECORDED_AT = '2026-03-20T02:00:00.000Z';

/** A signed record/v1: the violation record (biên bản) against the owner by default. */
export function drawRecord(
  history: CaseEvent[],
  overrides: Partial<RecordSignoffInput> = {},
  opts: { by?: TestOfficer; now?: string; signWith?: Ed25519KeyPair } = {},
): CaseCommandOf<'DrawViolationRecord'> {
  const who = opts.by ?? reviewer;
  const now = opts.now ?? RECORDED_AT;
  const signoff = buildRecordSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: now,
    recordId: 'bb-2026-0001',
    offender: { kind: 'individual', ref: 'owner-0001' },
    ...overrides,
  });
  return {
    type: 'DrawViolationRecord',
    ...envelope(who, now),
    ...signSignoff(signoff, (opts.signWith ?? who.key).secretKey),
  };
}

export const TRANSFERRED_AT = '2026-03-12T02:00:00.000Z';

/** A signed transfer/v1 to the police of `toProvince` (default: TP. Hồ Chí Minh, "79"). */
export function transferCase(
  history: CaseEvent[],
  overrides: Partial<TransferSignoffInput> = {},
  opts: { by?: TestOfficer; now?: string } = {},
): CaseCommandOf<'TransferCase'> {
  const who = opts.by ?? reviewer;
  const now = opts.now ?? TRANSFERRED_AT;
  const signoff = buildTransferSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: now,
    toProvince: '79',
    reason: 'The owner resides in TP. Hồ Chí Minh',
    ...overrides,
  });
  return { type: 'TransferCase', ...envelope(who, now), ...signSignoff(signoff, who.key.secretKey) };
}

export function voidCase(history: CaseEvent[], now: string, opts: { by?: TestOfficer } = {}): CaseCommand {
  const who = opts.by ?? reviewer;
  const signoff = buildVoidSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: now,
    voidReason: 'Camera clock found 2 hours off',
  });
  return { type: 'VoidCase', ...envelope(who, now), ...signSignoff(signoff, who.key.secretKey) };
}

/** A signed appeal/v1 resolution of `appealId` (default: upheld, no fine change). */
export function resolveAppeal(
  history: CaseEvent[],
  overrides: Partial<AppealSignoffInput> = {},
  opts: { by?: TestOfficer; now?: string; signWith?: Ed25519KeyPair } = {},
): CaseCommandOf<'ResolveAppeal'> {
  const who = opts.by ?? reviewer;
  const now = opts.now ?? APPEAL_RESOLVED_AT;
  const signoff = buildAppealSignoff({
    caseId: CASE_ID,
    caseRevision: lastRevision(history),
    violationCode: carViolation().code,
    plate: PLATE,
    evidence: [OVERVIEW, PLATE_CROP],
    signedAt: now,
    appealId: 'apl-1',
    outcome: 'upheld',
    reason: 'The evidence shows the violation clearly',
    ...overrides,
  });
  return {
    type: 'ResolveAppeal',
    ...envelope(who, now),
    appealId: signoff.appealId,
    ...signSignoff(signoff, (opts.signWith ?? who.key).secretKey),
  };
}

export const APPEAL_RESOLVED_AT = '2026-04-02T02:00:00.000Z';

/**
 * A plain (unsigned) case command with the standard envelope: by default acting as the enrolled Hà Nội officer
 * `reviewer` (roles reviewer, decider, supervisor) with its view in `context.officer`, as the services load it.
 */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export function caseCommand<C extends CaseCommand = CaseCommand>(
  command: DistributiveOmit<C, 'caseId' | 'province' | 'now' | 'actor'> & { now?: string; actor?: Actor },
): C {
  const base = { caseId: CASE_ID, province: HANOI, now: DECIDED_AT, actor: reviewer.actor };
  const given = (command as { context?: object }).context;
  return { ...base, ...command, context: { officer: reviewer.view, ...given } } as unknown as C;
}

export type { CaseState };
