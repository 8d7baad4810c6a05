/**
 * Camera application services: administer a camera's registration, device keys and calibration. Each loads
 * `camera-<cameraId>`, decides and appends through `handleCommand`. All are safe to retry on a conflict: the
 * decider re-checks them against the newer history (a second registration is refused, a rotation applies on
 * top of the latest key).
 */
import { cameraDecider } from '../domain/camera/decider.ts';
import type { CameraCommand } from '../domain/camera/commands.ts';
import { parseCameraEvent } from '../domain/camera/events.ts';
import type { CameraState } from '../domain/camera/state.ts';
import { streams } from '../domain/record.ts';
import { commandExecutor, commandServices, type ExecuteCommand } from './aggregate.ts';

export const executeCameraCommand: ExecuteCommand<CameraCommand, CameraState> = commandExecutor({
  stream: (command) => streams.camera(command.cameraId),
  decider: cameraDecider,
  parseEvent: parseCameraEvent,
  retrySafe: () => true,
  recordProvince: (state) => (state.status === 'unregistered' ? undefined : state.province),
});

const camera = commandServices(executeCameraCommand);

export const registerCamera = camera('RegisterCamera');
export const certifyCalibration = camera('CertifyCalibration');
export const rotateDeviceKey = camera('RotateDeviceKey');
export const revokeDeviceKey = camera('RevokeDeviceKey');
export const suspendCamera = camera('SuspendCamera');
export const reinstateCamera = camera('ReinstateCamera');
export const decommissionCamera = camera('DecommissionCamera');
