import type { KeyView } from '../signoff/keys-in-force.ts';
import type { Location } from '../signoff/primitives.ts';

export interface Calibration {
  certificateId: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

export interface CameraFacts {
  cameraId: string;
  province: string;
  location: Location;
  model?: string;
  communeCode?: string;
  routeCode?: string;
  keys: KeyView[];
  calibrations: Calibration[];
}

export type CameraState =
  | { status: 'unregistered' }
  | ({ status: 'active' } & CameraFacts)
  | ({ status: 'suspended'; suspendedReason: string } & CameraFacts)
  | ({ status: 'decommissioned' } & CameraFacts);

export type CameraStatus = CameraState['status'];
