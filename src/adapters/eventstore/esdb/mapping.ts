/**
 * Pure mappings between the EventStoreDB client's world and the port's. No client import here: the shapes
 * are declared structurally (the `@kurrent/kurrentdb-client` successor has the same ones), so this file and
 * its unit spec survive a client swap unchanged.
 */
import { canonicalize } from '../../../domain/integrity/canonical.ts';
import { canonicalTextHash } from '../../../domain/integrity/hash.ts';
import type { EventRecord } from '../../../domain/record.ts';
import { AppError, ValidationError } from '../../../domain/shared/errors.ts';
import {
  StoreUnavailableError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  RecordTooLargeError,
  type ExpectedRevision,
  type StoredRecord,
} from '../../../ports/eventstore.ts';

/** The client's expected-revision values (its ANY / NO_STREAM / STREAM_EXISTS constants, or a bigint). */
export type ClientExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
/** The client's current revision: NO_STREAM or the last revision. */
export type ClientCurrentRevision = 'no_stream' | bigint;

export interface ClientPosition {
  commit: bigint;
  prepare: bigint;
}

export interface ClientRecordedEvent {
  streamId: string;
  id: string;
  type: string;
  revision: bigint;
  isJson: boolean;
  data: unknown;
  metadata?: unknown;
  position?: ClientPosition;
}

export interface ClientResolvedEvent {
  event?: ClientRecordedEvent;
  link?: unknown;
  commitPosition?: bigint;
}

/** Custom metadata we store beside each record. */
export interface RecordMetadata {
  hash: string;
}

export function toClientExpectedRevision(expected: ExpectedRevision): ClientExpectedRevision {
  switch (expected.kind) {
    case 'any':
      return 'any';
    case 'no_stream':
      return 'no_stream';
    case 'stream_exists':
      return 'stream_exists';
    case 'exact':
      return expected.revision;
  }
}

export function fromClientExpectedRevision(value: ClientExpectedRevision): ExpectedRevision {
  if (typeof value === 'bigint') return { kind: 'exact', revision: value };
  return { kind: value };
}

/** −1n for a stream that does not exist, as the port reports it. */
export function fromClientCurrentRevision(current: ClientCurrentRevision | undefined): bigint {
  return typeof current === 'bigint' ? current : -1n;
}

/** The revision the port expects, as the client's value for "the stream's last revision is this". */
export function toClientCurrentRevision(revision: bigint): ClientCurrentRevision {
  return revision < 0n ? 'no_stream' : revision;
}

// --- checkpoints ------------------------------------------------------------------------------------------

const CHECKPOINT = /^(\d{1,20}):(\d{1,20})$/;
const MAX_U64 = 2n ** 64n - 1n;

/** "C:P": commit and prepare position in the transaction log, decimal. */
export function formatEsdbCheckpoint(position: ClientPosition): string {
  return `${position.commit}:${position.prepare}`;
}

export function parseEsdbCheckpoint(checkpoint: string): ClientPosition {
  const match = typeof checkpoint === 'string' ? CHECKPOINT.exec(checkpoint) : null;
  if (!match) throw new ValidationError('Malformed event store checkpoint', undefined, 'bad-checkpoint');
  const commit = BigInt(match[1]!);
  const prepare = BigInt(match[2]!);
  if (commit > MAX_U64 || prepare > MAX_U64) throw new ValidationError('Event store checkpoint out of range', undefined, 'bad-checkpoint');
  return { commit, prepare };
}

export function comparePositions(a: ClientPosition, b: ClientPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

// --- events -----------------------------------------------------------------------------------------------

/** The event's log position; servers before 22.6 give only the commit position on reads of $all. */
export function positionOf(resolved: ClientResolvedEvent): ClientPosition | undefined {
  if (resolved.event?.position) return resolved.event.position;
  return resolved.commitPosition === undefined ? undefined : { commit: resolved.commitPosition, prepare: resolved.commitPosition };
}

/** `$`-prefixed streams and types are EventStoreDB's own (statistics, settings, links, metadata). */
export function isSystemEvent(event: Pick<ClientRecordedEvent, 'streamId' | 'type'>): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** The record's stored bytes are not the record we wrote: the hash beside it disagrees. */
export class EsdbRecordIntegrityError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'record-hash-mismatch';
}

/**
 * A resolved event as a StoredRecord, or undefined for events that are not records (system events, links,
 * events written by something else without our metadata). The canonical text is recomputed from the JSON
 * data (JSON round-trips doubles and strings losslessly) and MUST hash to the hash in metadata.
 */
export function resolvedToStored(resolved: ClientResolvedEvent): StoredRecord | undefined {
  const event = resolved.event;
  if (!event || isSystemEvent(event) || !event.isJson) return undefined;
  const hash = (event.metadata as Partial<RecordMetadata> | undefined)?.hash;
  if (typeof hash !== 'string' || typeof event.data !== 'object' || event.data === null) return undefined;
  const canonical = canonicalize(event.data);
  if (canonicalTextHash(canonical) !== hash) {
    throw new EsdbRecordIntegrityError(`Event ${event.id} in ${event.streamId}: data does not hash to its recorded hash`, { eventId: event.id });
  }
  const record = event.data as EventRecord;
  if (record.id !== event.id || record.stream !== event.streamId || BigInt(record.revision) !== event.revision) {
    throw new EsdbRecordIntegrityError(`Event ${event.id} in ${event.streamId}: record does not match its position`, { eventId: event.id });
  }
  const position = positionOf(resolved);
  return {
    record,
    canonical,
    hash,
    checkpoint: position ? formatEsdbCheckpoint(position) : '',
  };
}

// --- errors -----------------------------------------------------------------------------------------------

interface ClientErrorShape {
  type?: unknown;
  code?: unknown;
  message?: unknown;
  actualVersion?: unknown;
  maxAppendSize?: unknown;
}

const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader', 'cancelled']);
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Maps whatever the client threw to the port's typed errors; unknown errors pass through unchanged. */
export function mapClientError(error: unknown, context: { stream?: string; expected?: ExpectedRevision; eventId?: string } = {}): unknown {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) return error;
  const e = error as ClientErrorShape;
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.type === 'wrong-expected-version') {
    return new WrongExpectedRevisionError(
      context.stream ?? 'unknown',
      context.expected ?? { kind: 'any' },
      fromClientCurrentRevision(e.actualVersion as ClientCurrentRevision | undefined),
    );
  }
  if (e.type === 'stream-not-found' || e.type === 'stream-deleted') return new StreamNotFoundError(context.stream ?? 'unknown');
  if (e.type === 'maximum-append-size-exceeded') {
    const limit = typeof e.maxAppendSize === 'number' ? e.maxAppendSize : 0;
    return new RecordTooLargeError(context.eventId ?? 'batch', limit + 1, limit);
  }
  if (
    (typeof e.type === 'string' && UNAVAILABLE_TYPES.has(e.type)) ||
    e.code === GRPC_UNAVAILABLE ||
    e.code === GRPC_DEADLINE_EXCEEDED ||
    e.code === 'ECONNREFUSED' ||
    /\b14 UNAVAILABLE\b|ServiceUnavailable|ECONNREFUSED|ECONNRESET|No connection established|Failed to discover|connect ETIMEDOUT/i.test(message)
  ) {
    return new StoreUnavailableError('The EventStoreDB event store is unavailable', { cause: error });
  }
  return error;
}
