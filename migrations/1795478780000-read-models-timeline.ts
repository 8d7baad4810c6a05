/**
 * The case timeline became its own projection (`case-timeline`, src/projections/cases/projection.ts), split
 * out of `case-views` so the two write in parallel. Rows written by the old `case-views` are cleared here and
 * the new projection rebuilds them from position zero: read models are derived, nothing is lost.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReadModelsTimeline1795478780000 implements MigrationInterface {
  name = 'ReadModelsTimeline1795478780000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM rm_case_timeline`);
    await queryRunner.query(`DELETE FROM projection_status WHERE name = 'case-timeline'`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the timeline rows are rebuilt by whichever projection owns them.
  }
}
