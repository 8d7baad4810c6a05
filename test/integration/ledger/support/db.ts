/**
 * A scratch database with the project's migrations applied, for the ledger specs. Until the shared migration
 * runner (src/adapters/postgres/migrate.ts) is committed, the event store's and the ledger's TypeORM
 * migration classes are applied in file-name order through a query-only runner (they only call
 * `queryRunner.query`).
 */
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scratchDatabase, type ScratchDatabase } from '../../../support/env.ts';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../migrations');

export async function applyMigrations(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const files = readdirSync(migrationsDir)
      .filter((f) => /^\d+-(event-store|ledger)\.ts$/.test(f))
      .sort();
    for (const file of files) {
      const mod = (await import(pathToFileURL(join(migrationsDir, file)).href)) as Record<string, new () => { up(q: unknown): Promise<void> }>;
      for (const Migration of Object.values(mod)) {
        if (typeof Migration !== 'function') continue;
        await new Migration().up({ query: (sql: string, params?: unknown[]) => client.query(sql, params) });
      }
    }
  } finally {
    await client.end();
  }
}

export interface LedgerTestDatabase extends ScratchDatabase {
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function ledgerTestDatabase(prefix = 'ledger'): Promise<LedgerTestDatabase> {
  const db = await scratchDatabase(prefix);
  await applyMigrations(db.url);
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
