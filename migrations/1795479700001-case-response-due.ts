/**
 * The procedure schedule's candidates as a read-model query (docs/legal-procedure.md, "OwnerUnresponsive"):
 * `rm_case` gains whether the owner explained and, while the case waits on the owner, when the response period
 * ends (`response_due_at`), with a partial index over the waiting cases only. The table is derived: its rows
 * are cleared with the projection's status, and `case-views` rebuilds them from position zero (nothing is lost).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CaseResponseDue1795479700001 implements MigrationInterface {
  name = 'CaseResponseDue1795479700001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM rm_case`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name = 'case-views'`);
    await queryRunner.query(`ALTER TABLE rm_case
      ADD COLUMN explained boolean NOT NULL,
      ADD COLUMN response_due_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX rm_case_response_due_idx ON rm_case (response_due_at, case_id) WHERE response_due_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX rm_case_response_due_idx`);
    await queryRunner.query(`ALTER TABLE rm_case DROP COLUMN explained, DROP COLUMN response_due_at`);
  }
}
