/**
 * Cosignatures a node holds for its own checkpoints (integrity.md §7, §9): `/log/checkpoint` serves the newest
 * checkpoint followed by every cosignature line stored for its tree size. One line per witness key name and
 * size; append-only like the other ledger tables (the trigger function comes from the ledger migration).
 * Nothing writes it yet: the witness work adds lines here.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen once applied: schema changes go in a new migration.
const SQL = `
CREATE TABLE ledger_cosignatures (
  tree_size bigint NOT NULL REFERENCES ledger_checkpoints (tree_size),
  key_name text NOT NULL CHECK (key_name <> '' AND key_name !~ '[[:space:]+]'),
  line text NOT NULL CHECK (line LIKE '— %' AND position(E'\\n' IN line) = 0),
  received_at timestamptz NOT NULL,
  PRIMARY KEY (tree_size, key_name)
);
CREATE TRIGGER ledger_cosignatures_append_only BEFORE UPDATE OR DELETE ON ledger_cosignatures
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_cosignatures_no_truncate BEFORE TRUNCATE ON ledger_cosignatures
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
`;

export class LedgerCosignatures1795478790000 implements MigrationInterface {
  name = 'LedgerCosignatures1795478790000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(SQL);
  }

  async down(): Promise<void> {
    throw new Error('Cosignatures are kept forever');
  }
}
