/**
 * The ledger's tables (integrity.md §5, §6; docs/ledger.md). Sorts after the event store's migration.
 *
 * - `ledger_leaves`: leaf index → (record id, record hash, leaf hash), one row per integrated record.
 * - `ledger_nodes`: the hash of every complete (perfect) subtree of level ≥ 1 (level 0 is the leaf hash in
 *   `ledger_leaves`), so any root, inclusion or consistency proof is O(log n) primary-key look-ups.
 * - `ledger_checkpoints`: every signed checkpoint ever issued, one per tree size.
 * - `ledger_state`: the single row holding the global-feed checkpoint the sequencer has integrated up to
 *   and the tree size; it changes in the same transaction as the leaves it accounts for.
 *
 * Leaves, nodes and checkpoints are append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.
 *
 * `ledger_append` does one batch in one statement (one round trip, one implicit transaction): it checks the
 * stored tree size, inserts the leaves at `p_expected_size…` and the completed subtree hashes, and moves the
 * feed checkpoint. It returns the tree size it found, so a caller whose expectation is wrong learns it and
 * nothing is written.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen: this migration has been applied. Its SQL is written out here (not imported from src/), so editing
// live code can never change what it does. Schema changes go in a new migration.
const LEDGER_SCHEMA_SQL = `
CREATE TABLE ledger_leaves (
  leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
  record_id uuid NOT NULL,
  record_hash bytea NOT NULL CHECK (octet_length(record_hash) = 32),
  leaf_hash bytea NOT NULL CHECK (octet_length(leaf_hash) = 32),
  integrated_at timestamptz NOT NULL,
  CONSTRAINT ledger_leaves_record_id_key UNIQUE (record_id)
);

CREATE TABLE ledger_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
  node_index bigint NOT NULL CHECK (node_index >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, node_index)
);

CREATE TABLE ledger_checkpoints (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  issued_at timestamptz NOT NULL,
  note text NOT NULL
);

CREATE TABLE ledger_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  feed_checkpoint text
);
INSERT INTO ledger_state (id, tree_size, feed_checkpoint) VALUES (1, 0, NULL);

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'TEC02';
END
$fn$;
CREATE TRIGGER ledger_leaves_append_only BEFORE UPDATE OR DELETE ON ledger_leaves
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_leaves_no_truncate BEFORE TRUNCATE ON ledger_leaves
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`;

const LEDGER_APPEND_FUNCTION_SQL = `
CREATE FUNCTION ledger_append(
  p_expected_size bigint,
  p_record_ids uuid[],
  p_record_hashes bytea[],
  p_leaf_hashes bytea[],
  p_levels smallint[],
  p_node_indexes bigint[],
  p_node_hashes bytea[],
  p_feed_checkpoint text,
  p_integrated_at timestamptz
) RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  v_size bigint;
BEGIN
  SELECT tree_size INTO v_size FROM ledger_state WHERE id = 1 FOR UPDATE;
  IF v_size IS DISTINCT FROM p_expected_size THEN
    RETURN v_size;
  END IF;
  INSERT INTO ledger_leaves (leaf_index, record_id, record_hash, leaf_hash, integrated_at)
    SELECT p_expected_size + o - 1, r, h, l, p_integrated_at
    FROM unnest(p_record_ids, p_record_hashes, p_leaf_hashes) WITH ORDINALITY AS t(r, h, l, o);
  INSERT INTO ledger_nodes (level, node_index, hash)
    SELECT lv, ix, h FROM unnest(p_levels, p_node_indexes, p_node_hashes) AS t(lv, ix, h);
  UPDATE ledger_state
    SET tree_size = p_expected_size + coalesce(array_length(p_record_ids, 1), 0), feed_checkpoint = p_feed_checkpoint
    WHERE id = 1;
  RETURN p_expected_size;
END
$fn$;
`;

export class Ledger1795478500000 implements MigrationInterface {
  name = 'Ledger1795478500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(LEDGER_SCHEMA_SQL);
    await queryRunner.query(LEDGER_APPEND_FUNCTION_SQL);
  }

  async down(): Promise<void> {
    throw new Error('The ledger schema is never dropped: leaves and checkpoints are kept forever');
  }
}
