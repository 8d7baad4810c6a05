/** Appending through the real PostgreSQL event store, for the sequencer specs. */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { expected } from '../../../../src/ports/eventstore.ts';
import type { NewEvent } from '../../../../src/domain/record.ts';

export function openEventStore(url: string): PostgresEventStore {
  return new PostgresEventStore({ databaseUrl: url, poolSize: 6, pollIntervalMs: 50 });
}

export function noteEvent(n: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'NoteAdded',
    data: { n, text: `note ${n}` },
    meta: { actor: { kind: 'system', id: 'ledger-spec' }, province: '01', recordedAt: new Date().toISOString() },
  };
}

/** Appends `count` events spread over `streams` streams, a few per append; returns the ids in append order. */
export async function appendNotes(store: PostgresEventStore, count: number, streams = 5, prefix = randomUUID()): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; ) {
    const size = Math.min(count - i, 1 + (i % 3));
    const events = Array.from({ length: size }, (_, k) => noteEvent(i + k));
    await store.append(`case-${prefix}-${i % streams}`, events, expected.any);
    ids.push(...events.map((e) => e.id));
    i += size;
  }
  return ids;
}
