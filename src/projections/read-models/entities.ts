/**
 * The read models, each declared once (./declare.ts): an `EntitySchema` giving the entity the queries use,
 * the row type (`RowOf<typeof X>`), and the DDL. The tables are created only by migrations (whose SQL is
 * written out literally and never imports this file); test/integration/projections/schema.spec.ts migrates a
 * fresh database and checks that every table here is exactly what the migrations made. Projections write
 * with set-based SQL (see ../sql.ts), which is what makes replay fast.
 *
 * Conventions: instants are `timestamptz`, money is integer VND in `bigint`, revisions and counters are
 * `bigint`. No column is filled from a wall clock: every value comes from an event, so a rebuild from
 * position zero gives byte-identical rows (the auditor's replay compares them with EXCEPT).
 */
import {
  big,
  bool,
  day,
  hash64,
  int,
  json,
  key,
  readModel,
  text,
  ts,
  uuid,
  vnd,
  withDefault,
  type RowOf,
} from './declare.ts';

/** Each projection's checkpoint, stored in the transaction that writes its rows (../runner.ts). */
export const ProjectionStatusEntity = readModel({
  name: 'ProjectionStatus',
  tableName: 'projection_status',
  columns: {
    name: key(text('name')),
    checkpoint: text('checkpoint', true),
    eventsSeen: withDefault(big('events_seen'), 0),
    state: withDefault(text('state'), 'running'),
    error: text('error', true),
    failingEventId: uuid('failing_event_id', true),
    failingCheckpoint: text('failing_checkpoint', true),
    lastRecordedAt: ts('last_recorded_at', true),
    updatedAt: withDefault(ts('updated_at'), () => 'now()'),
  },
  checks: [{ expression: `state IN ('running', 'failed')` }],
});
export type ProjectionStatusRow = RowOf<typeof ProjectionStatusEntity>;

/** `case-views`: case summary and detail. */
export const CaseEntity = readModel({
  name: 'CaseView',
  tableName: 'rm_case',
  columns: {
    caseId: key(uuid('case_id')),
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
    /** The camera-case procedure (docs/legal-procedure.md): the province the case was transferred to, the
     * violation record's number, whether the owner named a driver, whether the owner was unresponsive, and the
     * payment's late surcharge and channel. */
    transferredTo: text('transferred_to', true),
    recordId: text('record_id', true),
    driverIdentified: bool('driver_identified'),
    ownerUnresponsive: bool('owner_unresponsive'),
    surchargeVnd: vnd('surcharge_vnd', true),
    paymentChannel: text('payment_channel', true),
    /** Whether the owner explained (`ExplanationSubmitted`): the response period then asks nothing more. */
    explained: bool('explained'),
    /**
     * When the owner's 20 days to respond end (`periodOfDays` of the latest notice not refused by its channel),
     * while the case waits on that response: noticed, no explanation, no record, not yet unresponsive. Null
     * otherwise. The procedure schedule's query (src/projections/queries/procedure.ts).
     */
    responseDueAt: ts('response_due_at', true),
    revision: big('revision'),
    updatedAt: ts('updated_at'),
  },
  indices: [
    { name: 'rm_case_response_due_idx', columns: ['responseDueAt', 'caseId'], where: 'response_due_at IS NOT NULL' },
    { name: 'rm_case_observed_idx', columns: ['observedAt', 'caseId'] },
    { name: 'rm_case_province_idx', columns: ['province', 'observedAt', 'caseId'] },
    { name: 'rm_case_status_idx', columns: ['province', 'status', 'observedAt', 'caseId'] },
    { name: 'rm_case_violation_idx', columns: ['violationCode', 'observedAt'] },
    { name: 'rm_case_camera_idx', columns: ['cameraId', 'observedAt'] },
    { name: 'rm_case_plate_edge_idx', columns: ['plateEdgeCompact'] },
    { name: 'rm_case_plate_ai_idx', columns: ['plateAiCompact'] },
    { name: 'rm_case_plate_confirmed_idx', columns: ['plateConfirmedCompact'] },
  ],
});
export type CaseRow = RowOf<typeof CaseEntity>;

/** `case-timeline`: every case record with actor, time, record hash and a short summary. */
export const CaseTimelineEntity = readModel({
  name: 'CaseTimeline',
  tableName: 'rm_case_timeline',
  columns: {
    caseId: key(uuid('case_id')),
    revision: key(big('revision')),
    eventId: uuid('event_id'),
    type: text('type'),
    actorKind: text('actor_kind'),
    actorId: text('actor_id'),
    recordedAt: ts('recorded_at'),
    recordHash: hash64('record_hash'),
    summary: json('summary'),
  },
});
export type CaseTimelineRow = RowOf<typeof CaseTimelineEntity>;

/** `citizen-lookup`: only the published fields of a confirmed case. */
export const CitizenViolationEntity = readModel({
  name: 'CitizenViolation',
  tableName: 'rm_citizen_violation',
  columns: {
    caseId: key(uuid('case_id')),
    plateCompact: text('plate_compact'),
    plate: text('plate'),
    /** Not recorded by cameras today; null rather than guessed. */
    plateColour: text('plate_colour', true),
    vehicleType: text('vehicle_type'),
    observedAt: ts('observed_at'),
    place: text('place'),
    violationCode: text('violation_code'),
    violation: text('violation'),
    detectingUnit: text('detecting_unit'),
    status: text('status'),
    published: bool('published'),
    /** The owner did not respond 20 days after the notice (`OwnerUnresponsive`): the vehicle is flagged. */
    ownerUnresponsive: bool('owner_unresponsive'),
    /** Handed over across nodes (status `transferred`): the receiving province, where the case goes on. */
    transferredTo: text('transferred_to', true),
  },
  indices: [
    { name: 'rm_citizen_violation_plate_idx', columns: ['plateCompact', 'observedAt'], where: 'published' },
  ],
});
export type CitizenViolationRow = RowOf<typeof CitizenViolationEntity>;

/** `statistics`: per Viet Nam day × province × violation code. */
export const StatsDailyEntity = readModel({
  name: 'StatsDaily',
  tableName: 'rm_stats_daily',
  columns: {
    day: key(day('day')),
    province: key(text('province')),
    violationCode: key(text('violation_code')),
    detections: withDefault(big('detections'), 0),
    confirmed: withDefault(big('confirmed'), 0),
    rejected: withDefault(big('rejected'), 0),
    penalties: withDefault(big('penalties'), 0),
    finesDecidedVnd: withDefault(vnd('fines_decided_vnd'), 0),
    finesPaidVnd: withDefault(vnd('fines_paid_vnd'), 0),
    points: withDefault(big('points'), 0),
  },
  indices: [{ name: 'rm_stats_daily_province_idx', columns: ['province', 'day'] }],
});
export type StatsDailyRow = RowOf<typeof StatsDailyEntity>;

/** `statistics`: the province and violation code a case was last counted under. */
export const StatsCaseEntity = readModel({
  name: 'StatsCase',
  tableName: 'rm_stats_case',
  columns: {
    caseId: key(uuid('case_id')),
    province: text('province'),
    violationCode: text('violation_code'),
  },
});
export type StatsCaseRow = RowOf<typeof StatsCaseEntity>;

/** `cameras`: the camera registry. */
export const CameraEntity = readModel({
  name: 'CameraView',
  tableName: 'rm_camera',
  columns: {
    cameraId: key(text('camera_id')),
    province: text('province'),
    roadType: text('road_type'),
    commune: text('commune', true),
    /** Official commune code (reference/README.md); null for cameras registered without one. */
    communeCode: text('commune_code', true),
    /** Expressway route code (CT.xx or local L.…); null off the expressway or when not given. */
    routeCode: text('route_code', true),
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
  indices: [{ name: 'rm_camera_province_idx', columns: ['province', 'roadType'] }],
});
export type CameraRow = RowOf<typeof CameraEntity>;

/** `model-performance`: every registered plate-recognition model version. */
export const ModelVersionEntity = readModel({
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
export type ModelVersionRow = RowOf<typeof ModelVersionEntity>;

/**
 * `model-performance`: every plate reading with the human outcome, and for a rejection the reviewer's reason
 * (precision counts a rejection as a wrong reading only when the reason is about the plate).
 */
export const ModelReadingEntity = readModel({
  name: 'ModelReading',
  tableName: 'rm_model_reading',
  columns: {
    caseId: key(uuid('case_id')),
    readingNo: key(int('reading_no')),
    modelId: text('model_id'),
    source: text('source'),
    plateCompact: text('plate_compact'),
    readAt: ts('read_at'),
    outcome: text('outcome', true),
    reviewedAt: ts('reviewed_at', true),
    rejectReason: text('reject_reason', true),
  },
  checks: [
    { expression: `source IN ('edge', 'anpr')` },
    { expression: `outcome IN ('confirmed', 'corrected', 'rejected')` },
  ],
  indices: [{ name: 'rm_model_reading_model_idx', columns: ['modelId', 'reviewedAt'] }],
});
export type ModelReadingRow = RowOf<typeof ModelReadingEntity>;

/** `officer-workload`: reviews and decisions per officer per day and province. */
export const OfficerDailyEntity = readModel({
  name: 'OfficerDaily',
  tableName: 'rm_officer_daily',
  columns: {
    officerId: key(text('officer_id')),
    day: key(day('day')),
    province: key(text('province')),
    reviews: withDefault(big('reviews'), 0),
    decisions: withDefault(big('decisions'), 0),
  },
});
export type OfficerDailyRow = RowOf<typeof OfficerDailyEntity>;

/** `officer-workload`: detection → first review time per case. */
export const ReviewLatencyEntity = readModel({
  name: 'ReviewLatency',
  tableName: 'rm_review_latency',
  columns: {
    caseId: key(uuid('case_id')),
    province: text('province'),
    observedAt: ts('observed_at'),
    officerId: text('officer_id', true),
    reviewedAt: ts('reviewed_at', true),
    day: day('day', true),
    latencyMs: big('latency_ms', true),
  },
  indices: [{ name: 'rm_review_latency_officer_idx', columns: ['officerId', 'day'] }],
});
export type ReviewLatencyRow = RowOf<typeof ReviewLatencyEntity>;

/** `custody-log`: every `EvidenceAccessed`. */
export const CustodyEntity = readModel({
  name: 'CustodyView',
  tableName: 'rm_custody',
  columns: {
    eventId: key(uuid('event_id')),
    caseId: uuid('case_id'),
    seq: big('seq'),
    actorKind: text('actor_kind'),
    actorId: text('actor_id'),
    access: text('access'),
    purpose: text('purpose'),
    digest: text('digest', true),
    accessedAt: ts('accessed_at'),
    province: text('province'),
    recordHash: hash64('record_hash'),
  },
  indices: [{ name: 'rm_custody_case_idx', columns: ['caseId', 'seq'], unique: true }],
});
export type CustodyRow = RowOf<typeof CustodyEntity>;

/** Every read-model table, in creation order. */
export const READ_MODEL_ENTITIES = [
  ProjectionStatusEntity,
  CaseEntity,
  CaseTimelineEntity,
  CitizenViolationEntity,
  StatsDailyEntity,
  StatsCaseEntity,
  CameraEntity,
  ModelVersionEntity,
  ModelReadingEntity,
  OfficerDailyEntity,
  ReviewLatencyEntity,
  CustodyEntity,
];
