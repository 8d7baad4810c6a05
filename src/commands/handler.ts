/**
 * The generic command handler: load a stream, fold it, decide, append with the expected revision.
 *
 * Durable: `handleCommand` resolves only after the store committed the new records (see the event store port);
 * if it throws, this call wrote nothing. Optimistic concurrency: the append expects exactly the revision that
 * was folded (`no_stream` for a new stream), so a decision is never appended on top of history it did not see.
 * On a conflict the command is reloaded and decided again only when the caller declared it safe to retry —
 * i.e. deciding it against newer history gives the right answer (an ingest that the decider answers with []
 * once the detection exists; a worker result). Commands carrying a human's signature over a case revision are
 * not safe to retry: the signature covers what the officer saw.
 */
import {
  DuplicateEventIdError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  expected,
  type EventStore,
  type ExpectedRevision,
  type StoredRecord,
} from '../ports/eventstore.ts';
import type { CommandBase, Decider, DomainEvent } from '../domain/decider.ts';
import type { JsonObject, NewEvent } from '../domain/record.ts';
import type { IdGenerator } from '../ports/clock.ts';
import {
  CommandHandlerError,
  ConcurrentModificationError,
  RevisionMismatchError,
  StoredEventUnreadableError,
  UnwritableEventError,
} from './errors.ts';

export interface RetryPolicy {
  /** Declared by the service: deciding again on newer history is correct for this command. */
  safe: boolean;
  /** Reloads after a conflict before giving up (default 3). */
  maxRetries?: number;
}

export interface HandleCommandInput<Command extends CommandBase, Event extends DomainEvent, State> {
  store: EventStore;
  stream: string;
  decider: Decider<Command, Event, State>;
  command: Command;
  /** Fresh event ids when the command does not supply them. */
  ids: IdGenerator;
  /**
   * Event ids chosen by the caller (deterministic, e.g. derived from a job or request id): the i-th event gets
   * the i-th id. MUST hold at least as many ids as `decide` returns events. They are also the command's
   * idempotency key: when any of them is already in the stream, the command has taken effect before and
   * nothing is decided or appended (`alreadyApplied: true`), even if the stream moved on since.
   */
  eventIds?: readonly string[];
  /** Turns a record read back into a domain event (the aggregate's `eventParser`); default: taken as is. */
  parseEvent?: (event: { type: string; data: unknown }) => Event;
  correlationId?: string;
  causationId?: string;
  /**
   * The province written to `meta.province`, from the state after the new events (the aggregate's province,
   * so a national actor's record on a provincial case still files under that province). Default, or when it
   * returns undefined: the command's `province`.
   */
  recordProvince?: (stateAfter: State) => string | undefined;
  /** The revision the caller last saw (HTTP If-Match); −1n means "the stream must not exist yet". */
  expectedRevision?: bigint;
  retry?: RetryPolicy;
}

export interface HandleCommandResult<State> {
  /** The records this command appended; empty when `decide` returned no events. */
  events: StoredRecord[];
  /** The revision of the stream's last record after the command; −1n when the stream still does not exist. */
  nextExpectedRevision: bigint;
  /** The state folded through the new events. */
  state: State;
  /** How many times the stream was loaded (1 unless a conflict forced a retry). */
  attempts: number;
  /** True when the supplied event ids were already in the stream: a replay, nothing decided or appended. */
  alreadyApplied: boolean;
}

/**
 * Retries of a safe command after a conflict. Six, with a jittered backoff between them: a case stream that the
 * workers append to in bursts (a plate reading, derived media, custody) under load conflicted four times in a row
 * when the retries followed each other at once.
 */
export const DEFAULT_MAX_RETRIES = 6;

/** Wait before retry `attempt` (1-based): full jitter over 5·2^attempt ms, at most 200 ms, so racing writers spread out. */
function conflictBackoff(attempt: number): Promise<void> {
  const ceilingMs = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceilingMs));
}

export interface LoadedStream<State> {
  state: State;
  /** Revision of the last record folded, −1n when the stream does not exist. */
  revision: bigint;
  /** Ids of the records folded. */
  eventIds: Set<string>;
}

/** Records read per round trip while folding; stores cap one read (the PostgreSQL store at 1,000 by default). */
export const LOAD_PAGE_SIZE = 1000;

/**
 * Reads a whole stream, page by page (the store's `aggregateStream`), and folds it; a missing stream is the
 * initial state at revision −1n. Paging matters: folding only the first page of a long stream would decide on
 * a prefix of history.
 */
export async function loadStream<Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  parseEvent: (event: { type: string; data: unknown }) => Event = (event) => event as Event,
): Promise<LoadedStream<State>> {
  let state = decider.initialState();
  let revision = -1n;
  const eventIds = new Set<string>();
  try {
    for await (const page of store.aggregateStream(stream, { pageSize: LOAD_PAGE_SIZE })) {
      for (const { record } of page) {
        const at = BigInt(record.revision);
        if (at !== revision + 1n) {
          throw new CommandHandlerError(`Stream ${stream} read out of order: revision ${at} after ${revision}`);
        }
        let event: Event;
        try {
          event = parseEvent({ type: record.type, data: record.data });
        } catch (error) {
          // History that no longer parses is an integrity or upgrade problem, never the caller's bad input.
          throw new StoredEventUnreadableError(stream, record.id, record.type, { cause: error });
        }
        state = decider.evolve(state, event);
        revision = at;
        eventIds.add(record.id);
      }
    }
  } catch (error) {
    // Only "no stream at all" is the initial state; a stream that vanished mid-read is an error.
    if (error instanceof StreamNotFoundError && revision < 0n) return { state, revision, eventIds };
    throw error;
  }
  return { state, revision, eventIds };
}

export async function handleCommand<Command extends CommandBase, Event extends DomainEvent, State>(
  input: HandleCommandInput<Command, Event, State>,
): Promise<HandleCommandResult<State>> {
  const { store, stream, decider, command } = input;
  const maxRetries = input.retry?.safe ? (input.retry.maxRetries ?? DEFAULT_MAX_RETRIES) : 0;
  for (let attempt = 1; ; attempt++) {
    const loaded = await loadStream(store, stream, decider, input.parseEvent);
    // Checked before If-Match: a replayed request that already succeeded gets its success again.
    if (input.eventIds?.some((id) => loaded.eventIds.has(id))) {
      return { events: [], nextExpectedRevision: loaded.revision, state: loaded.state, attempts: attempt, alreadyApplied: true };
    }
    if (input.expectedRevision !== undefined && input.expectedRevision !== loaded.revision) {
      throw new RevisionMismatchError(stream, input.expectedRevision, loaded.revision);
    }
    const events = decider.decide(command, loaded.state);
    if (events.length === 0) {
      return { events: [], nextExpectedRevision: loaded.revision, state: loaded.state, attempts: attempt, alreadyApplied: false };
    }
    // What is appended can never be changed: check each event against the schema it will be read back with.
    if (input.parseEvent) {
      for (const event of events) {
        try {
          input.parseEvent({ type: event.type, data: event.data });
        } catch (error) {
          throw new UnwritableEventError(stream, event.type, { cause: error });
        }
      }
    }
    let state = loaded.state;
    for (const event of events) state = decider.evolve(state, event);
    const province = input.recordProvince?.(state) ?? command.province;
    const newEvents = toNewEvents(events, input, province);
    const expectedRevision: ExpectedRevision = loaded.revision < 0n ? expected.noStream : expected.exact(loaded.revision);
    try {
      const result = await store.append(stream, newEvents, expectedRevision);
      return {
        events: result.records,
        nextExpectedRevision: result.nextExpectedRevision,
        state,
        attempts: attempt,
        alreadyApplied: false,
      };
    } catch (error) {
      if (error instanceof DuplicateEventIdError) {
        // A racing replay of the same idempotency key stored its events first (a store may report the id
        // before the revision). If they are in this stream the command has taken effect; otherwise the ids
        // are taken elsewhere, which is the caller's bug.
        const replayed = await replayedOutcome(input, attempt);
        if (replayed) return replayed;
        throw error;
      }
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt > maxRetries) {
        const replayed = await replayedOutcome(input, attempt);
        if (replayed) return replayed;
        throw new ConcurrentModificationError(stream, attempt, { cause: error });
      }
      await conflictBackoff(attempt);
    }
  }
}

/** After a failed append: the outcome of a replay when the command's own event ids are now in the stream. */
async function replayedOutcome<Command extends CommandBase, Event extends DomainEvent, State>(
  input: HandleCommandInput<Command, Event, State>,
  attempt: number,
): Promise<HandleCommandResult<State> | undefined> {
  if (!input.eventIds || input.eventIds.length === 0) return undefined;
  const after = await loadStream(input.store, input.stream, input.decider, input.parseEvent);
  if (!input.eventIds.some((id) => after.eventIds.has(id))) return undefined;
  return { events: [], nextExpectedRevision: after.revision, state: after.state, attempts: attempt, alreadyApplied: true };
}

function toNewEvents<Command extends CommandBase, Event extends DomainEvent, State>(
  events: Event[],
  input: HandleCommandInput<Command, Event, State>,
  province: string,
): NewEvent[] {
  const { command } = input;
  if (input.eventIds && input.eventIds.length < events.length) {
    throw new CommandHandlerError(`${events.length} events decided but only ${input.eventIds.length} event ids supplied`);
  }
  return events.map((event, i) => {
    const data = event.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new CommandHandlerError(`Event ${event.type} has no object payload`);
    }
    return {
      id: input.eventIds?.[i] ?? input.ids(),
      type: event.type,
      data: data as JsonObject,
      meta: {
        actor: { kind: command.actor.kind, id: command.actor.id },
        province,
        ...(input.correlationId !== undefined ? { correlationId: input.correlationId } : {}),
        ...(input.causationId !== undefined ? { causationId: input.causationId } : {}),
        recordedAt: command.now,
      },
    };
  });
}
