/**
 * Idempotent re-append, shared by every adapter. A re-append is accepted (nothing written, the stored
 * records returned with `idempotent: true`) only when EVERY event id of the batch is already stored in the
 * same stream, at consecutive revisions in batch order, at the positions the expected revision implies
 * (`no_stream` → from 0, `exact r` → from r + 1, `any`/`stream_exists` → anywhere), with byte-identical
 * content. Anything else involving a stored id is a `DuplicateEventIdError`.
 */
import { DuplicateEventIdError, type ExpectedRevision } from '../../ports/eventstore.ts';
import { parseRecord, spliceRecord, type PreparedEvent } from './record-builder.ts';

export interface StoredEventRow {
  eventId: string;
  stream: string;
  revision: bigint;
  canonical: string;
}

/** Returns the stored rows in batch order, or throws DuplicateEventIdError. */
export function resolveReappend(
  stream: string,
  events: readonly PreparedEvent[],
  expected: ExpectedRevision,
  stored: readonly StoredEventRow[],
): StoredEventRow[] {
  const byId = new Map(stored.map((row) => [row.eventId, row]));
  const ordered: StoredEventRow[] = [];
  for (const event of events) {
    const row = byId.get(event.id);
    if (!row) {
      const known = stored[0]?.eventId ?? event.id;
      throw new DuplicateEventIdError(known, `Event ${known} is already stored but ${event.id} of the same append is not: a partial re-append`);
    }
    if (row.stream !== stream) {
      throw new DuplicateEventIdError(event.id, `Event ${event.id} is already stored in another stream`);
    }
    const prev = parseRecord(row.canonical).prev;
    if (spliceRecord(event, prev, row.revision) !== row.canonical) {
      throw new DuplicateEventIdError(event.id, `Event ${event.id} is already stored with different content`);
    }
    ordered.push(row);
  }
  const first = ordered[0]!.revision;
  ordered.forEach((row, i) => {
    if (row.revision !== first + BigInt(i)) {
      throw new DuplicateEventIdError(row.eventId, `Event ${row.eventId} is already stored at another position`);
    }
  });
  const wantedFirst = expected.kind === 'no_stream' ? 0n : expected.kind === 'exact' ? expected.revision + 1n : first;
  if (first !== wantedFirst) {
    throw new DuplicateEventIdError(ordered[0]!.eventId, `Event ${ordered[0]!.eventId} is already stored at revision ${first}, not ${wantedFirst}`);
  }
  return ordered;
}
