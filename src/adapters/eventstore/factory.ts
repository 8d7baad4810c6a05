/**
 * Picks the event store adapter from configuration: `EVENTSTORE_URL` = `esdb://…` (or `esdb+discover://…`)
 * → EventStoreDB; `postgres://…` / `postgresql://…` → PostgreSQL; absent → the embedded PGlite server's URL
 * (start it with `startEmbeddedPostgres` from src/adapters/postgres/pglite-server.ts). PostgreSQL callers
 * MUST have run `runMigrations(url)` first; this factory does no I/O.
 */
import { ValidationError } from '../../domain/shared/errors.ts';
import { EsdbEventStore } from './esdb/esdb-event-store.ts';
import type { EventStore } from '../../ports/eventstore.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';

export interface EventStoreConfig {
  /** The value of EVENTSTORE_URL, if set. */
  eventstoreUrl?: string;
  /** URL of the embedded PGlite server, used when `eventstoreUrl` is absent. */
  embeddedUrl?: string;
  maxRecordBytes?: number;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export function eventStoreKind(url: string): 'esdb' | 'postgres' {
  if (/^esdb(\+discover)?:\/\//i.test(url)) return 'esdb';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  throw new ValidationError('EVENTSTORE_URL must start with esdb://, esdb+discover://, postgres:// or postgresql://', undefined, 'bad-eventstore-url');
}

export function createEventStore(config: EventStoreConfig): EventStore {
  const url = config.eventstoreUrl?.trim() || config.embeddedUrl;
  if (!url) throw new ValidationError('No event store: set EVENTSTORE_URL or start the embedded PGlite server', undefined, 'no-eventstore');
  const kind = eventStoreKind(url);
  const maxRecordBytes = config.maxRecordBytes === undefined ? {} : { maxRecordBytes: config.maxRecordBytes };
  if (kind === 'esdb') return new EsdbEventStore({ connectionString: url, ...maxRecordBytes });
  return new PostgresEventStore({ databaseUrl: url, ...maxRecordBytes, ...(config.poolSize === undefined ? {} : { poolSize: config.poolSize }) });
}
