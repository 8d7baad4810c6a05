/**
 * The application-service shape every aggregate shares: run a fully built command on the aggregate's stream
 * through `handleCommand` (durable when it resolves, see handler.ts), and make one thin service per command
 * type that stamps `now` from the clock and the caller's actor and province.
 */
import type { CommandBase, Decider, DomainEvent } from '../domain/decider.ts';
import type { CommandDeps } from './deps.ts';
import { handleCommand } from './handler.ts';
import type { Caller, CommandFields, CommandOptions, CommandOutcome } from './outcome.ts';

export interface AggregateSpec<Command extends CommandBase, Event extends DomainEvent, State> {
  /** The stream a command acts on, e.g. `camera-<cameraId>`. */
  stream: (command: Command) => string;
  decider: Decider<Command, Event, State>;
  /** The aggregate's event parser, applied to every record read back. */
  parseEvent: (event: { type: string; data: unknown }) => Event;
  /** True when deciding this command again on newer history is correct (see `RetryPolicy`). */
  retrySafe: (command: Command) => boolean;
  /** The province the records file under, from the state after them (see `HandleCommandInput`). */
  recordProvince?: (stateAfter: State) => string | undefined;
}

export type ExecuteCommand<Command, State> = (
  deps: CommandDeps,
  command: Command,
  options?: CommandOptions,
) => Promise<CommandOutcome<State>>;

/** Runs a fully built command of one aggregate: load, fold, decide, append with the expected revision. */
export function commandExecutor<Command extends CommandBase, Event extends DomainEvent, State>(
  spec: AggregateSpec<Command, Event, State>,
): ExecuteCommand<Command, State> {
  return async (deps, command, options = {}) => {
    const stream = spec.stream(command);
    const result = await handleCommand({
      store: deps.store,
      stream,
      decider: spec.decider,
      parseEvent: spec.parseEvent,
      command,
      ids: deps.ids,
      ...options,
      retry: { safe: spec.retrySafe(command) },
      ...(spec.recordProvince ? { recordProvince: spec.recordProvince } : {}),
    });
    return {
      stream,
      events: result.events,
      nextExpectedRevision: result.nextExpectedRevision,
      state: result.state,
      alreadyApplied: result.alreadyApplied,
    };
  };
}

/** A service's own fields for command type `T`: what it takes besides the caller. */
export type FieldsOf<Command extends { type: string }, T extends Command['type']> = CommandFields<
  Extract<Command, { type: T }>
>;

/**
 * Makes the services of one aggregate: `serviceFor(type)` builds `{ ...fields, type, now, ...caller }` with
 * `now` read from `deps.clock`, and runs it through `execute`.
 */
export function commandServices<Command extends CommandBase & { type: string }, State>(
  execute: ExecuteCommand<Command, State>,
) {
  return <T extends Command['type']>(type: T) =>
    (deps: CommandDeps, caller: Caller, fields: FieldsOf<Command, T>, options?: CommandOptions) =>
      execute(deps, { ...fields, type, now: deps.clock.now(), ...caller } as unknown as Command, options);
}
