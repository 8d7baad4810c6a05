/**
 * `mirror_records_type (province, type)` answered no query: the national statistics count every mirrored
 * record of a province with `FILTER` clauses (a scan of that province's rows either way), the relay uses the
 * partial `mirror_records_handover` index, the plate lookup `mirror_records_plate`, and the mirror's own reads
 * (stream heads, the mirrored feed) the primary key and the `(origin, stream, revision)` unique index. Each
 * mirrored row still paid for its entry, and the insert bounds the national mirror (docs/federation.md,
 * Benchmarks). Dropped; the keys, the plate and handover indexes and the append-only triggers stay.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MirrorRecordsTypeIndexDropped1795479800100 implements MigrationInterface {
  name = 'MirrorRecordsTypeIndexDropped1795479800100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX mirror_records_type');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX mirror_records_type ON mirror_records (province, type)');
  }
}
