/**
 * Read models and projection checkpoints (docs/read-models.md). Sorts after the event store and ledger
 * migrations. Read models can always be rebuilt from the event history (`tec replay`).
 *
 * Conventions: instants are `timestamptz`, money is integer VND in `bigint`, revisions and counters are
 * `bigint`. No column is filled from a wall clock: every value comes from an event, so a rebuild from
 * position zero gives byte-identical rows (the auditor's replay compares them with EXCEPT).
 *
 * The live declaration of these tables is the TypeORM entities (src/projections/read-models/entities.ts);
 * test/integration/projections/schema.spec.ts checks that the migrated schema and the declaration agree.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen: this migration has been applied. Its SQL is written out here (not imported from src/), so editing
// live code can never change what it does. Schema changes go in a new migration.
const READ_MODELS_SCHEMA_SQL = `
CREATE TABLE projection_status (
  name text PRIMARY KEY,
  checkpoint text,
  events_seen bigint NOT NULL DEFAULT 0,
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'failed')),
  error text,
  failing_event_id uuid,
  failing_checkpoint text,
  last_recorded_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rm_case (
  case_id uuid PRIMARY KEY,
  province text NOT NULL,
  camera_id text NOT NULL,
  detection_id text NOT NULL,
  observed_at timestamptz NOT NULL,
  detected_at timestamptz NOT NULL,
  location_description text NOT NULL,
  road_type text NOT NULL,
  commune text,
  lat_micro integer NOT NULL,
  lon_micro integer NOT NULL,
  violation_code text NOT NULL,
  violation_title text,
  legal_basis jsonb,
  vehicle_class text NOT NULL,
  plate_edge text,
  plate_edge_compact text,
  plate_ai text,
  plate_ai_compact text,
  plate_confirmed text,
  plate_confirmed_compact text,
  status text NOT NULL,
  status_before_end text,
  close_reason text,
  evidence jsonb NOT NULL,
  review jsonb,
  reviewed_at timestamptz,
  reviewed_by text,
  decision jsonb,
  decided_at timestamptz,
  decided_by text,
  notice_status text,
  notices jsonb NOT NULL,
  fine_vnd bigint,
  points integer,
  paid_vnd bigint,
  paid_at timestamptz,
  appeals jsonb NOT NULL,
  flag_calibration boolean NOT NULL,
  flag_model_not_approved boolean NOT NULL,
  flag_plate_mismatch boolean NOT NULL,
  flags jsonb NOT NULL,
  model_id text,
  owner_kind text,
  revision bigint NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX rm_case_observed_idx ON rm_case (observed_at, case_id);
CREATE INDEX rm_case_province_idx ON rm_case (province, observed_at, case_id);
CREATE INDEX rm_case_status_idx ON rm_case (province, status, observed_at, case_id);
CREATE INDEX rm_case_violation_idx ON rm_case (violation_code, observed_at);
CREATE INDEX rm_case_camera_idx ON rm_case (camera_id, observed_at);
CREATE INDEX rm_case_plate_edge_idx ON rm_case (plate_edge_compact);
CREATE INDEX rm_case_plate_ai_idx ON rm_case (plate_ai_compact);
CREATE INDEX rm_case_plate_confirmed_idx ON rm_case (plate_confirmed_compact);

CREATE TABLE rm_case_timeline (
  case_id uuid NOT NULL,
  revision bigint NOT NULL,
  event_id uuid NOT NULL,
  type text NOT NULL,
  actor_kind text NOT NULL,
  actor_id text NOT NULL,
  recorded_at timestamptz NOT NULL,
  record_hash char(64) NOT NULL,
  summary jsonb NOT NULL,
  PRIMARY KEY (case_id, revision)
);

CREATE TABLE rm_citizen_violation (
  case_id uuid PRIMARY KEY,
  plate_compact text NOT NULL,
  plate text NOT NULL,
  plate_colour text,
  vehicle_type text NOT NULL,
  observed_at timestamptz NOT NULL,
  place text NOT NULL,
  violation_code text NOT NULL,
  violation text NOT NULL,
  detecting_unit text NOT NULL,
  status text NOT NULL,
  published boolean NOT NULL
);
CREATE INDEX rm_citizen_violation_plate_idx ON rm_citizen_violation (plate_compact, observed_at) WHERE published;

CREATE TABLE rm_stats_daily (
  day date NOT NULL,
  province text NOT NULL,
  violation_code text NOT NULL,
  detections bigint NOT NULL DEFAULT 0,
  confirmed bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  penalties bigint NOT NULL DEFAULT 0,
  fines_decided_vnd bigint NOT NULL DEFAULT 0,
  fines_paid_vnd bigint NOT NULL DEFAULT 0,
  points bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, province, violation_code)
);
CREATE INDEX rm_stats_daily_province_idx ON rm_stats_daily (province, day);

CREATE TABLE rm_stats_case (
  case_id uuid PRIMARY KEY,
  province text NOT NULL,
  violation_code text NOT NULL
);

CREATE TABLE rm_camera (
  camera_id text PRIMARY KEY,
  province text NOT NULL,
  road_type text NOT NULL,
  commune text,
  description text NOT NULL,
  lat_micro integer NOT NULL,
  lon_micro integer NOT NULL,
  status text NOT NULL,
  key_id text NOT NULL,
  calibration_certificate text,
  calibration_valid_from timestamptz,
  calibration_valid_to timestamptz,
  registered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX rm_camera_province_idx ON rm_camera (province, road_type);

CREATE TABLE rm_model_version (
  model_id text PRIMARY KEY,
  name text NOT NULL,
  version text NOT NULL,
  status text NOT NULL,
  registered_at timestamptz NOT NULL,
  approved_at timestamptz,
  suspended_at timestamptz
);

CREATE TABLE rm_model_reading (
  case_id uuid NOT NULL,
  reading_no integer NOT NULL,
  model_id text NOT NULL,
  source text NOT NULL CHECK (source IN ('edge', 'anpr')),
  plate_compact text NOT NULL,
  read_at timestamptz NOT NULL,
  outcome text CHECK (outcome IN ('confirmed', 'corrected', 'rejected')),
  reviewed_at timestamptz,
  PRIMARY KEY (case_id, reading_no)
);
CREATE INDEX rm_model_reading_model_idx ON rm_model_reading (model_id, reviewed_at);

CREATE TABLE rm_officer_daily (
  officer_id text NOT NULL,
  day date NOT NULL,
  province text NOT NULL,
  reviews bigint NOT NULL DEFAULT 0,
  decisions bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (officer_id, day, province)
);

CREATE TABLE rm_review_latency (
  case_id uuid PRIMARY KEY,
  province text NOT NULL,
  observed_at timestamptz NOT NULL,
  officer_id text,
  reviewed_at timestamptz,
  day date,
  latency_ms bigint
);
CREATE INDEX rm_review_latency_officer_idx ON rm_review_latency (officer_id, day);

CREATE TABLE rm_custody (
  event_id uuid PRIMARY KEY,
  case_id uuid NOT NULL,
  seq bigint NOT NULL,
  actor_kind text NOT NULL,
  actor_id text NOT NULL,
  access text NOT NULL,
  purpose text NOT NULL,
  digest text,
  accessed_at timestamptz NOT NULL,
  province text NOT NULL,
  record_hash char(64) NOT NULL
);
CREATE UNIQUE INDEX rm_custody_case_idx ON rm_custody (case_id, seq);

-- Reference data for camera coverage (Decision targets). ILLUSTRATIVE: a few routes and central communes
-- for a handful of provinces, enough to exercise the computation. Replace by a new version, never edit.
CREATE TABLE ref_coverage_version (
  version text PRIMARY KEY,
  illustrative boolean NOT NULL,
  note text NOT NULL,
  current boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX ref_coverage_version_current_idx ON ref_coverage_version (current) WHERE current;
CREATE TABLE ref_expressway_route (
  version text NOT NULL REFERENCES ref_coverage_version (version),
  province text NOT NULL,
  route_code text NOT NULL,
  name text NOT NULL,
  PRIMARY KEY (version, province, route_code)
);
CREATE TABLE ref_central_commune (
  version text NOT NULL REFERENCES ref_coverage_version (version),
  province text NOT NULL,
  commune text NOT NULL,
  PRIMARY KEY (version, province, commune)
);

INSERT INTO ref_coverage_version (version, illustrative, note, current) VALUES
  ('illustrative-2026-11', true, 'ILLUSTRATIVE reference data for development: not the official route and commune lists', true);
INSERT INTO ref_expressway_route (version, province, route_code, name) VALUES
  ('illustrative-2026-11', '01', 'CT.01', 'Pháp Vân – Cầu Giẽ'),
  ('illustrative-2026-11', '01', 'CT.04', 'Vành đai 3 trên cao'),
  ('illustrative-2026-11', '01', 'CT.05', 'Hà Nội – Hải Phòng'),
  ('illustrative-2026-11', '31', 'CT.05', 'Hà Nội – Hải Phòng'),
  ('illustrative-2026-11', '79', 'CT.01', 'TP.HCM – Trung Lương'),
  ('illustrative-2026-11', '79', 'CT.29', 'TP.HCM – Long Thành – Dầu Giây'),
  ('illustrative-2026-11', '75', 'CT.29', 'TP.HCM – Long Thành – Dầu Giây'),
  ('illustrative-2026-11', '48', 'CT.01', 'Đà Nẵng – Quảng Ngãi');
INSERT INTO ref_central_commune (version, province, commune) VALUES
  ('illustrative-2026-11', '01', 'Ba Đình'),
  ('illustrative-2026-11', '01', 'Ngọc Hà'),
  ('illustrative-2026-11', '01', 'Hoàn Kiếm'),
  ('illustrative-2026-11', '01', 'Cửa Nam'),
  ('illustrative-2026-11', '79', 'Sài Gòn'),
  ('illustrative-2026-11', '79', 'Bến Thành'),
  ('illustrative-2026-11', '79', 'Tân Định'),
  ('illustrative-2026-11', '48', 'Hải Châu'),
  ('illustrative-2026-11', '48', 'Thanh Khê'),
  ('illustrative-2026-11', '40', 'Vinh'),
  ('illustrative-2026-11', '40', 'Trường Vinh'),
  ('illustrative-2026-11', '40', 'Thành Vinh');
`;

export class ReadModels1795478600000 implements MigrationInterface {
  name = 'ReadModels1795478600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(READ_MODELS_SCHEMA_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Read models are derived data: dropping them loses nothing the event store does not hold.
    await queryRunner.query(`DROP TABLE IF EXISTS ref_central_commune, ref_expressway_route, ref_coverage_version,
      rm_custody, rm_review_latency, rm_officer_daily, rm_model_reading, rm_model_version, rm_camera,
      rm_stats_case, rm_stats_daily, rm_citizen_violation, rm_case_timeline, rm_case, projection_status`);
  }
}
