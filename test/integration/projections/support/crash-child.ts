/**
 * A projection runner in its own process, for the crash spec: projects everything in small batches. With
 * TEC_PROJECTION_CRASH set it SIGKILLs itself inside a transaction, after the batch's writes and before the
 * commit.
 */
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { createReadModelDataSource } from '../../../../src/projections/datasource.ts';
import { ALL_PROJECTIONS } from '../../../../src/projections/index.ts';
import { ProjectionRunner } from '../../../../src/projections/runner.ts';

const url = process.env.CRASH_DATABASE_URL;
if (!url) throw new Error('CRASH_DATABASE_URL is not set');
const store = new PostgresEventStore({ databaseUrl: url, poolSize: 4 });
const dataSource = createReadModelDataSource(url);
await dataSource.initialize();
const runner = new ProjectionRunner({ dataSource, store, projections: ALL_PROJECTIONS, batchSize: 40 });
await runner.catchUp();
await dataSource.destroy();
await store.close();
