/**
 * The camera-case procedure (docs/legal-procedure.md) in the read models: `rm_case` gains the province a case
 * was transferred to, the violation record's number, whether a driver was named, whether the owner was
 * unresponsive, and the payment's surcharge and channel; `rm_citizen_violation` gains the unresponsive-owner
 * flag the vehicle lookup shows. Both tables are derived: their rows are cleared with their projections' status,
 * and `case-views` and `citizen-lookup` rebuild them from position zero (nothing is lost).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CameraCaseProcedure1795479000000 implements MigrationInterface {
  name = 'CameraCaseProcedure1795479000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM rm_case`);
    await queryRunner.query(`DELETE FROM rm_citizen_violation`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name IN ('case-views', 'citizen-lookup')`);
    await queryRunner.query(`ALTER TABLE rm_case
      ADD COLUMN transferred_to text,
      ADD COLUMN record_id text,
      ADD COLUMN driver_identified boolean NOT NULL,
      ADD COLUMN owner_unresponsive boolean NOT NULL,
      ADD COLUMN surcharge_vnd bigint,
      ADD COLUMN payment_channel text`);
    await queryRunner.query(`ALTER TABLE rm_citizen_violation ADD COLUMN owner_unresponsive boolean NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_citizen_violation DROP COLUMN owner_unresponsive`);
    await queryRunner.query(`ALTER TABLE rm_case
      DROP COLUMN transferred_to,
      DROP COLUMN record_id,
      DROP COLUMN driver_identified,
      DROP COLUMN owner_unresponsive,
      DROP COLUMN surcharge_vnd,
      DROP COLUMN payment_channel`);
  }
}
