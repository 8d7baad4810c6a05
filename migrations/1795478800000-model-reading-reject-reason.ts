/**
 * `rm_model_reading` keeps the reviewer's reject reason, so the model precision counts as a wrong reading only
 * a rejection about the plate (`plate-unreadable`, `plate-mismatch`), not one that says nothing about it
 * (`no-violation`, `duplicate`, …). Rows written before the column existed carry no reason: they are cleared with
 * the projection's status, and `model-performance` rebuilds both its tables from position zero (read models are
 * derived, nothing is lost).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ModelReadingRejectReason1795478800000 implements MigrationInterface {
  name = 'ModelReadingRejectReason1795478800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_model_reading ADD COLUMN reject_reason text`);
    await queryRunner.query(`DELETE FROM rm_model_reading`);
    await queryRunner.query(`DELETE FROM rm_model_version`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name = 'model-performance'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_model_reading DROP COLUMN reject_reason`);
  }
}
