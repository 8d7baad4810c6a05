import type { CommandBase } from '../decider.ts';
import type { Location } from '../signoff/primitives.ts';

/** Camera commands. Administration is done by officers or the system, never by a device or a service. */
export type CameraCommand =
  /** The camera's province is the command's `province`. */
  | (CommandBase & {
      type: 'RegisterCamera';
      cameraId: string;
      location: Location;
      model?: string;
      /** Official code of the commune-level unit the camera stands in; must lie in the camera's province. */
      communeCode?: string;
      /** Expressway route code (CT.xx or a local L.… code); only on an expressway, through the camera's province. */
      routeCode?: string;
      publicKey: string;
    })
  | (CommandBase & {
      type: 'CertifyCalibration';
      cameraId: string;
      certificateId: string;
      issuer: string;
      validFrom: string;
      validTo: string;
    })
  | (CommandBase & { type: 'RotateDeviceKey'; cameraId: string; publicKey: string })
  | (CommandBase & { type: 'RevokeDeviceKey'; cameraId: string; keyId: string; reason: string })
  | (CommandBase & { type: 'SuspendCamera'; cameraId: string; reason: string })
  | (CommandBase & { type: 'ReinstateCamera'; cameraId: string })
  | (CommandBase & { type: 'DecommissionCamera'; cameraId: string; reason: string });

export type CameraCommandType = CameraCommand['type'];

export const CAMERA_COMMAND_TYPES = [
  'RegisterCamera',
  'CertifyCalibration',
  'RotateDeviceKey',
  'RevokeDeviceKey',
  'SuspendCamera',
  'ReinstateCamera',
  'DecommissionCamera',
] as const satisfies readonly CameraCommandType[];
