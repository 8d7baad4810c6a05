/**
 * Read models and projection checkpoints (docs/read-models.md, src/projections/schema.ts). Sorts after the
 * event store and ledger migrations. Read models can always be rebuilt from the event history (`tec replay`).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { READ_MODELS_SCHEMA_SQL } from '../src/projections/schema.ts';

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
