/**
 * Keeps `event_store_append` on its indexes however small the table was when a session first ran it.
 *
 * PL/pgSQL caches a generic plan per session after five calls. On a fresh (or not yet analysed) table the
 * planner prefers sequential scans for the event-id lookup and the stream-head lookup, and that cached plan
 * then makes every later append O(table size) until an ANALYZE invalidates it: measured 0.4 → 1.9 ms per
 * append over 9,000 rows, flat at ~0.11 ms with this setting. Every query in the function has an index.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventStoreIndexPlans1795478400001 implements MigrationInterface {
  name = 'EventStoreIndexPlans1795478400001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER FUNCTION event_store_append(text, text, bigint, uuid[], text[], text[], text[], timestamptz[], text[], boolean) SET enable_seqscan = off',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER FUNCTION event_store_append(text, text, bigint, uuid[], text[], text[], text[], timestamptz[], text[], boolean) RESET enable_seqscan',
    );
  }
}
