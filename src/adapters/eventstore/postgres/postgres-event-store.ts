/**
 * The PostgreSQL event store (also serves embedded PGlite, unchanged). Schema and the one-call append live
 * in `migrations/1795478400000-event-store.ts`; the ordering argument is in docs/eventstore.md.
 *
 * Durable: `append` resolves after the transaction that inserted the records committed.
 * Feed visibility: `readAll`, `headCheckpoint` and subscriptions only see records whose transaction is older
 * than the oldest transaction still running, so a record never appears behind a checkpoint already handed
 * out. A record is therefore readable by `readStream` at once, and by the feed as soon as every transaction
 * that started before its own has finished.
 */
import pg from 'pg';
import { canonicalTextHash } from '../../../domain/integrity/hash.ts';
import type { NewEvent } from '../../../domain/record.ts';
import { AppError, ValidationError } from '../../../domain/shared/errors.ts';
import { isConnectionError } from '../../../ports/database.ts';
import { createPgPool } from '../../postgres/pool.ts';
import { resolveReappend } from '../idempotency.ts';
import {
  DEFAULT_MAX_RECORD_BYTES,
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type AggregateStreamOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredRecord,
  type SubscribeOptions,
  type Subscription,
} from '../../../ports/eventstore.ts';
import { assertExpectedRevision, assertRevision, assertStreamName, parseRecord, prepareEvents } from '../record-builder.ts';
import { formatPgCheckpoint, parsePgCheckpoint } from './checkpoint.ts';
import { PostgresSubscription } from './subscription.ts';

export const NOTIFY_CHANNEL = 'event_records';
export const DEFAULT_READ_LIMIT = 1000;
const NOTIFY_MIN_INTERVAL_MS = 5;
/** Upper bound for `maxCount`: one read is one result set held in memory. */
export const MAX_READ_LIMIT = 10_000;

export interface PostgresEventStoreOptions {
  databaseUrl: string;
  /** Pool size (default 10). */
  poolSize?: number;
  maxRecordBytes?: number;
  /** Subscribers re-read the feed this often when no notification arrives (default 1000 ms, 25 ms on PGlite). */
  pollIntervalMs?: number;
}

interface FeedRow {
  tx: string;
  pos: string;
  record: string;
  hash: string;
}

interface AppendRow {
  o_outcome: 'existing' | 'appended' | 'wrong_expected_revision';
  o_event_id: string | null;
  o_stream: string;
  o_revision: string;
  o_record: string | null;
  o_hash: string | null;
  o_transaction_id: string | null;
  o_global_position: string | null;
}

const APPEND_SQL =
  'SELECT * FROM event_store_append($1, $2, $3::bigint, $4::uuid[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[], $10::boolean)';

const FEED_SQL = `SELECT transaction_id::text AS tx, global_position::text AS pos, record, hash
  FROM event_records
  WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    AND (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
  ORDER BY transaction_id, global_position
  LIMIT $3`;

/** Rows committed but not yet past the visibility horizon: the feed will show them shortly. */
const PENDING_SQL = `SELECT EXISTS (SELECT 1 FROM event_records
  WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())) AS pending`;

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly maxRecordBytes: number;
  private readonly configuredPollMs: number | undefined;
  private readonly subscriptions = new Set<PostgresSubscription>();
  private readonly commitListeners = new Set<() => void>();
  private features: Promise<{ embedded: boolean }> | undefined;
  private notifier: Promise<pg.Client> | undefined;
  private notifyInFlight = false;
  private notifyAgain = false;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = createPgPool(options.databaseUrl, { max: options.poolSize ?? 10, applicationName: 'tec-eventstore' });
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.configuredPollMs = options.pollIntervalMs;
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertExpectedRevision(expected);
    const prepared = prepareEvents(stream, events, this.maxRecordBytes);
    const { embedded } = await this.detectFeatures();
    const params = [
      stream,
      expected.kind,
      expected.kind === 'exact' ? expected.revision.toString() : null,
      prepared.map((e) => e.id),
      prepared.map((e) => e.type),
      prepared.map((e) => e.head),
      prepared.map((e) => e.tail),
      prepared.map((e) => e.recordedAt),
      prepared.map((e) => e.province),
      // Never NOTIFY inside the append: NOTIFY holds a cluster-wide lock through commit, which serialises
      // every appender's fsync (no group commit; measured 10–20× slower at 32 writers). See wakeSubscribers.
      false,
    ];
    // A concurrent append of the same event id to another stream can win the unique index between our
    // check and our insert; the retry then sees the stored id and answers idempotently or refuses.
    for (let attempt = 1; ; attempt++) {
      let rows: AppendRow[];
      try {
        rows = (await this.query<AppendRow>(APPEND_SQL, params, 'tec_event_store_append')).rows;
      } catch (error) {
        if (attempt < 3 && (error as { code?: string }).code === '23505') continue;
        throw error;
      }
      const first = rows[0];
      if (!first) throw new StoreUnavailableError('The append returned no rows');
      switch (first.o_outcome) {
        case 'wrong_expected_revision':
          throw new WrongExpectedRevisionError(stream, expected, BigInt(first.o_revision));
        case 'existing': {
          const stored = rows.map((row) => ({
            eventId: row.o_event_id!,
            stream: row.o_stream,
            revision: BigInt(row.o_revision),
            canonical: row.o_record!,
            row,
          }));
          const ordered = resolveReappend(stream, prepared, expected, stored);
          const records = ordered.map((s) => toStored((s as (typeof stored)[number]).row));
          return { nextExpectedRevision: ordered[ordered.length - 1]!.revision, records, idempotent: true };
        }
        case 'appended': {
          const records = rows.map(toStored);
          for (const r of records) {
            // The database built and hashed the text; we check it agrees with SHA-256 over UTF-8 here.
            if (canonicalTextHash(r.canonical) !== r.hash) throw new IntegrityMismatchError(r.record.id);
          }
          this.wakeSubscribers(embedded);
          return { nextExpectedRevision: BigInt(rows[rows.length - 1]!.o_revision), records, idempotent: false };
        }
      }
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredRecord[]> {
    assertStreamName(stream);
    const direction = options.direction ?? 'forwards';
    // A stream is read whole unless the caller asks for less: command handlers fold all of it.
    const limit = options.maxCount === undefined ? null : readLimit(options.maxCount);
    const from = options.fromRevision;
    if (from !== undefined) assertRevision(from, 'fromRevision');
    const sql =
      direction === 'forwards'
        ? `SELECT transaction_id::text AS tx, global_position::text AS pos, record, hash FROM event_records
           WHERE stream = $1 AND revision >= $2::bigint ORDER BY revision ASC LIMIT $3`
        : `SELECT transaction_id::text AS tx, global_position::text AS pos, record, hash FROM event_records
           WHERE stream = $1 AND revision <= $2::bigint ORDER BY revision DESC LIMIT $3`;
    const start = from ?? (direction === 'forwards' ? 0n : 2n ** 63n - 1n);
    const { rows } = await this.query<FeedRow>(sql, [stream, start.toString(), limit]);
    // Revisions are dense from 0 and never deleted, so a forwards read from revision 0 that finds nothing
    // proves the stream does not exist: no second round trip (the case stream read of every ingest).
    if (rows.length === 0 && direction === 'forwards' && start === 0n) throw new StreamNotFoundError(stream);
    if (rows.length === 0) {
      const exists = await this.query('SELECT 1 FROM event_records WHERE stream = $1 LIMIT 1', [stream]);
      if (exists.rowCount === 0) throw new StreamNotFoundError(stream);
    }
    return rows.map(feedRowToStored);
  }

  async *aggregateStream(stream: string, options: AggregateStreamOptions = {}): AsyncGenerator<StoredRecord[]> {
    const pageSize = readLimit(options.pageSize ?? DEFAULT_READ_LIMIT);
    let from = options.fromRevision ?? 0n;
    for (;;) {
      // Keyset paging on (stream, revision): each page is one indexed range read.
      const page = await this.readStream(stream, { fromRevision: from, maxCount: pageSize });
      if (page.length > 0) yield page;
      if (page.length < pageSize) return;
      from = BigInt(page[page.length - 1]!.record.revision) + 1n;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredRecord[]> {
    const after = options.after === undefined ? { transactionId: 0n, globalPosition: 0n } : parsePgCheckpoint(options.after);
    const { rows } = await this.query<FeedRow>(
      FEED_SQL,
      [after.transactionId.toString(), after.globalPosition.toString(), readLimit(options.maxCount)],
      'tec_event_store_feed',
    );
    return rows.map(feedRowToStored);
  }

  /** True when committed records exist that the feed does not show yet (an older transaction still runs). */
  async hasPendingRecords(): Promise<boolean> {
    const { rows } = await this.query<{ pending: boolean }>(PENDING_SQL, []);
    return rows[0]?.pending === true;
  }

  async headCheckpoint(): Promise<string | undefined> {
    const { rows } = await this.query<{ tx: string; pos: string }>(
      `SELECT transaction_id::text AS tx, global_position::text AS pos FROM event_records
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
      [],
    );
    const row = rows[0];
    return row ? formatPgCheckpoint({ transactionId: BigInt(row.tx), globalPosition: BigInt(row.pos) }) : undefined;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    if (options.after !== undefined) parsePgCheckpoint(options.after);
    const subscription = new PostgresSubscription(this, options, {
      databaseUrl: this.options.databaseUrl,
      channel: NOTIFY_CHANNEL,
      features: this.detectFeatures(),
      pollIntervalMs: this.configuredPollMs,
    });
    this.subscriptions.add(subscription);
    void subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    const notifier = this.notifier;
    this.notifier = undefined;
    await notifier?.then((c) => c.end()).catch(() => undefined);
    await this.pool.end();
  }

  /**
   * Wakes subscribers after a commit: this process's directly, other processes by a NOTIFY sent on a
   * dedicated connection outside the append transaction (so appends never wait for it). NOTIFYs coalesce:
   * one in flight, then at most one more after NOTIFY_MIN_INTERVAL_MS. Losing one only delays delivery until
   * the subscriber's poll; correctness never depends on it.
   */
  onCommit(listener: () => void): () => void {
    const entry = () => listener();
    this.commitListeners.add(entry);
    return () => this.commitListeners.delete(entry);
  }

  private wakeSubscribers(embedded: boolean): void {
    for (const subscription of this.subscriptions) subscription.wake();
    for (const listener of this.commitListeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the append has committed.
      }
    }
    if (embedded || this.closed) return;
    if (this.notifyInFlight) {
      this.notifyAgain = true;
      return;
    }
    this.notifyInFlight = true;
    void (async () => {
      try {
        do {
          this.notifyAgain = false;
          const notifier = await this.connectNotifier();
          await notifier.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, '']);
          await new Promise((resolve) => setTimeout(resolve, NOTIFY_MIN_INTERVAL_MS));
        } while (this.notifyAgain && !this.closed);
      } catch {
        // The subscribers' poll covers a lost notification; the next wake reconnects.
        const broken = this.notifier;
        this.notifier = undefined;
        void broken?.then((c) => c.end()).catch(() => undefined);
      } finally {
        this.notifyInFlight = false;
      }
    })();
  }

  private connectNotifier(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new StoreUnavailableError('The event store is closed'));
    this.notifier ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'tec-eventstore-notify' });
      client.on('error', () => {
        this.notifier = undefined;
      });
      await client.connect();
      return client;
    })();
    return this.notifier;
  }

  /** PGlite has no cross-connection NOTIFY; detected once from `version()`. */
  detectFeatures(): Promise<{ embedded: boolean }> {
    this.features ??= this.query<{ version: string }>('SELECT version() AS version', []).then(
      ({ rows }) => ({ embedded: /PGlite/i.test(rows[0]?.version ?? '') }),
      (error: unknown) => {
        this.features = undefined;
        throw error;
      },
    );
    return this.features;
  }

  /**
   * `name` makes a server-side prepared statement per connection (parsed and planned once). Not on PGlite:
   * its connections share one backend, so statement names would collide across them.
   */
  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[], name?: string): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new StoreUnavailableError('The event store is closed');
    try {
      if (name && (await this.detectFeatures()).embedded === false) {
        return await this.pool.query<R>({ name, text: sql, values: params });
      }
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw mapPgError(error);
    }
  }
}

/** The database and this process disagree on a record's hash: an integrity failure, never retried. */
export class IntegrityMismatchError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'record-hash-mismatch';
  constructor(eventId: string) {
    super(`Record ${eventId}: stored hash does not match its canonical text`, { eventId });
  }
}

export function mapPgError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isConnectionError(error)) return new StoreUnavailableError('The PostgreSQL event store is unavailable', { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  // 22xxx: a value the database refuses (bad timestamp, invalid UTF-8, out of range). Input we missed, never data loss.
  if (typeof code === 'string' && code.startsWith('22')) {
    return new ValidationError('The event store refused a value', { sqlstate: code }, 'rejected-value');
  }
  return error;
}

function readLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return DEFAULT_READ_LIMIT;
  if (!Number.isSafeInteger(maxCount) || maxCount < 1 || maxCount > MAX_READ_LIMIT) {
    throw new ValidationError(`maxCount must be an integer from 1 to ${MAX_READ_LIMIT}`, undefined, 'bad-max-count');
  }
  return maxCount;
}

function feedRowToStored(row: FeedRow): StoredRecord {
  return {
    record: parseRecord(row.record),
    canonical: row.record,
    hash: row.hash,
    checkpoint: formatPgCheckpoint({ transactionId: BigInt(row.tx), globalPosition: BigInt(row.pos) }),
  };
}

function toStored(row: AppendRow): StoredRecord {
  return feedRowToStored({ tx: row.o_transaction_id!, pos: row.o_global_position!, record: row.o_record!, hash: row.o_hash! });
}
