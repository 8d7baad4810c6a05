/**
 * The EventStoreDB event store. A record travels as the event's JSON data with its hash in the custom
 * metadata (`{"hash": "<hex>"}`); reads recompute the canonical text and check it against that hash.
 *
 * Hash chain: `prev` and `revision` are part of the record, so every append first reads the stream's tail,
 * builds the records on top of the last one and appends with that EXACT revision. For `any` and
 * `stream_exists` a conflict means someone else appended in between: read again and retry (bounded).
 *
 * Limits of this adapter (EventStoreDB has no index by event id): a re-appended event id is recognised
 * only within the last `ID_WINDOW` events of the same stream (plus the server's own idempotency check), and
 * an id already used in ANOTHER stream is not detected. Durable: `append` resolves after the server
 * acknowledged the write (quorum in a cluster).
 */
import type { NewEvent } from '../../../domain/record.ts';
import { GENESIS_PREV } from '../../../domain/record.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { resolveReappend, type StoredEventRow } from '../idempotency.ts';
import {
  DEFAULT_MAX_RECORD_BYTES,
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
import { assertExpectedRevision, assertRevision, assertStreamName, chainRecords, prepareEvents } from '../record-builder.ts';
import { EsdbClient, type EsdbLiveSubscription } from './client.ts';
import {
  comparePositions,
  mapClientError,
  parseEsdbCheckpoint,
  positionOf,
  resolvedToStored,
  toClientCurrentRevision,
  type ClientPosition,
} from './mapping.ts';

/** How far back a stream is searched for re-appended event ids. */
export const ID_WINDOW = 100;
const MAX_ANY_RETRIES = 10;
const DEFAULT_READ_ALL = 1000;
/** Records per round trip of `aggregateStream`. */
const DEFAULT_STREAM_PAGE = 1000;
const PAGE = 500;

export interface EsdbEventStoreOptions {
  connectionString: string;
  maxRecordBytes?: number;
}

export class EsdbEventStore implements EventStore {
  readonly kind = 'esdb' as const;
  private readonly client: EsdbClient;
  private readonly maxRecordBytes: number;
  private readonly subscriptions = new Set<EsdbSubscription>();

  constructor(options: EsdbEventStoreOptions) {
    this.client = new EsdbClient(options.connectionString);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  async append(stream: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertExpectedRevision(expected);
    const prepared = prepareEvents(stream, events, this.maxRecordBytes);
    const retries = expected.kind === 'any' || expected.kind === 'stream_exists' ? MAX_ANY_RETRIES : 1;
    for (let attempt = 1; ; attempt++) {
      const tail = await this.readTail(stream);
      const last = tail[0];
      const actual = last ? BigInt(last.record.revision) : -1n;
      const ids = new Set(prepared.map((e) => e.id));
      const known: StoredEventRow[] = tail
        .filter((r) => ids.has(r.record.id))
        .map((r) => ({ eventId: r.record.id, stream: r.record.stream, revision: BigInt(r.record.revision), canonical: r.canonical }));
      if (known.length > 0) {
        const ordered = resolveReappend(stream, prepared, expected, known);
        const byId = new Map(tail.map((r) => [r.record.id, r]));
        return {
          nextExpectedRevision: ordered[ordered.length - 1]!.revision,
          records: ordered.map((row) => byId.get(row.eventId)!),
          idempotent: true,
        };
      }
      if (
        (expected.kind === 'no_stream' && actual !== -1n) ||
        (expected.kind === 'stream_exists' && actual === -1n) ||
        (expected.kind === 'exact' && actual !== expected.revision)
      ) {
        throw new WrongExpectedRevisionError(stream, expected, actual);
      }
      const chain = chainRecords(prepared, actual + 1n, last?.hash ?? GENESIS_PREV);
      try {
        await this.client.append(
          stream,
          chain.map((c, i) => ({
            id: prepared[i]!.id,
            type: prepared[i]!.type,
            record: JSON.parse(c.canonical) as Record<string, unknown>,
            metadata: { hash: c.hash },
          })),
          toClientCurrentRevision(actual),
        );
      } catch (error) {
        const mapped = mapClientError(error, { stream, expected });
        if (mapped instanceof WrongExpectedRevisionError && attempt < retries) continue;
        throw mapped;
      }
      const records = await this.readStream(stream, { fromRevision: actual + 1n, maxCount: prepared.length });
      return { nextExpectedRevision: actual + BigInt(prepared.length), records, idempotent: false };
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<StoredRecord[]> {
    assertStreamName(stream);
    const from = options.fromRevision;
    if (from !== undefined) assertRevision(from, 'fromRevision');
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) throw new ValidationError('maxCount must be a positive integer', undefined, 'bad-max-count');
    try {
      const resolved = await this.client.readStream(stream, {
        direction: options.direction ?? 'forwards',
        ...(from === undefined ? {} : { fromRevision: from }),
        maxCount,
      });
      return resolved.map(resolvedToStored).filter((r): r is StoredRecord => r !== undefined);
    } catch (error) {
      throw mapClientError(error, { stream });
    }
  }

  async *aggregateStream(stream: string, options: AggregateStreamOptions = {}): AsyncGenerator<StoredRecord[]> {
    const pageSize = options.pageSize ?? DEFAULT_STREAM_PAGE;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new ValidationError('pageSize must be a positive integer', undefined, 'bad-max-count');
    assertStreamName(stream);
    let from = options.fromRevision ?? 0n;
    assertRevision(from, 'fromRevision');
    for (;;) {
      // Paged on the server's own revisions: events that are not records (skipped by the mapping) still
      // count towards a full page, so a short mapped page never ends the read early.
      let resolved: Awaited<ReturnType<EsdbClient['readStream']>>;
      try {
        resolved = await this.client.readStream(stream, { direction: 'forwards', fromRevision: from, maxCount: pageSize });
      } catch (error) {
        throw mapClientError(error, { stream });
      }
      const page = resolved.map(resolvedToStored).filter((r): r is StoredRecord => r !== undefined);
      if (page.length > 0) yield page;
      const last = resolved[resolved.length - 1];
      const lastRevision = last?.event?.revision;
      if (resolved.length < pageSize || lastRevision === undefined) return;
      from = lastRevision + 1n;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredRecord[]> {
    const after = options.after === undefined ? undefined : parseEsdbCheckpoint(options.after);
    const maxCount = options.maxCount ?? DEFAULT_READ_ALL;
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) throw new ValidationError('maxCount must be a positive integer', undefined, 'bad-max-count');
    return this.readAllAfter(after, maxCount);
  }

  /** Records strictly after `after`, skipping system events; reads pages until `maxCount` or the end. */
  async readAllAfter(after: ClientPosition | undefined, maxCount: number): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let from = after;
    try {
      for (;;) {
        const page = await this.client.readAll(from, PAGE);
        for (const resolved of page) {
          const position = positionOf(resolved);
          if (!position || (after && comparePositions(position, after) <= 0)) continue;
          if (from && comparePositions(position, from) <= 0) continue;
          const stored = resolvedToStored(resolved);
          if (stored) out.push(stored);
          if (out.length === maxCount) return out;
        }
        const lastPosition = page.length > 0 ? positionOf(page[page.length - 1]!) : undefined;
        if (page.length < PAGE || !lastPosition) return out;
        from = lastPosition;
      }
    } catch (error) {
      throw mapClientError(error);
    }
  }

  async headCheckpoint(): Promise<string | undefined> {
    try {
      let from: ClientPosition | undefined;
      for (;;) {
        const page = await this.client.readAllBackwards(PAGE, from);
        for (const resolved of page) {
          const stored = resolvedToStored(resolved);
          if (stored) return stored.checkpoint;
        }
        const lastPosition = page.length > 0 ? positionOf(page[page.length - 1]!) : undefined;
        if (page.length < PAGE || !lastPosition) return undefined;
        from = lastPosition;
      }
    } catch (error) {
      throw mapClientError(error);
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const after = options.after === undefined ? undefined : parseEsdbCheckpoint(options.after);
    const subscription = new EsdbSubscription(this, this.client, after, options);
    this.subscriptions.add(subscription);
    const forget = () => this.subscriptions.delete(subscription);
    void subscription.done.then(forget, forget);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  /** The last ID_WINDOW records of a stream, newest first; empty for a stream that does not exist. */
  private async readTail(stream: string): Promise<StoredRecord[]> {
    try {
      return await this.readStream(stream, { direction: 'backwards', maxCount: ID_WINDOW });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}

class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private closed = false;
  private live: EsdbLiveSubscription | undefined;

  constructor(
    private readonly store: EsdbEventStore,
    private readonly client: EsdbClient,
    private after: ClientPosition | undefined,
    private readonly options: SubscribeOptions,
  ) {
    this.done = this.run();
    this.done.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.live?.unsubscribe().catch(() => undefined);
    await this.done.catch(() => undefined);
  }

  private async deliver(record: StoredRecord): Promise<void> {
    await this.options.onRecord(record);
    this.after = parseEsdbCheckpoint(record.checkpoint);
  }

  private async run(): Promise<void> {
    // Catch-up by reading (deterministic on every server version), then live from the last delivered position.
    for (;;) {
      if (this.closed) return;
      const page = await this.store.readAllAfter(this.after, PAGE);
      for (const record of page) {
        if (this.closed) return;
        await this.deliver(record);
      }
      if (page.length < PAGE) break;
    }
    this.options.onCaughtUp?.();
    if (this.closed) return;
    try {
      this.live = this.client.subscribeToAll(this.after);
      for await (const resolved of this.live) {
        if (this.closed) return;
        const position = positionOf(resolved);
        if (!position || (this.after && comparePositions(position, this.after) <= 0)) continue;
        const record = resolvedToStored(resolved);
        if (record) await this.deliver(record);
      }
    } catch (error) {
      if (this.closed) return;
      throw mapClientError(error);
    }
  }
}
