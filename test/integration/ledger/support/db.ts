/** A scratch database with the project's migrations applied (the shared runner), for the ledger specs. */
import pg from 'pg';
import { runMigrations } from '../../../../src/adapters/postgres/migrate.ts';
import { scratchDatabase, type ScratchDatabase } from '../../../support/env.ts';

export async function applyMigrations(url: string): Promise<void> {
  await runMigrations(url);
}

export interface LedgerTestDatabase extends ScratchDatabase {
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function ledgerTestDatabase(prefix = 'ledger'): Promise<LedgerTestDatabase> {
  const db = await scratchDatabase(prefix);
  await runMigrations(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  // An idle client losing its connection (the database is dropped at the end) must not crash the run.
  pool.on('error', () => undefined);
  return {
    ...db,
    pool,
    async close() {
      await pool.end();
      await db.drop();
    },
  };
}
