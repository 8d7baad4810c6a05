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
import type { CommandDeps } from './deps.ts';
import { handleCommand } from './handler.ts';
import type { Caller, CommandFields, CommandOptions, CommandOutcome } from './outcome.ts';

type Fields<T extends CameraCommand['type']> = CommandFields<Extract<CameraCommand, { type: T }>>;

export async function executeCameraCommand(
  deps: CommandDeps,
  command: CameraCommand,
  options: CommandOptions = {},
): Promise<CommandOutcome<CameraState>> {
  const stream = streams.camera(command.cameraId);
  const result = await handleCommand({
    store: deps.store,
    stream,
    decider: cameraDecider,
    parseEvent: parseCameraEvent,
    command,
    ids: deps.ids,
    ...options,
    retry: { safe: true },
    recordProvince: (state) => (state.status === 'unregistered' ? undefined : state.province),
  });
  return {
    stream,
    events: result.events,
    nextExpectedRevision: result.nextExpectedRevision,
    state: result.state,
    alreadyApplied: result.alreadyApplied,
  };
}

function camera<T extends CameraCommand['type']>(type: T) {
  return (deps: CommandDeps, caller: Caller, fields: Fields<T>, options?: CommandOptions) =>
    executeCameraCommand(deps, { ...fields, type, now: deps.clock.now(), ...caller } as unknown as CameraCommand, options);
}

export const registerCamera = camera('RegisterCamera');
export const certifyCalibration = camera('CertifyCalibration');
export const rotateDeviceKey = camera('RotateDeviceKey');
export const revokeDeviceKey = camera('RevokeDeviceKey');
export const suspendCamera = camera('SuspendCamera');
export const reinstateCamera = camera('ReinstateCamera');
export const decommissionCamera = camera('DecommissionCamera');
