/**
 * Camera events (stream `camera-<cameraId>`). Key events carry `publicKey` (base64 raw 32 bytes) and `keyId`,
 * or only `keyId` for a revocation (integrity.md §4); verifiers read keys from these records.
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import {
  IdentifierSchema,
  KeyIdSchema,
  LocationSchema,
  ProvinceCodeSchema,
  PublicKeySchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
} from '../signoff/primitives.ts';

/** A commune-level unit's official 5-digit code (General Statistics Office, 2025 list; reference/README.md). */
export const CommuneCodeSchema = z.string().regex(/^\d{5}$/);
/** An expressway route code: master-plan `CT.xx`, or a project-local `L.…` code (reference/README.md). */
export const RouteCodeSchema = z.string().regex(/^(CT\.\d{2}|L\.[A-Z0-9-]{1,20})$/);

export const CameraEventSchemas = {
  CameraRegistered: z.strictObject({
    cameraId: IdentifierSchema,
    province: ProvinceCodeSchema,
    location: LocationSchema,
    model: ShortTextSchema.optional(),
    /** Absent in records written before cameras carried reference codes. */
    communeCode: CommuneCodeSchema.optional(),
    /** Only for a camera on an expressway; absent in older records. */
    routeCode: RouteCodeSchema.optional(),
    publicKey: PublicKeySchema,
    keyId: KeyIdSchema,
    registeredAt: UtcTimestampSchema,
  }),
  CalibrationCertified: z.strictObject({
    cameraId: IdentifierSchema,
    certificateId: IdentifierSchema,
    issuer: ShortTextSchema,
    validFrom: UtcTimestampSchema,
    validTo: UtcTimestampSchema,
    certifiedAt: UtcTimestampSchema,
  }),
  DeviceKeyRotated: z.strictObject({
    cameraId: IdentifierSchema,
    publicKey: PublicKeySchema,
    keyId: KeyIdSchema,
    previousKeyId: KeyIdSchema.optional(),
    rotatedAt: UtcTimestampSchema,
  }),
  DeviceKeyRevoked: z.strictObject({
    cameraId: IdentifierSchema,
    keyId: KeyIdSchema,
    reason: TextSchema,
    revokedAt: UtcTimestampSchema,
  }),
  CameraSuspended: z.strictObject({
    cameraId: IdentifierSchema,
    reason: TextSchema,
    suspendedAt: UtcTimestampSchema,
  }),
  CameraReinstated: z.strictObject({ cameraId: IdentifierSchema, reinstatedAt: UtcTimestampSchema }),
  CameraDecommissioned: z.strictObject({
    cameraId: IdentifierSchema,
    reason: TextSchema,
    decommissionedAt: UtcTimestampSchema,
  }),
} as const;

export type CameraEvent = EventsOf<typeof CameraEventSchemas>;
export type CameraEventType = CameraEvent['type'];
export type CameraEventData<T extends CameraEventType> = Extract<CameraEvent, { type: T }>['data'];
export const CAMERA_EVENT_TYPES = Object.keys(CameraEventSchemas) as CameraEventType[];
export const parseCameraEvent = eventParser('camera', CameraEventSchemas);
