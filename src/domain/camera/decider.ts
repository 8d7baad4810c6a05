/**
 * Camera decider. A camera is registered once with its first device key; keys rotate (the old key stays
 * valid for what it signed before the rotation) or are revoked (never valid again); calibration certificates
 * accumulate. Decommissioning is final, but a key can still be revoked afterwards.
 */
import type { Decider } from '../decider.ts';
import { assertNever } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import {
  requireActorKind,
  requireKnownCommand,
  requireNow,
  requireProvinceCode,
  requireSameProvince,
  requireText,
  requireTimestamp,
} from '../signoff/guards.ts';
import { decideKeyRevocation, decideKeyRotation, requirePublicKey } from '../signoff/key-changes.ts';
import { withRevokedKey, withRotatedKey } from '../signoff/keys-in-force.ts';
import {
  IdentifierSchema,
  LocationSchema,
  ShortTextSchema,
  toMillis,
  type Location,
} from '../signoff/primitives.ts';
import { communeByCode, expresswayRoute } from '../reference/index.ts';
import { CAMERA_COMMAND_TYPES, type CameraCommand } from './commands.ts';
import {
  CalibrationAlreadyCertifiedError,
  CameraAlreadyRegisteredError,
  CameraDecommissionedError,
  CameraNotActiveError,
  CameraNotRegisteredError,
  CameraNotSuspendedError,
  InvalidCalibrationPeriodError,
  CommuneOutsideProvinceError,
  RouteOutsideProvinceError,
  UnknownCommuneError,
  UnknownExpresswayRouteError,
} from './errors.ts';
import { CommuneCodeSchema, RouteCodeSchema, type CameraEvent } from './events.ts';
import type { CameraFacts, CameraState } from './state.ts';

type Registered = Exclude<CameraState, { status: 'unregistered' }>;

const ADMINISTRATORS = ['officer', 'system'] as const;

function requireIdentifier(value: unknown, field: string): asserts value is string {
  if (!IdentifierSchema.safeParse(value).success)
    throw new InvalidCommandError(`${field} is not an identifier`, { field });
}

function requireRegistered(state: CameraState, command: CameraCommand): Registered {
  if (state.status === 'unregistered')
    throw new CameraNotRegisteredError('Camera is not registered', { cameraId: command.cameraId });
  if (command.cameraId !== state.cameraId)
    throw new InvalidCommandError('cameraId does not match the stream', {});
  requireSameProvince(command, state.province);
  return state;
}

function requireNotDecommissioned(state: Registered): Exclude<Registered, { status: 'decommissioned' }> {
  if (state.status === 'decommissioned')
    throw new CameraDecommissionedError('Camera is decommissioned', { cameraId: state.cameraId });
  return state;
}

/**
 * The commune and route codes of a registration, against the reference data (src/domain/reference): the
 * commune exists and lies in the camera's province; the route exists, the camera stands on an expressway,
 * and some listed section of the route (a technically opened one included) passes through the province.
 */
function requireReferenceCodes(
  command: Extract<CameraCommand, { type: 'RegisterCamera' }>,
  location: Location,
): void {
  if (command.communeCode !== undefined) {
    if (!CommuneCodeSchema.safeParse(command.communeCode).success)
      throw new InvalidCommandError('communeCode is not a 5-digit code', { field: 'communeCode' });
    const commune = communeByCode(command.communeCode);
    if (!commune)
      throw new UnknownCommuneError('No commune-level unit has this code', {
        communeCode: command.communeCode,
      });
    if (commune.province !== command.province) {
      throw new CommuneOutsideProvinceError("The commune is not in the camera's province", {
        communeCode: command.communeCode,
        communeProvince: commune.province,
        province: command.province,
      });
    }
  }
  if (command.routeCode !== undefined) {
    if (!RouteCodeSchema.safeParse(command.routeCode).success)
      throw new InvalidCommandError('routeCode is malformed', { field: 'routeCode' });
    const route = expresswayRoute(command.routeCode);
    if (!route)
      throw new UnknownExpresswayRouteError('No expressway route has this code', {
        routeCode: command.routeCode,
      });
    if (location.roadType !== 'expressway') {
      throw new RouteOutsideProvinceError('A route code needs a camera on an expressway', {
        routeCode: command.routeCode,
        roadType: location.roadType,
      });
    }
    if (!route.provinces.includes(command.province)) {
      throw new RouteOutsideProvinceError("The route does not pass through the camera's province", {
        routeCode: command.routeCode,
        routeProvinces: route.provinces,
        province: command.province,
      });
    }
  }
}

function decide(command: CameraCommand, state: CameraState): CameraEvent[] {
  requireKnownCommand(command?.type, CAMERA_COMMAND_TYPES);
  const now = requireNow(command);
  requireActorKind(command, ADMINISTRATORS, `${command.type}`);
  switch (command.type) {
    case 'RegisterCamera': {
      if (state.status !== 'unregistered') {
        throw new CameraAlreadyRegisteredError('Camera is already registered', { cameraId: state.cameraId });
      }
      requireIdentifier(command.cameraId, 'cameraId');
      requireProvinceCode(command.province, false);
      const location = LocationSchema.safeParse(command.location);
      if (!location.success) throw new InvalidCommandError('location is malformed', { field: 'location' });
      if (command.model !== undefined && !ShortTextSchema.safeParse(command.model).success) {
        throw new InvalidCommandError('model is malformed', { field: 'model' });
      }
      requireReferenceCodes(command, location.data);
      const keyId = requirePublicKey(command.publicKey);
      return [
        {
          type: 'CameraRegistered',
          data: {
            cameraId: command.cameraId,
            province: command.province,
            location: location.data,
            ...(command.model !== undefined ? { model: command.model } : {}),
            ...(command.communeCode !== undefined ? { communeCode: command.communeCode } : {}),
            ...(command.routeCode !== undefined ? { routeCode: command.routeCode } : {}),
            publicKey: command.publicKey,
            keyId,
            registeredAt: now,
          },
        },
      ];
    }
    case 'CertifyCalibration': {
      const camera = requireNotDecommissioned(requireRegistered(state, command));
      requireIdentifier(command.certificateId, 'certificateId');
      requireText(command.issuer, 'issuer', 200);
      requireTimestamp(command.validFrom, 'validFrom');
      requireTimestamp(command.validTo, 'validTo');
      if (toMillis(command.validTo) <= toMillis(command.validFrom)) {
        throw new InvalidCalibrationPeriodError('validTo must be later than validFrom', {
          validFrom: command.validFrom,
          validTo: command.validTo,
        });
      }
      if (camera.calibrations.some((c) => c.certificateId === command.certificateId)) {
        throw new CalibrationAlreadyCertifiedError('Certificate already recorded', {
          certificateId: command.certificateId,
        });
      }
      return [
        {
          type: 'CalibrationCertified',
          data: {
            cameraId: camera.cameraId,
            certificateId: command.certificateId,
            issuer: command.issuer,
            validFrom: command.validFrom,
            validTo: command.validTo,
            certifiedAt: now,
          },
        },
      ];
    }
    case 'RotateDeviceKey': {
      const camera = requireNotDecommissioned(requireRegistered(state, command));
      const rotation = decideKeyRotation(camera.keys, command.publicKey);
      return [{ type: 'DeviceKeyRotated', data: { cameraId: camera.cameraId, ...rotation, rotatedAt: now } }];
    }
    case 'RevokeDeviceKey': {
      const camera = requireRegistered(state, command);
      const revocation = decideKeyRevocation(camera.keys, command, 'camera');
      return [
        { type: 'DeviceKeyRevoked', data: { cameraId: camera.cameraId, ...revocation, revokedAt: now } },
      ];
    }
    case 'SuspendCamera': {
      const camera = requireNotDecommissioned(requireRegistered(state, command));
      requireText(command.reason, 'reason');
      if (camera.status !== 'active')
        throw new CameraNotActiveError('Camera is not active', { status: camera.status });
      return [
        {
          type: 'CameraSuspended',
          data: { cameraId: camera.cameraId, reason: command.reason, suspendedAt: now },
        },
      ];
    }
    case 'ReinstateCamera': {
      const camera = requireNotDecommissioned(requireRegistered(state, command));
      if (camera.status !== 'suspended')
        throw new CameraNotSuspendedError('Camera is not suspended', { status: camera.status });
      return [{ type: 'CameraReinstated', data: { cameraId: camera.cameraId, reinstatedAt: now } }];
    }
    case 'DecommissionCamera': {
      const camera = requireNotDecommissioned(requireRegistered(state, command));
      requireText(command.reason, 'reason');
      return [
        {
          type: 'CameraDecommissioned',
          data: { cameraId: camera.cameraId, reason: command.reason, decommissionedAt: now },
        },
      ];
    }
    default:
      return assertNever(command, 'camera command');
  }
}

function facts(state: Registered): CameraFacts {
  const { cameraId, province, location, model, keys, calibrations } = state;
  return { cameraId, province, location, ...(model !== undefined ? { model } : {}), keys, calibrations };
}

/** Re-applies the current status to new facts (so evolve keeps the tagged union intact). */
function withFacts(state: Registered, next: CameraFacts): CameraState {
  switch (state.status) {
    case 'active':
      return { status: 'active', ...next };
    case 'suspended':
      return { status: 'suspended', suspendedReason: state.suspendedReason, ...next };
    case 'decommissioned':
      return { status: 'decommissioned', ...next };
    default:
      return assertNever(state, 'camera state');
  }
}

function evolve(state: CameraState, event: CameraEvent): CameraState {
  if (event.type === 'CameraRegistered') {
    if (state.status !== 'unregistered') return state;
    const d = event.data;
    return {
      status: 'active',
      cameraId: d.cameraId,
      province: d.province,
      location: d.location,
      ...(d.model !== undefined ? { model: d.model } : {}),
      ...(d.communeCode !== undefined ? { communeCode: d.communeCode } : {}),
      ...(d.routeCode !== undefined ? { routeCode: d.routeCode } : {}),
      keys: [{ keyId: d.keyId, publicKey: d.publicKey, validFrom: d.registeredAt }],
      calibrations: [],
    };
  }
  if (state.status === 'unregistered') return state;
  const current = facts(state);
  switch (event.type) {
    case 'CalibrationCertified': {
      const { certificateId, issuer, validFrom, validTo } = event.data;
      return withFacts(state, {
        ...current,
        calibrations: [...current.calibrations, { certificateId, issuer, validFrom, validTo }],
      });
    }
    case 'DeviceKeyRotated':
      return withFacts(state, {
        ...current,
        keys: withRotatedKey(current.keys, event.data, event.data.rotatedAt),
      });
    case 'DeviceKeyRevoked':
      return withFacts(state, {
        ...current,
        keys: withRevokedKey(current.keys, event.data.keyId, event.data.revokedAt),
      });
    case 'CameraSuspended':
      return state.status === 'decommissioned'
        ? state
        : { status: 'suspended', suspendedReason: event.data.reason, ...current };
    case 'CameraReinstated':
      return state.status === 'decommissioned' ? state : { status: 'active', ...current };
    case 'CameraDecommissioned':
      return { status: 'decommissioned', ...current };
    default:
      return assertNever(event, 'camera event');
  }
}

function initialState(): CameraState {
  return { status: 'unregistered' };
}

export const cameraDecider: Decider<CameraCommand, CameraEvent, CameraState> = {
  decide,
  evolve,
  initialState,
};
