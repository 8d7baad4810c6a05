/** Typed errors of the command-handling path. */
import { AppError } from '../domain/shared/errors.ts';

/**
 * The caller's precondition (HTTP If-Match) names a revision the stream is no longer (or not yet) at. Raised
 * before deciding: the caller MUST reload and look again, because it decided on a view that is stale.
 */
export class RevisionMismatchError extends AppError {
  readonly category = 'precondition' as const;
  readonly code = 'revision-mismatch';
  constructor(
    readonly stream: string,
    readonly expectedRevision: bigint,
    /** The revision of the stream's last record, −1n when the stream does not exist. */
    readonly actualRevision: bigint,
  ) {
    super(`Stream ${stream} is at revision ${actualRevision}, not ${expectedRevision}`, {
      stream,
      expectedRevision: expectedRevision.toString(),
      actualRevision: actualRevision.toString(),
    });
  }
}

/**
 * Another writer appended to the stream between load and append, and the command is not safe to retry (or
 * the retries ran out). Nothing was written by this command.
 */
export class ConcurrentModificationError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'concurrent-modification';
  constructor(
    readonly stream: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${stream} changed concurrently (${attempts} attempt(s)); reload and try again`, { stream, attempts }, options);
  }
}

/** A programming error on the command path (e.g. too few event ids supplied). Never caused by input. */
export class CommandHandlerError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'command-handler';
}

/**
 * The decider produced an event its own schema refuses: a programming error caught before the append, so the
 * immutable store never holds a record that the aggregate cannot read back. Nothing was written.
 */
export class UnwritableEventError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'unwritable-event';
  constructor(
    readonly stream: string,
    readonly eventType: string,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${stream}: the decided ${eventType} does not satisfy its own schema; nothing was written`, { stream, eventType }, options);
  }
}

/** A stored record of the stream does not parse as an event of its aggregate (corruption or a schema change). */
export class StoredEventUnreadableError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'stored-event-unreadable';
  constructor(
    readonly stream: string,
    readonly eventId: string,
    readonly eventType: string,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${stream}: stored ${eventType} record ${eventId} does not parse`, { stream, eventId, eventType }, options);
  }
}
