/**
 * The process managers' feed checkpoints (src/workers/process-manager/schema.ts). The table holds only
 * positions in the global feed: it is rebuilt by replaying, and replay is safe (jobs are deduplicated by the
 * id of their causing event and workers are idempotent).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROCESS_MANAGER_SCHEMA_SQL } from '../src/workers/process-manager/schema.ts';

export class ProcessManager1795478770000 implements MigrationInterface {
  name = 'ProcessManager1795478770000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(PROCESS_MANAGER_SCHEMA_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS process_manager_checkpoint');
  }
}
