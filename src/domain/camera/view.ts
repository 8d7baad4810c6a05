/**
 * What other aggregates may know about a camera: built by the command handler from the folded camera
 * stream and passed into case commands, so the case decider stays pure.
 */
import { checkKeyAt, type KeyCheck, type KeyView } from '../signoff/keys-in-force.ts';
import { toMillis, type Location } from '../signoff/primitives.ts';
import type { Calibration, CameraState } from './state.ts';

export interface CameraView {
  cameraId: string;
  province: string;
  status: 'active' | 'suspended' | 'decommissioned';
  location: Location;
  keys: KeyView[];
  calibrations: Calibration[];
}

/** The view of a registered camera, or undefined when it was never registered. */
export function cameraView(state: CameraState): CameraView | undefined {
  if (state.status === 'unregistered') return undefined;
  return {
    cameraId: state.cameraId,
    province: state.province,
    status: state.status,
    location: state.location,
    keys: state.keys,
    calibrations: state.calibrations,
  };
}

/** The calibration certificate valid at `at` (validFrom ≤ at < validTo), if any. */
export function calibrationValidAt(
  camera: Pick<CameraView, 'calibrations'>,
  at: string,
): Calibration | undefined {
  const t = toMillis(at);
  return camera.calibrations.find((c) => toMillis(c.validFrom) <= t && t < toMillis(c.validTo));
}

export function cameraKeyAt(camera: Pick<CameraView, 'keys'>, keyId: string, at: string): KeyCheck {
  return checkKeyAt(camera.keys, keyId, at);
}
