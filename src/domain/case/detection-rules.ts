/**
 * Ingesting a signed detection (`RecordDetection` → `ViolationDetected`).
 *
 * Idempotent: a case id is derived from the detection id, so a repeat of the same signed detection lands
 * on the existing case and yields no events; a different detection under the same id is a conflict.
 * A detection is refused unless its signature verifies under the camera key in force at observedAt (checked
 * here, or once by the ingest route when it hands over a genuine `VerifiedDetection` for this very detection). It is
 * accepted but flagged when the camera's calibration was not valid at observedAt, the edge model version
 * is not approved, or the camera is suspended: such a case cannot be confirmed without an override reason.
 */
import { cameraKeyAt, calibrationValidAt } from '../camera/view.ts';
import { isModelApproved } from '../model/view.ts';
import { canonicalize } from '../integrity/canonical.ts';
import { caseIdForDetection } from '../ids.ts';
import { parseOrThrow } from '../signoff/builders.ts';
import { verifyDetection } from '../signoff/signing.ts';
import { isVerifiedFor } from '../signoff/verified-detection.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import { isNotInFuture, requireSameProvince } from '../signoff/guards.ts';
import { DetectionSchema } from '../signoff/payloads.ts';
import { authorizeCaseActor } from './authorization.ts';
import type { CaseCommandOf } from './commands.ts';
import {
  CameraNotUsableError,
  CaseIdMismatchError,
  DetectionConflictError,
  DetectionSignatureInvalidError,
  DeviceKeyNotInForceError,
  TimestampInFutureError,
} from './errors.ts';
import type { CaseEvent, CaseFlag } from './events.ts';
import { catalogEntryFor, requireWithinLimitation } from './legal.ts';
import type { CaseState } from './state.ts';

export function recordDetection(
  command: CaseCommandOf<'RecordDetection'>,
  state: CaseState,
  now: string,
): CaseEvent[] {
  // No officer may record a detection, so the province does not matter to the rule here.
  authorizeCaseActor(command, command.province);
  const detectionId = (command.detection as { detectionId?: unknown } | null)?.detectionId;
  if (typeof detectionId !== 'string' || command.caseId !== caseIdForDetection(detectionId)) {
    throw new CaseIdMismatchError('caseId must be derived from the detection id', {});
  }
  if (state.status !== 'none') {
    const same =
      canonicalize(state.detection) === safeCanonical(command.detection) &&
      state.detectionSignature === command.signature &&
      state.detectionKeyId === command.keyId;
    if (same) return [];
    throw new DetectionConflictError('A different detection was already recorded under this detection id', {
      caseId: state.caseId,
    });
  }

  const detection = parseOrThrow(DetectionSchema, command.detection, 'detection');
  const camera = command.context?.camera;
  if (!camera || camera.cameraId !== detection.cameraId || camera.status === 'decommissioned') {
    throw new CameraNotUsableError('The detecting camera is not registered or is decommissioned', {
      cameraId: detection.cameraId,
    });
  }
  requireSameProvince(command, camera.province, true);
  if (!isNotInFuture(detection.observedAt, now)) {
    throw new TimestampInFutureError('observedAt lies in the future', { observedAt: detection.observedAt });
  }
  requireWithinLimitation(detection.observedAt, now);
  const digests = detection.evidence.map((e) => e.digest);
  if (new Set(digests).size !== digests.length)
    throw new InvalidCommandError('Evidence digests must be unique', { field: 'evidence' });

  const key = cameraKeyAt(camera, command.keyId, detection.observedAt);
  if (!key.ok)
    throw new DeviceKeyNotInForceError('The device key was not in force at observedAt', {
      reason: key.reason,
    });
  // Verified once at the edge when the route hands its proof over for this very detection; otherwise here.
  const verifiedAtEdge = isVerifiedFor(
    command.context.verified,
    command.detection,
    command.signature,
    command.keyId,
    key.key.publicKey,
  );
  if (!verifiedAtEdge && !verifyDetection(detection, command.signature, key.key.publicKey)) {
    throw new DetectionSignatureInvalidError('The detection signature does not verify under the camera key', {
      keyId: command.keyId,
    });
  }
  // The violation must exist for this vehicle class under the catalog in force on the violation date.
  catalogEntryFor(detection.violationCode, detection.vehicleClass, detection.observedAt);

  const flags: CaseFlag[] = [];
  if (!calibrationValidAt(camera, detection.observedAt)) {
    flags.push({
      flag: 'calibration-invalid',
      detail: 'No calibration certificate of the camera was valid at observedAt',
    });
  }
  const model = command.context.model;
  if (model !== undefined && !isModelApproved(model)) {
    flags.push({
      flag: 'model-not-approved',
      detail: `Model ${model.name} ${model.version} is ${model.status}`,
    });
  }
  if (camera.status === 'suspended')
    flags.push({ flag: 'camera-suspended', detail: 'The camera was suspended at ingestion' });

  return [
    {
      type: 'ViolationDetected',
      data: {
        detection,
        signature: command.signature,
        keyId: command.keyId,
        caseId: command.caseId,
        province: camera.province,
        ...(model !== undefined
          ? { model: { modelId: model.modelId, name: model.name, version: model.version } }
          : {}),
        ...(flags.length > 0 ? { flags } : {}),
      },
    },
  ];
}

function safeCanonical(value: unknown): string | undefined {
  try {
    return canonicalize(value);
  } catch {
    return undefined;
  }
}
