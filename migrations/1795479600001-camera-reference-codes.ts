/**
 * `rm_camera` keeps the camera's commune code and expressway route code (optional on `CameraRegistered`;
 * reference/README.md), which the coverage report counts by. Rows written before the columns existed are
 * cleared with the projection's status, and `cameras` rebuilds from position zero (read models are derived,
 * nothing is lost; older records simply carry no codes).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CameraReferenceCodes1795479600001 implements MigrationInterface {
  name = 'CameraReferenceCodes1795479600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_camera ADD COLUMN commune_code text, ADD COLUMN route_code text`);
    await queryRunner.query(`DELETE FROM rm_camera`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name = 'cameras'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE rm_camera DROP COLUMN commune_code, DROP COLUMN route_code`);
  }
}
