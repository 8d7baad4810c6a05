/**
 * The national relay's query (`NationalViews.handovers`: the mirrored `CaseTransferred` records signed to one
 * receiving province, in (origin, leaf) order) read every transfer's JSON at query time. A partial expression
 * index on (toProvince, origin, leaf_index) over the `CaseTransferred` rows only answers it by index: the
 * relay's cost follows the transfers to that province, not the size of the national mirror. Only transfer rows
 * are parsed when the mirror inserts (the predicate is checked first), so the mirror's other inserts pay
 * nothing for it. The index expression is exactly the relay query's (docs/federation.md "National relay").
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MirrorHandoverIndex1795479700000 implements MigrationInterface {
  name = 'MirrorHandoverIndex1795479700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX mirror_records_handover ON mirror_records ((record::jsonb #>> '{data,signoff,toProvince}'), origin, leaf_index) WHERE type = 'CaseTransferred'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX mirror_records_handover`);
  }
}
