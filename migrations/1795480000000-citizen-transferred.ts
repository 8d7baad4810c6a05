/**
 * The citizen lookup says where a case handed over across nodes went (docs/federation.md, "Handed-over cases"):
 * `rm_citizen_violation` gains `transferred_to`, the receiving province of a case whose status is now
 * `transferred` (before, such a case showed as `resolved` on the sending node). The table is derived: its rows
 * are cleared with the projection's status, and `citizen-lookup` rebuilds them from position zero (nothing is
 * lost). The national node's per-log schemas see the changed table shape and are rebuilt from the mirror.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CitizenTransferred1795480000000 implements MigrationInterface {
  name = 'CitizenTransferred1795480000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM rm_citizen_violation`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name = 'citizen-lookup'`);
    await queryRunner.query(`ALTER TABLE rm_citizen_violation ADD COLUMN transferred_to text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_citizen_violation DROP COLUMN transferred_to`);
  }
}
