/**
 * Every call into `@eventstore/db-client` lives in this file, so moving to `@kurrent/kurrentdb-client` is a
 * change here only. It speaks the client's shapes (declared in mapping.ts) and throws the client's errors;
 * the adapter maps them.
 */
import { BACKWARDS, END, EventStoreDBClient, FORWARDS, START, excludeSystemEvents, jsonEvent } from '@eventstore/db-client';
import type { ClientCurrentRevision, ClientPosition, ClientResolvedEvent, RecordMetadata } from './mapping.ts';

export interface EsdbEventToAppend {
  id: string;
  type: string;
  /** The record as a JSON object (what canonical text was hashed from). */
  record: Record<string, unknown>;
  metadata: RecordMetadata;
}

export interface EsdbLiveSubscription extends AsyncIterable<ClientResolvedEvent> {
  unsubscribe(): Promise<void>;
}

export class EsdbClient {
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async readStream(
    stream: string,
    options: { direction: 'forwards' | 'backwards'; fromRevision?: bigint; maxCount: number },
  ): Promise<ClientResolvedEvent[]> {
    const events: ClientResolvedEvent[] = [];
    const read = this.client.readStream(stream, {
      direction: options.direction === 'forwards' ? FORWARDS : BACKWARDS,
      fromRevision: options.fromRevision ?? (options.direction === 'forwards' ? START : END),
      maxCount: options.maxCount,
    });
    for await (const resolved of read) events.push(resolved as ClientResolvedEvent);
    return events;
  }

  /** Appends with an exact current revision (or NO_STREAM); returns the stream's new last revision. */
  async append(stream: string, events: EsdbEventToAppend[], expected: ClientCurrentRevision): Promise<{ nextExpectedRevision: bigint; position?: ClientPosition }> {
    const result = await this.client.appendToStream(
      stream,
      events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.record, metadata: { ...e.metadata } })),
      { expectedRevision: expected },
    );
    return result.position ? { nextExpectedRevision: result.nextExpectedRevision, position: result.position } : { nextExpectedRevision: result.nextExpectedRevision };
  }

  /** Reads $all forwards from a position (inclusive, as the server does). */
  async readAll(from: ClientPosition | undefined, maxCount: number): Promise<ClientResolvedEvent[]> {
    const events: ClientResolvedEvent[] = [];
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: from ?? START, maxCount });
    for await (const resolved of read) events.push(resolved as ClientResolvedEvent);
    return events;
  }

  /** Reads the last event of $all (system events included: the caller skips them). */
  async readAllBackwards(maxCount: number, from?: ClientPosition): Promise<ClientResolvedEvent[]> {
    const events: ClientResolvedEvent[] = [];
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: from ?? END, maxCount });
    for await (const resolved of read) events.push(resolved as ClientResolvedEvent);
    return events;
  }

  /** Live subscription to $all after a position, without system events. */
  subscribeToAll(from: ClientPosition | undefined): EsdbLiveSubscription {
    return this.client.subscribeToAll({ fromPosition: from ?? START, filter: excludeSystemEvents() }) as unknown as EsdbLiveSubscription;
  }

  async dispose(): Promise<void> {
    await this.client.dispose();
  }
}
