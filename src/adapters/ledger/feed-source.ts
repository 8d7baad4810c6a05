/**
 * Where `ledger verify` reads the records from, in global feed order, a batch at a time (never the whole
 * store in memory).
 *
 * - `postgresFeedSource` reads the PostgreSQL event store's table directly, inside one REPEATABLE READ
 *   read-only transaction with a cursor: the raw stored text and hash, with no adapter in between that
 *   could repair or reject what it reads, and one consistent snapshot however long the run.
 * - `eventStoreFeedSource` goes through the `EventStore` port (`readAll` pages), for EventStoreDB.
 */
import type pg from 'pg';
import type { EventStore } from '../../ports/eventstore.ts';
import type { Queryable } from './store.ts';

export interface FeedEntry {
  /** The record id as the store indexes it (for the PostgreSQL store the `event_id` column). */
  recordId: string;
  /** The stored canonical text. */
  canonical: string;
  /** The stored record hash (hex), as the store keeps it beside the record. */
  hash: string;
}

export interface FeedSource {
  /** Batches of records in global feed order. */
  batches(batchSize: number): AsyncIterable<FeedEntry[]>;
}

/** Raw reader of the PostgreSQL event store's `event_records` (feed order: transaction id, then position). */
export function postgresFeedSource(pool: pg.Pool): FeedSource {
  return {
    async *batches(batchSize: number) {
      const client = await pool.connect();
      let ok = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        yield* readEventRecords(client, batchSize);
        await client.query('COMMIT');
        ok = true;
      } finally {
        if (!ok) await client.query('ROLLBACK').catch(() => undefined);
        client.release(!ok);
      }
    },
  };
}

/**
 * Reads `event_records` with a cursor on a client that is already inside a transaction (the ledger's, when
 * the event store and the ledger share one database: then both are read in one snapshot, on one connection,
 * which is also what an embedded single-session PGlite needs).
 */
export async function* readEventRecords(client: Queryable, batchSize: number): AsyncGenerator<FeedEntry[]> {
  await client.query(
    `DECLARE tec_verify_feed NO SCROLL CURSOR FOR
     SELECT event_id::text AS id, record, hash FROM event_records ORDER BY transaction_id, global_position`,
  );
  for (;;) {
    const { rows } = await client.query<{ id: string; record: string; hash: string }>(`FETCH ${batchSize} FROM tec_verify_feed`);
    if (rows.length === 0) break;
    yield rows.map((r) => ({ recordId: r.id, canonical: r.record, hash: r.hash }));
  }
  await client.query('CLOSE tec_verify_feed');
}

/** Pages through `EventStore.readAll`. */
export function eventStoreFeedSource(store: EventStore): FeedSource {
  return {
    async *batches(batchSize: number) {
      let after: string | undefined;
      for (;;) {
        const page = await store.readAll({ after, maxCount: batchSize });
        if (page.length === 0) break;
        yield page.map((r) => ({ recordId: r.record.id, canonical: r.canonical, hash: r.hash }));
        after = page[page.length - 1]!.checkpoint;
        if (page.length < batchSize) break;
      }
    },
  };
}
