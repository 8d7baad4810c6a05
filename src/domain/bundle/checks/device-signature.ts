/**
 * 7. DEVICE_SIGNATURE (bundle.md): every detection carries a detection purpose (`detection/v1`, or
 * `detection/v2` added by integrity.md §4), has that purpose's shape, and is signed by its camera's device key
 * in force at the detection's leaf. Each version is checked under its own purpose: a `detection/v1` object
 * carrying `plateColour` (a v2 member) is refused even when its signature verifies, and a `detection/v2`
 * object must name one of the listed plate colours.
 */
import { streams } from '../../record.ts';
import { PLATE_COLOURS } from '../../plates/colours.ts';
import { DETECTION_PURPOSE, DETECTION_V2_PURPOSE, DEVICE_KEY_REGISTERING, DEVICE_KEY_REVOKING } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import { checkSignature, keyEvents } from './keys-in-force.ts';
import { isObject, isString, type Json } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export function checkDeviceSignatures(
  t: CheckTools,
  records: readonly ParsedRecord[],
  byStream: Map<string, ParsedRecord[]>,
): BundleFailure[] {
  const failures: BundleFailure[] = [];
  for (const r of records) {
    if (r.type !== 'ViolationDetected') continue;
    const detection = r.data.detection;
    if (
      !isObject(detection) ||
      (detection.purpose !== DETECTION_PURPOSE && detection.purpose !== DETECTION_V2_PURPOSE) ||
      !isString(detection.cameraId)
    ) {
      failures.push(
        failure(`detection is missing or carries neither ${DETECTION_PURPOSE} nor ${DETECTION_V2_PURPOSE}`, {
          recordIds: [r.id],
        }),
      );
      continue;
    }
    const shapeProblem = purposeShapeProblem(detection);
    if (shapeProblem) {
      failures.push(failure(shapeProblem, { recordIds: [r.id] }));
      continue;
    }
    const stream = streams.camera(detection.cameraId);
    const events = keyEvents(t, byStream, stream, DEVICE_KEY_REGISTERING, DEVICE_KEY_REVOKING);
    checkSignature(t, failures, r, stream, events, detection, 'detection');
  }
  return failures;
}

/** The member that tells the versions apart: absent under v1, one of the listed colours under v2. */
function purposeShapeProblem(detection: Json): string | undefined {
  const colour = detection.plateColour;
  if (detection.purpose === DETECTION_PURPOSE) {
    return 'plateColour' in detection ? `a ${DETECTION_PURPOSE} detection carries plateColour (a ${DETECTION_V2_PURPOSE} member)` : undefined;
  }
  return isString(colour) && (PLATE_COLOURS as readonly string[]).includes(colour)
    ? undefined
    : `a ${DETECTION_V2_PURPOSE} detection names no listed plateColour`;
}
