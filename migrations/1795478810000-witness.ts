/**
 * The national witness (integrity.md §7, §10; docs/federation.md): per provincial log origin, the newest
 * checkpoint it cosigned (`witness_logs`), and every fork alarm with both signed checkpoints
 * (`witness_fork_alarms`).
 *
 * - `witness_logs` moves only forward: a trigger refuses a smaller tree size, another root at the same size,
 *   a change of origin, DELETE and TRUNCATE (SQLSTATE TEC02). The witness moves it with one conditional
 *   UPDATE (or INSERT for a first checkpoint) guarded by the size and root it decided on, so checking the
 *   old size and storing the new checkpoint are atomic (C2SP tlog-witness: the rollback race).
 * - `witness_fork_alarms` is append-only (the ledger's `ledger_refuse_change`); one row per submitted note.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen once applied: schema changes go in a new migration.
const SQL = `
CREATE TABLE witness_logs (
  origin text PRIMARY KEY CHECK (origin <> '' AND origin !~ '[[:space:]+]'),
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  checkpoint text NOT NULL,
  cosignature text NOT NULL CHECK (cosignature LIKE '— %' AND position(E'\\n' IN cosignature) = 0),
  cosigned_at timestamptz NOT NULL
);

CREATE FUNCTION witness_logs_forward_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'witness_logs: % refused', TG_OP USING ERRCODE = 'TEC02';
  END IF;
  IF NEW.origin <> OLD.origin OR NEW.tree_size < OLD.tree_size
     OR (NEW.tree_size = OLD.tree_size AND NEW.root_hash <> OLD.root_hash) THEN
    RAISE EXCEPTION 'witness_logs never rolls back or forks (%: % -> %)', OLD.origin, OLD.tree_size, NEW.tree_size
      USING ERRCODE = 'TEC02';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER witness_logs_forward BEFORE UPDATE OR DELETE ON witness_logs
  FOR EACH ROW EXECUTE FUNCTION witness_logs_forward_only();
CREATE TRIGGER witness_logs_no_truncate BEFORE TRUNCATE ON witness_logs
  FOR EACH STATEMENT EXECUTE FUNCTION witness_logs_forward_only();

CREATE TABLE witness_fork_alarms (
  alarm_id bigserial PRIMARY KEY,
  origin text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('same-size-different-root', 'unproven-consistency')),
  cosigned_size bigint NOT NULL CHECK (cosigned_size >= 0),
  cosigned_note text NOT NULL,
  submitted_size bigint NOT NULL CHECK (submitted_size >= 0),
  submitted_note text NOT NULL,
  submitted_sha256 bytea NOT NULL CHECK (octet_length(submitted_sha256) = 32),
  raised_at timestamptz NOT NULL,
  UNIQUE (origin, submitted_sha256)
);
CREATE INDEX witness_fork_alarms_origin ON witness_fork_alarms (origin, alarm_id);
CREATE TRIGGER witness_fork_alarms_append_only BEFORE UPDATE OR DELETE ON witness_fork_alarms
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER witness_fork_alarms_no_truncate BEFORE TRUNCATE ON witness_fork_alarms
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`;

export class Witness1795478810000 implements MigrationInterface {
  name = 'Witness1795478810000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(SQL);
  }

  async down(): Promise<void> {
    throw new Error('Witness state and fork alarms are kept forever');
  }
}
