import type { EventRecord, NewEvent } from '../domain/record.ts';
import { AppError } from '../domain/shared/errors.ts';

/**
 * The event store port. Every adapter (PostgreSQL, embedded PGlite through the same PostgreSQL adapter,
 * EventStoreDB) implements it and MUST pass `test/contract/eventstore.contract.ts`.
 *
 * Durable: `append` resolves only after the records are committed; a crash after that loses nothing.
 * The store, not the caller, assigns each record's `revision` and `prev` inside the append, so the hash
 * chain of a stream is correct by construction even when the caller appends with `any`.
 */
export type ExpectedRevision =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  /** The revision of the stream's last record. */
  | { kind: 'exact'; revision: bigint };

export const expected = {
  any: { kind: 'any' } as ExpectedRevision,
  noStream: { kind: 'no_stream' } as ExpectedRevision,
  streamExists: { kind: 'stream_exists' } as ExpectedRevision,
  exact: (revision: bigint): ExpectedRevision => ({ kind: 'exact', revision }),
};

/** A record as read back: the record exactly as hashed, its hash and its place in the global feed. */
export interface StoredRecord {
  record: EventRecord;
  /** The exact canonical JSON text the hash was computed over (byte-exact read-back). */
  canonical: string;
  hash: string;
  /** Opaque global checkpoint of this record; pass it as `after` to resume behind it. */
  checkpoint: string;
}

export interface AppendResult {
  /** Revision of the stream's last record after the append. */
  nextExpectedRevision: bigint;
  /** The records appended (or, for an idempotent re-append, the ones already stored). */
  records: StoredRecord[];
  /** True when every event id was already stored at these positions and nothing new was written. */
  idempotent: boolean;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive starting revision; default: first (forwards) or last (backwards). */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface AggregateStreamOptions {
  /** Inclusive first revision; default 0. */
  fromRevision?: bigint;
  /** Records per round trip; default 1000 (the PostgreSQL store accepts at most 10,000). */
  pageSize?: number;
}

export interface ReadAllOptions {
  /** Return records strictly after this checkpoint; absent = from the beginning. */
  after?: string;
  maxCount?: number;
}

export interface Subscription {
  /** Stops delivery; resolves once no handler call is running. */
  close(): Promise<void>;
  /** Resolves when the subscription ends because of an error (or close). */
  readonly done: Promise<void>;
}

export interface SubscribeOptions {
  after?: string;
  /**
   * Called once per record, in global order, never concurrently. The subscription awaits it before
   * delivering the next record; throwing stops the subscription (its `done` rejects).
   */
  onRecord: (record: StoredRecord) => Promise<void>;
  /** Called after the catch-up phase has delivered everything that existed when it started. */
  onCaughtUp?: () => void;
}

export interface EventStore {
  readonly kind: 'postgres' | 'esdb';
  append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Throws StreamNotFoundError when the stream has no records. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<StoredRecord[]>;
  /**
   * One stream forwards from `fromRevision` to its end, one page per round trip, for folding an aggregate
   * without holding the whole stream at once. Pages are non-empty, in revision order, and together hold
   * every record of the stream from `fromRevision` on. Throws StreamNotFoundError (from the first iteration)
   * when the stream has no records.
   */
  aggregateStream(stream: string, options?: AggregateStreamOptions): AsyncIterable<StoredRecord[]>;
  readAll(options?: ReadAllOptions): Promise<StoredRecord[]>;
  /** Catch-up then live. Delivers no record twice and skips none, also across restarts from a checkpoint. */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Checkpoint of the last record in the global feed, or undefined when empty. */
  headCheckpoint(): Promise<string | undefined>;
  /**
   * Calls `listener` after each append this process committed (not others'); returns the unsubscribe. For
   * in-process pollers to wake instead of polling fast. Optional: a store without it is polled as before.
   */
  onCommit?(listener: () => void): () => void;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends AppError {
  readonly category = 'precondition' as const;
  readonly code = 'wrong-expected-revision';
  constructor(
    readonly stream: string,
    readonly expectedRevision: ExpectedRevision,
    /** Revision of the stream's last record, or -1n when the stream does not exist. */
    readonly actualRevision: bigint,
  ) {
    super(
      `Stream ${stream}: expected ${describeExpected(expectedRevision)}, actual revision ${actualRevision}`,
      { stream, actualRevision: actualRevision.toString() },
    );
  }
}

export class StreamNotFoundError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'stream-not-found';
  constructor(readonly stream: string) {
    super(`Stream ${stream} not found`, { stream });
  }
}

export class StoreUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'store-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
  }
}

export class RecordTooLargeError extends AppError {
  readonly category = 'too_large' as const;
  readonly code = 'record-too-large';
  constructor(
    readonly eventId: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Record ${eventId} is ${size} bytes, above the limit of ${limit}`, { eventId, size, limit });
  }
}

/** An event id already stored elsewhere, or re-appended with different content. */
export class DuplicateEventIdError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'duplicate-event-id';
  constructor(readonly eventId: string, message: string) {
    super(message, { eventId });
  }
}

export function describeExpected(e: ExpectedRevision): string {
  return e.kind === 'exact' ? `revision ${e.revision}` : e.kind;
}

/** Maximum canonical record size in bytes (evidence lives in the blob store, not in records). */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
