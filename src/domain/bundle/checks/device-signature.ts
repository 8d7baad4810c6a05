/**
 * 7. DEVICE_SIGNATURE (bundle.md): every detection carries purpose detection/v1 and is signed by its
 * camera's device key in force at the detection's leaf.
 */
import { streams } from '../../record.ts';
import { DETECTION_PURPOSE, DEVICE_KEY_REGISTERING, DEVICE_KEY_REVOKING } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import { checkSignature, keyEvents } from './keys-in-force.ts';
import { isObject, isString } from './parts.ts';
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
    if (!isObject(detection) || detection.purpose !== DETECTION_PURPOSE || !isString(detection.cameraId)) {
      failures.push(
        failure(`detection is missing or does not carry purpose ${DETECTION_PURPOSE}`, { recordIds: [r.id] }),
      );
      continue;
    }
    const stream = streams.camera(detection.cameraId);
    const events = keyEvents(t, byStream, stream, DEVICE_KEY_REGISTERING, DEVICE_KEY_REVOKING);
    checkSignature(t, failures, r, stream, events, detection, 'detection');
  }
  return failures;
}
