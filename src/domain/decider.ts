import type { z, ZodType } from 'zod';
import type { Actor } from './record.ts';
import { ValidationError } from './shared/errors.ts';

/**
 * The decider shape every aggregate follows (Emmett / Chassaing): pure functions, no I/O, no clock, no id
 * generation. The command handler loads a stream, folds it with `evolve` from `initialState()`, calls
 * `decide`, and appends what it returns with the expected revision.
 *
 * - `decide` MUST be deterministic: the same command and state give the same events or the same error. It
 *   throws typed errors (subclasses of AppError) and returns `[]` when the command is already satisfied.
 * - `evolve` MUST NOT throw: it folds history, and history is what it is.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds a history into a state. */
export function fold<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** A union of `{ type, data }` events from a map of event type → zod payload schema. */
export type EventsOf<Schemas extends Record<string, ZodType>> = {
  [K in keyof Schemas & string]: DomainEvent<K, z.infer<Schemas[K]>>;
}[keyof Schemas & string];

/**
 * A parser for an aggregate's events: checks the type is known and the payload matches its schema. Use it on
 * anything not produced by `decide` in this process (records read back, input from another node).
 */
export function eventParser<Schemas extends Record<string, ZodType>>(
  aggregate: string,
  schemas: Schemas,
): (event: { type: string; data: unknown }) => EventsOf<Schemas> {
  return (event) => {
    const schema = Object.hasOwn(schemas, event.type) ? schemas[event.type] : undefined;
    if (!schema)
      throw new ValidationError(
        `Unknown ${aggregate} event type`,
        { type: event.type },
        'unknown-event-type',
      );
    const result = schema.safeParse(event.data);
    if (!result.success) {
      const issues = result.error.issues
        .slice(0, 10)
        .map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new ValidationError(
        `Invalid ${event.type} payload`,
        { type: event.type, issues },
        'invalid-event',
      );
    }
    return { type: event.type, data: result.data } as EventsOf<Schemas>;
  };
}

/**
 * What every command carries besides its own fields. `now` is the command handler's clock reading (RFC 3339
 * UTC) and becomes the records' `meta.recordedAt`; `province` becomes `meta.province` and MUST be the
 * aggregate's province (national records use "00").
 */
export interface CommandBase {
  now: string;
  actor: Actor;
  province: string;
}
