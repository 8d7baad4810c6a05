/**
 * Turning proposed events into records, shared by every adapter.
 *
 * A record's canonical text (RFC 8785) sorts its keys as `data, id, meta, prev, revision, stream, type, v`, so
 * everything the caller chose sits before `prev` or after `revision`. We canonicalize that once, here, as a
 * `head` and a `tail`; the store only splices in `prev` and `revision` at append time. The result is
 * byte-identical to `canonicalize(record)` (a unit spec checks it on random records), which lets the
 * PostgreSQL store build and hash the record inside one database call.
 */
import { canonicalize } from '../../domain/integrity/canonical.ts';
import { isRfc3339Utc } from '../../domain/integrity/time.ts';
import { canonicalTextHash } from '../../domain/integrity/hash.ts';
import type { EventRecord, NewEvent, RecordMeta } from '../../domain/record.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { RecordTooLargeError, type ExpectedRevision } from '../../ports/eventstore.ts';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Control characters are refused in names: they end up in logs, URLs and file names of bundles.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/u;
export const MAX_NAME_LENGTH = 200;
/** One append is one transaction; a bound keeps a hostile caller from holding a stream lock for minutes. */
export const MAX_EVENTS_PER_APPEND = 10_000;
/** Room reserved for the spliced part: `prev` (64) + `","revision":` (13) + up to 19 digits. */
const SPLICE_BYTES = 64 + 13 + 19;

export interface PreparedEvent {
  id: string;
  type: string;
  /** Canonical text up to and including `"prev":"`. */
  head: string;
  /** Canonical text from `,"stream":` to the closing brace. */
  tail: string;
  recordedAt: string;
  province: string;
}

/** A real UTC instant: the pattern, and no calendar overflow (JavaScript reads 02-30 as 03-02; PostgreSQL refuses it). */
/** Validates a stream name; `$`-prefixed names are reserved (EventStoreDB system streams). */
export function assertStreamName(stream: unknown): asserts stream is string {
  if (typeof stream !== 'string' || stream.length === 0 || stream.length > MAX_NAME_LENGTH) {
    throw new ValidationError('Stream name must be 1–200 characters', undefined, 'bad-stream-name');
  }
  if (CONTROL_CHARS.test(stream) || stream.startsWith('$')) {
    throw new ValidationError('Stream name holds control characters or starts with $', undefined, 'bad-stream-name');
  }
}

export const MAX_REVISION = 2n ** 63n - 1n;

/** A revision as the port takes it: a bigint from 0 to 2^63 − 1. */
export function assertRevision(revision: unknown, what = 'revision'): asserts revision is bigint {
  if (typeof revision !== 'bigint' || revision < 0n || revision > MAX_REVISION) {
    throw new ValidationError(`${what} must be a bigint from 0 to 2^63 − 1`, undefined, 'bad-revision');
  }
}

export function assertExpectedRevision(expected: ExpectedRevision): void {
  const kind = (expected as { kind?: unknown } | undefined)?.kind;
  if (kind === 'any' || kind === 'no_stream' || kind === 'stream_exists') return;
  if (kind === 'exact') {
    const revision = (expected as { revision?: unknown }).revision;
    if (typeof revision === 'bigint' && revision >= 0n && revision <= MAX_REVISION) return;
  }
  throw new ValidationError('Expected revision must be any, no_stream, stream_exists or exact with a bigint ≥ 0', undefined, 'bad-expected-revision');
}

/** Drops `undefined` members of `meta` (optional fields left unset); canonicalize refuses undefined anywhere else. */
function cleanMeta(meta: RecordMeta): RecordMeta {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) if (value !== undefined) out[key] = value;
  return out as unknown as RecordMeta;
}

/**
 * Validates a batch and canonicalizes each event once. Throws ValidationError (or CanonicalizationError)
 * for malformed input and RecordTooLargeError when a record would exceed `maxRecordBytes` (counted with the
 * widest possible revision, so the bound holds whatever revision the store assigns).
 */
export function prepareEvents(stream: string, events: readonly NewEvent[], maxRecordBytes: number): PreparedEvent[] {
  assertStreamName(stream);
  if (!Array.isArray(events) || events.length === 0) {
    throw new ValidationError('An append needs at least one event', undefined, 'empty-append');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new ValidationError(`At most ${MAX_EVENTS_PER_APPEND} events per append`, undefined, 'append-too-large');
  }
  const seen = new Set<string>();
  const streamJson = canonicalize(stream);
  return events.map((event) => {
    if (typeof event !== 'object' || event === null) throw new ValidationError('An event must be an object');
    const { id, type, data, meta } = event;
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new ValidationError('Event id must be a lowercase UUID', undefined, 'bad-event-id');
    }
    if (seen.has(id)) throw new ValidationError(`Event id ${id} appears twice in one append`, { eventId: id }, 'duplicate-event-id');
    seen.add(id);
    if (typeof type !== 'string' || type.length === 0 || type.length > MAX_NAME_LENGTH || CONTROL_CHARS.test(type) || type.startsWith('$')) {
      throw new ValidationError('Event type must be 1–200 characters, no control characters, not $-prefixed', { eventId: id }, 'bad-event-type');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ValidationError('Event data must be a JSON object', { eventId: id }, 'bad-event-data');
    }
    if (typeof meta !== 'object' || meta === null) throw new ValidationError('Event meta is required', { eventId: id }, 'bad-event-meta');
    const clean = cleanMeta(meta);
    if (typeof clean.recordedAt !== 'string' || !isRfc3339Utc(clean.recordedAt)) {
      throw new ValidationError('meta.recordedAt must be an RFC 3339 UTC timestamp', { eventId: id }, 'bad-recorded-at');
    }
    if (typeof clean.province !== 'string' || clean.province.length === 0 || clean.province.length > 16 || CONTROL_CHARS.test(clean.province)) {
      throw new ValidationError('meta.province must be a short code', { eventId: id }, 'bad-province');
    }
    const head = `{"data":${canonicalize(data)},"id":${canonicalize(id)},"meta":${canonicalize(clean)},"prev":"`;
    const tail = `,"stream":${streamJson},"type":${canonicalize(type)},"v":1}`;
    const size = Buffer.byteLength(head, 'utf8') + SPLICE_BYTES + Buffer.byteLength(tail, 'utf8');
    if (size > maxRecordBytes) throw new RecordTooLargeError(id, size, maxRecordBytes);
    return { id, type, head, tail, recordedAt: clean.recordedAt, province: clean.province };
  });
}

/** The canonical record text for an event at a position: exactly `canonicalize(record)`. */
export function spliceRecord(event: Pick<PreparedEvent, 'head' | 'tail'>, prev: string, revision: bigint): string {
  return `${event.head}${prev}","revision":${revision.toString()}${event.tail}`;
}

/** Builds records for a batch in memory (used by adapters that cannot splice server-side). */
export function chainRecords(
  events: readonly PreparedEvent[],
  firstRevision: bigint,
  prev: string,
): { canonical: string; hash: string; revision: bigint }[] {
  let previous = prev;
  return events.map((event, i) => {
    const revision = firstRevision + BigInt(i);
    const canonical = spliceRecord(event, previous, revision);
    const hash = canonicalTextHash(canonical);
    previous = hash;
    return { canonical, hash, revision };
  });
}

/** Parses a stored canonical text; the adapters hand back exactly this object with the exact text. */
export function parseRecord(canonical: string): EventRecord {
  return JSON.parse(canonical) as EventRecord;
}
