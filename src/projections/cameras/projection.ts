/**
 * `cameras`: the camera registry (province, road type, commune, status, current key, latest calibration
 * certificate). Calibration validity and coverage are judged at query time against a given instant.
 */
import { CAMERA_EVENT_TYPES } from '../../domain/camera/events.ts';
import { streamIdOf } from '../../domain/record.ts';
import { communeByCode } from '../../domain/reference/index.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import { eventOf } from '../events.ts';
import type { Projection } from '../projection.ts';
import { loadRows, upsertRows, type Row } from '../sql.ts';
import type { CameraEvent } from '../../domain/camera/events.ts';

export interface CameraViewRow extends Row {
  camera_id: string;
  province: string;
  road_type: string;
  commune: string | null;
  commune_code: string | null;
  route_code: string | null;
  description: string;
  lat_micro: number;
  lon_micro: number;
  status: 'active' | 'suspended' | 'decommissioned';
  key_id: string;
  calibration_certificate: string | null;
  calibration_valid_from: string | null;
  calibration_valid_to: string | null;
  registered_at: string;
  updated_at: string;
}

export function applyCameraEvent(
  row: CameraViewRow | undefined,
  event: CameraEvent,
  recordedAt: string,
): CameraViewRow | undefined {
  if (!row) {
    if (event.type !== 'CameraRegistered') return undefined;
    const d = event.data;
    return {
      camera_id: d.cameraId,
      province: d.province,
      road_type: d.location.roadType,
      // The location's own commune name wins; else the reference name of its commune code.
      commune: d.location.commune ?? (d.communeCode ? (communeByCode(d.communeCode)?.name ?? null) : null),
      commune_code: d.communeCode ?? null,
      route_code: d.routeCode ?? null,
      description: d.location.description,
      lat_micro: d.location.latMicro,
      lon_micro: d.location.lonMicro,
      status: 'active',
      key_id: d.keyId,
      calibration_certificate: null,
      calibration_valid_from: null,
      calibration_valid_to: null,
      registered_at: d.registeredAt,
      updated_at: recordedAt,
    };
  }
  const next = { ...row, updated_at: recordedAt };
  switch (event.type) {
    case 'CameraRegistered':
      return next;
    case 'CalibrationCertified':
      return {
        ...next,
        calibration_certificate: event.data.certificateId,
        calibration_valid_from: event.data.validFrom,
        calibration_valid_to: event.data.validTo,
      };
    case 'DeviceKeyRotated':
      return { ...next, key_id: event.data.keyId };
    case 'DeviceKeyRevoked':
      return next;
    case 'CameraSuspended':
      return next.status === 'decommissioned' ? next : { ...next, status: 'suspended' };
    case 'CameraReinstated':
      return next.status === 'decommissioned' ? next : { ...next, status: 'active' };
    case 'CameraDecommissioned':
      return { ...next, status: 'decommissioned' };
    default:
      return assertNever(event, 'camera event');
  }
}

export const camerasProjection: Projection = {
  name: 'cameras',
  eventTypes: CAMERA_EVENT_TYPES,
  tables: ['rm_camera'],
  async handle(batch, manager) {
    const records = batch.filter((s) => streamIdOf('camera', s.record.stream) !== undefined);
    const idOf = (stream: string) => streamIdOf('camera', stream)!;
    const rows = await loadRows<CameraViewRow>(
      manager,
      'rm_camera',
      'camera_id',
      [...new Set(records.map((s) => idOf(s.record.stream)))],
      'text',
    );
    const touched = new Set<string>();
    for (const stored of records) {
      const id = idOf(stored.record.stream);
      const next = applyCameraEvent(
        rows.get(id),
        eventOf(stored) as CameraEvent,
        stored.record.meta.recordedAt,
      );
      if (next) {
        rows.set(id, next);
        touched.add(id);
      }
    }
    await upsertRows(
      manager,
      'rm_camera',
      ['camera_id'],
      [...touched].map((id) => rows.get(id)!),
    );
  },
};
