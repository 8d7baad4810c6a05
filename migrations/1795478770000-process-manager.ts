/**
 * The process managers' feed checkpoints: one row per process manager, overwritten as it advances. The
 * table holds only positions in the global feed: it is rebuilt by replaying, and replay is safe (jobs are
 * deduplicated by the id of their causing event and workers are idempotent).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen: this migration has been applied. Its SQL is written out here (not imported from src/), so editing
// live code can never change what it does. Schema changes go in a new migration.
const PROCESS_MANAGER_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS process_manager_checkpoint (
  name text PRIMARY KEY,
  checkpoint text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

export class ProcessManager1795478770000 implements MigrationInterface {
  name = 'ProcessManager1795478770000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(PROCESS_MANAGER_SCHEMA_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS process_manager_checkpoint');
  }
}
