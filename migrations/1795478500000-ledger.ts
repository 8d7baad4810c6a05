/**
 * The ledger's tables: leaves, perfect-subtree hashes, signed checkpoints and the sequencer's feed
 * checkpoint (docs/ledger.md, src/adapters/ledger/schema.ts). Sorts after the event store's migration.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEDGER_APPEND_FUNCTION_SQL, LEDGER_SCHEMA_SQL } from '../src/adapters/ledger/schema.ts';

export class Ledger1795478500000 implements MigrationInterface {
  name = 'Ledger1795478500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(LEDGER_SCHEMA_SQL);
    await queryRunner.query(LEDGER_APPEND_FUNCTION_SQL);
  }

  async down(): Promise<void> {
    throw new Error('The ledger schema is never dropped: leaves and checkpoints are kept forever');
  }
}
