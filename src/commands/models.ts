/**
 * AI model version services on `model-<modelId>` (national records, province "00"). Approval is a human
 * act the decider restricts to officers. Safe to retry on a conflict: the decider re-checks each command.
 */
import type { ModelCommand } from '../domain/model/commands.ts';
import { modelDecider } from '../domain/model/decider.ts';
import { parseModelEvent } from '../domain/model/events.ts';
import type { ModelState } from '../domain/model/state.ts';
import { streams } from '../domain/record.ts';
import type { CommandDeps } from './deps.ts';
import { handleCommand } from './handler.ts';
import type { Caller, CommandFields, CommandOptions, CommandOutcome } from './outcome.ts';

type Fields<T extends ModelCommand['type']> = CommandFields<Extract<ModelCommand, { type: T }>>;

export async function executeModelCommand(
  deps: CommandDeps,
  command: ModelCommand,
  options: CommandOptions = {},
): Promise<CommandOutcome<ModelState>> {
  const stream = streams.model(command.modelId);
  const result = await handleCommand({
    store: deps.store,
    stream,
    decider: modelDecider,
    parseEvent: parseModelEvent,
    command,
    ids: deps.ids,
    ...options,
    retry: { safe: true },
  });
  return {
    stream,
    events: result.events,
    nextExpectedRevision: result.nextExpectedRevision,
    state: result.state,
    alreadyApplied: result.alreadyApplied,
  };
}

function model<T extends ModelCommand['type']>(type: T) {
  return (deps: CommandDeps, caller: Caller, fields: Fields<T>, options?: CommandOptions) =>
    executeModelCommand(deps, { ...fields, type, now: deps.clock.now(), ...caller } as unknown as ModelCommand, options);
}

export const registerModelVersion = model('RegisterModelVersion');
export const approveModelVersion = model('ApproveModelVersion');
export const suspendModelVersion = model('SuspendModelVersion');
