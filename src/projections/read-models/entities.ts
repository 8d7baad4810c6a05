/**
 * TypeORM entities of the read models (EntitySchema form: no decorator metadata needed under tsx). The
 * schema itself comes only from the migration; these map the columns for the query functions. Projections
 * write with set-based SQL (see ../sql.ts), which is what makes replay fast.
 */
import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { bigintTransformer, vndTransformer } from './transformers.ts';

type Col = EntitySchemaColumnOptions;
const text = (name: string, nullable = false): Col => ({ name, type: 'text', nullable });
const ts = (name: string, nullable = false): Col => ({ name, type: 'timestamptz', nullable });
const int = (name: string, nullable = false): Col => ({ name, type: 'integer', nullable });
const big = (name: string, nullable = false): Col => ({ name, type: 'bigint', nullable, transformer: bigintTransformer });
const vnd = (name: string, nullable = false): Col => ({ name, type: 'bigint', nullable, transformer: vndTransformer });
const json = (name: string, nullable = false): Col => ({ name, type: 'jsonb', nullable });
const bool = (name: string): Col => ({ name, type: 'boolean' });
const key = (c: Col): Col => ({ ...c, primary: true });

export interface ProjectionStatusRow {
  name: string;
  checkpoint: string | null;
  eventsSeen: bigint;
  state: 'running' | 'failed';
  error: string | null;
  failingEventId: string | null;
  failingCheckpoint: string | null;
  lastRecordedAt: Date | null;
  updatedAt: Date;
}
export const ProjectionStatusEntity = new EntitySchema<ProjectionStatusRow>({
  name: 'ProjectionStatus',
  tableName: 'projection_status',
  columns: {
    name: key(text('name')),
    checkpoint: text('checkpoint', true),
    eventsSeen: big('events_seen'),
    state: text('state'),
    error: text('error', true),
    failingEventId: { name: 'failing_event_id', type: 'uuid', nullable: true },
    failingCheckpoint: text('failing_checkpoint', true),
    lastRecordedAt: ts('last_recorded_at', true),
    updatedAt: ts('updated_at'),
  },
});

export interface CaseRow {
  caseId: string;
  province: string;
  cameraId: string;
  detectionId: string;
  observedAt: Date;
  detectedAt: Date;
  locationDescription: string;
  roadType: string;
  commune: string | null;
  latMicro: number;
  lonMicro: number;
  violationCode: string;
  violationTitle: string | null;
  legalBasis: unknown;
  vehicleClass: string;
  plateEdge: string | null;
  plateEdgeCompact: string | null;
  plateAi: string | null;
  plateAiCompact: string | null;
  plateConfirmed: string | null;
  plateConfirmedCompact: string | null;
  status: string;
  statusBeforeEnd: string | null;
  closeReason: string | null;
  evidence: unknown;
  review: unknown;
  reviewedAt: Date | null;
  reviewedBy: string | null;
  decision: unknown;
  decidedAt: Date | null;
  decidedBy: string | null;
  noticeStatus: string | null;
  notices: unknown;
  fineVnd: number | null;
  points: number | null;
  paidVnd: number | null;
  paidAt: Date | null;
  appeals: unknown;
  flagCalibration: boolean;
  flagModelNotApproved: boolean;
  flagPlateMismatch: boolean;
  flags: unknown;
  modelId: string | null;
  ownerKind: string | null;
  revision: bigint;
  updatedAt: Date;
}
export const CaseEntity = new EntitySchema<CaseRow>({
  name: 'CaseView',
  tableName: 'rm_case',
  columns: {
    caseId: key({ name: 'case_id', type: 'uuid' }),
    province: text('province'),
    cameraId: text('camera_id'),
    detectionId: text('detection_id'),
    observedAt: ts('observed_at'),
    detectedAt: ts('detected_at'),
    locationDescription: text('location_description'),
    roadType: text('road_type'),
    commune: text('commune', true),
    latMicro: int('lat_micro'),
    lonMicro: int('lon_micro'),
    violationCode: text('violation_code'),
    violationTitle: text('violation_title', true),
    legalBasis: json('legal_basis', true),
    vehicleClass: text('vehicle_class'),
    plateEdge: text('plate_edge', true),
    plateEdgeCompact: text('plate_edge_compact', true),
    plateAi: text('plate_ai', true),
    plateAiCompact: text('plate_ai_compact', true),
    plateConfirmed: text('plate_confirmed', true),
    plateConfirmedCompact: text('plate_confirmed_compact', true),
    status: text('status'),
    statusBeforeEnd: text('status_before_end', true),
    closeReason: text('close_reason', true),
    evidence: json('evidence'),
    review: json('review', true),
    reviewedAt: ts('reviewed_at', true),
    reviewedBy: text('reviewed_by', true),
    decision: json('decision', true),
    decidedAt: ts('decided_at', true),
    decidedBy: text('decided_by', true),
    noticeStatus: text('notice_status', true),
    notices: json('notices'),
    fineVnd: vnd('fine_vnd', true),
    points: int('points', true),
    paidVnd: vnd('paid_vnd', true),
    paidAt: ts('paid_at', true),
    appeals: json('appeals'),
    flagCalibration: bool('flag_calibration'),
    flagModelNotApproved: bool('flag_model_not_approved'),
    flagPlateMismatch: bool('flag_plate_mismatch'),
    flags: json('flags'),
    modelId: text('model_id', true),
    ownerKind: text('owner_kind', true),
    revision: big('revision'),
    updatedAt: ts('updated_at'),
  },
});

export interface CaseTimelineRow {
  caseId: string;
  revision: bigint;
  eventId: string;
  type: string;
  actorKind: string;
  actorId: string;
  recordedAt: Date;
  recordHash: string;
  summary: unknown;
}
export const CaseTimelineEntity = new EntitySchema<CaseTimelineRow>({
  name: 'CaseTimeline',
  tableName: 'rm_case_timeline',
  columns: {
    caseId: key({ name: 'case_id', type: 'uuid' }),
    revision: key(big('revision')),
    eventId: { name: 'event_id', type: 'uuid' },
    type: text('type'),
    actorKind: text('actor_kind'),
    actorId: text('actor_id'),
    recordedAt: ts('recorded_at'),
    recordHash: { name: 'record_hash', type: 'char', length: 64 },
    summary: json('summary'),
  },
});

export interface CitizenViolationRow {
  caseId: string;
  plateCompact: string;
  plate: string;
  plateColour: string | null;
  vehicleType: string;
  observedAt: Date;
  place: string;
  violationCode: string;
  violation: string;
  detectingUnit: string;
  status: string;
  published: boolean;
}
export const CitizenViolationEntity = new EntitySchema<CitizenViolationRow>({
  name: 'CitizenViolation',
  tableName: 'rm_citizen_violation',
  columns: {
    caseId: key({ name: 'case_id', type: 'uuid' }),
    plateCompact: text('plate_compact'),
    plate: text('plate'),
    plateColour: text('plate_colour', true),
    vehicleType: text('vehicle_type'),
    observedAt: ts('observed_at'),
    place: text('place'),
    violationCode: text('violation_code'),
    violation: text('violation'),
    detectingUnit: text('detecting_unit'),
    status: text('status'),
    published: bool('published'),
  },
});

export interface StatsDailyRow {
  day: string;
  province: string;
  violationCode: string;
  detections: bigint;
  confirmed: bigint;
  rejected: bigint;
  penalties: bigint;
  finesDecidedVnd: number;
  finesPaidVnd: number;
  points: bigint;
}
export const StatsDailyEntity = new EntitySchema<StatsDailyRow>({
  name: 'StatsDaily',
  tableName: 'rm_stats_daily',
  columns: {
    day: key({ name: 'day', type: 'date' }),
    province: key(text('province')),
    violationCode: key(text('violation_code')),
    detections: big('detections'),
    confirmed: big('confirmed'),
    rejected: big('rejected'),
    penalties: big('penalties'),
    finesDecidedVnd: vnd('fines_decided_vnd'),
    finesPaidVnd: vnd('fines_paid_vnd'),
    points: big('points'),
  },
});

export interface CameraRow {
  cameraId: string;
  province: string;
  roadType: string;
  commune: string | null;
  description: string;
  latMicro: number;
  lonMicro: number;
  status: string;
  keyId: string;
  calibrationCertificate: string | null;
  calibrationValidFrom: Date | null;
  calibrationValidTo: Date | null;
  registeredAt: Date;
  updatedAt: Date;
}
export const CameraEntity = new EntitySchema<CameraRow>({
  name: 'CameraView',
  tableName: 'rm_camera',
  columns: {
    cameraId: key(text('camera_id')),
    province: text('province'),
    roadType: text('road_type'),
    commune: text('commune', true),
    description: text('description'),
    latMicro: int('lat_micro'),
    lonMicro: int('lon_micro'),
    status: text('status'),
    keyId: text('key_id'),
    calibrationCertificate: text('calibration_certificate', true),
    calibrationValidFrom: ts('calibration_valid_from', true),
    calibrationValidTo: ts('calibration_valid_to', true),
    registeredAt: ts('registered_at'),
    updatedAt: ts('updated_at'),
  },
});

export interface ModelVersionRow {
  modelId: string;
  name: string;
  version: string;
  status: string;
  registeredAt: Date;
  approvedAt: Date | null;
  suspendedAt: Date | null;
}
export const ModelVersionEntity = new EntitySchema<ModelVersionRow>({
  name: 'ModelVersionView',
  tableName: 'rm_model_version',
  columns: {
    modelId: key(text('model_id')),
    name: text('name'),
    version: text('version'),
    status: text('status'),
    registeredAt: ts('registered_at'),
    approvedAt: ts('approved_at', true),
    suspendedAt: ts('suspended_at', true),
  },
});

export interface CustodyRow {
  eventId: string;
  caseId: string;
  seq: bigint;
  actorKind: string;
  actorId: string;
  access: string;
  purpose: string;
  digest: string | null;
  accessedAt: Date;
  province: string;
  recordHash: string;
}
export const CustodyEntity = new EntitySchema<CustodyRow>({
  name: 'CustodyView',
  tableName: 'rm_custody',
  columns: {
    eventId: key({ name: 'event_id', type: 'uuid' }),
    caseId: { name: 'case_id', type: 'uuid' },
    seq: big('seq'),
    actorKind: text('actor_kind'),
    actorId: text('actor_id'),
    access: text('access'),
    purpose: text('purpose'),
    digest: text('digest', true),
    accessedAt: ts('accessed_at'),
    province: text('province'),
    recordHash: { name: 'record_hash', type: 'char', length: 64 },
  },
});

export const READ_MODEL_ENTITIES = [
  ProjectionStatusEntity,
  CaseEntity,
  CaseTimelineEntity,
  CitizenViolationEntity,
  StatsDailyEntity,
  CameraEntity,
  ModelVersionEntity,
  CustodyEntity,
];
