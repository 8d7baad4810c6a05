/**
 * A projection runner in its own process, for the crash spec: projects everything in small batches. With
 * TEC_PROJECTION_CRASH set it SIGKILLs itself inside a transaction, after the batch's writes and before the
 * commit. Does nothing when merely imported (mocha loads every file of a directory it is given).
 */
import { pathToFileURL } from 'node:url';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { createReadModelDataSource } from '../../../../src/projections/datasource.ts';
import { ALL_PROJECTIONS } from '../../../../src/projections/index.ts';
import { ProjectionRunner } from '../../../../src/projections/runner.ts';

async function main(url: string): Promise<void> {
  const store = new PostgresEventStore({ databaseUrl: url, poolSize: 4 });
  const dataSource = createReadModelDataSource(url);
  await dataSource.initialize();
  const runner = new ProjectionRunner({ dataSource, store, projections: ALL_PROJECTIONS, batchSize: 40 });
  await runner.catchUp();
  await dataSource.destroy();
  await store.close();
}

const url = process.env.CRASH_DATABASE_URL;
if (url && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(url).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
