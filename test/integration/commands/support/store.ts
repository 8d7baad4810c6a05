/** A PostgreSQL event store on a scratch database of the test server, migrated, for one spec file. */
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { runMigrations } from '../../../../src/adapters/postgres/migrate.ts';
import { scratchDatabase } from '../../../support/env.ts';

export interface TestEventStore {
  store: PostgresEventStore;
  url: string;
  close(): Promise<void>;
}

export async function openTestEventStore(prefix: string): Promise<TestEventStore> {
  const db = await scratchDatabase(prefix);
  await runMigrations(db.url);
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 20 });
  return {
    store,
    url: db.url,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}
