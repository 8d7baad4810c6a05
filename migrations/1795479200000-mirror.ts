/**
 * The national mirror (docs/federation.md "Mirroring"; integrity.md §9, §10): per provincial log origin, a
 * durable cursor (`mirror_logs`) and the mirrored feed (`mirror_records`), each record stored verbatim at its
 * provincial leaf index.
 *
 * - `mirror_records` is append-only (the ledger's `ledger_refuse_change`); `(origin, leaf_index)` is the
 *   primary key, so a record can never be mirrored twice.
 * - `mirror_logs.size` moves only forward (a trigger refuses a smaller size, DELETE and TRUNCATE). The follower
 *   inserts a batch and moves the size with `UPDATE … WHERE size = <read>` in one transaction, so a crash or
 *   a second follower can neither skip nor duplicate a leaf. `frontier` is the compact range (RFC 6962 right
 *   edge) at `size`: the perfect-subtree hashes of size's set bits, lowest level first, concatenated.
 * - A mismatch between what a province serves and what it signed is a fork alarm in `witness_fork_alarms`
 *   (kind `mirror-mismatch`) and stops mirroring that origin (`stopped_at`, `stop_reason`).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen once applied: schema changes go in a new migration.
const SQL = `
ALTER TABLE witness_fork_alarms DROP CONSTRAINT witness_fork_alarms_kind_check;
ALTER TABLE witness_fork_alarms ADD CONSTRAINT witness_fork_alarms_kind_check
  CHECK (kind IN ('same-size-different-root', 'unproven-consistency', 'mirror-mismatch'));

CREATE TABLE mirror_logs (
  origin text PRIMARY KEY CHECK (origin <> '' AND origin !~ '[[:space:]+]'),
  province text NOT NULL CHECK (province ~ '^[0-9]{2}$'),
  size bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
  frontier bytea NOT NULL DEFAULT '\\x'::bytea CHECK (octet_length(frontier) % 32 = 0),
  checkpoint text,
  checkpoint_size bigint,
  province_size bigint,
  province_seen_at timestamptz,
  caught_up_at timestamptz NOT NULL,
  stopped_at timestamptz,
  stop_reason text,
  created_at timestamptz NOT NULL
);

CREATE FUNCTION mirror_logs_forward_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'mirror_logs: % refused', TG_OP USING ERRCODE = 'TEC02';
  END IF;
  IF NEW.origin <> OLD.origin OR NEW.province <> OLD.province OR NEW.size < OLD.size THEN
    RAISE EXCEPTION 'mirror_logs never rolls back (%: % -> %)', OLD.origin, OLD.size, NEW.size USING ERRCODE = 'TEC02';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER mirror_logs_forward BEFORE UPDATE OR DELETE ON mirror_logs
  FOR EACH ROW EXECUTE FUNCTION mirror_logs_forward_only();
CREATE TRIGGER mirror_logs_no_truncate BEFORE TRUNCATE ON mirror_logs
  FOR EACH STATEMENT EXECUTE FUNCTION mirror_logs_forward_only();

CREATE TABLE mirror_records (
  origin text NOT NULL REFERENCES mirror_logs (origin),
  leaf_index bigint NOT NULL CHECK (leaf_index >= 0),
  province text NOT NULL,
  record_id uuid NOT NULL,
  stream text NOT NULL,
  revision integer NOT NULL CHECK (revision >= 0),
  type text NOT NULL,
  recorded_at timestamptz NOT NULL,
  record_hash bytea NOT NULL CHECK (octet_length(record_hash) = 32),
  plate text,
  record text NOT NULL,
  PRIMARY KEY (origin, leaf_index),
  UNIQUE (origin, stream, revision)
);
CREATE INDEX mirror_records_plate ON mirror_records (plate) WHERE plate IS NOT NULL;
CREATE INDEX mirror_records_type ON mirror_records (province, type);
CREATE TRIGGER mirror_records_append_only BEFORE UPDATE OR DELETE ON mirror_records
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER mirror_records_no_truncate BEFORE TRUNCATE ON mirror_records
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`;

export class Mirror1795479200000 implements MigrationInterface {
  name = 'Mirror1795479200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(SQL);
  }

  async down(): Promise<void> {
    throw new Error('The national mirror is kept forever');
  }
}
