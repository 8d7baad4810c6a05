/**
 * The provincial log registry on `provincial-logs` (national records, province "00"): register, rotate key,
 * move (base URL), retire. The witness reads the registry with `loadProvincialLogRegistry`. Safe to retry on a conflict: the
 * decider re-checks each command on newer history.
 */
import type { ProvincialLogCommand } from '../domain/federation/commands.ts';
import { provincialLogDecider } from '../domain/federation/decider.ts';
import { parseProvincialLogEvent } from '../domain/federation/events.ts';
import type { ProvincialLogRegistry } from '../domain/federation/state.ts';
import { streams } from '../domain/record.ts';
import type { EventStore } from '../ports/eventstore.ts';
import { commandExecutor, commandServices, type ExecuteCommand } from './aggregate.ts';
import { loadStream } from './handler.ts';

export const executeProvincialLogCommand: ExecuteCommand<ProvincialLogCommand, ProvincialLogRegistry> =
  commandExecutor({
    stream: () => streams.provincialLogs(),
    decider: provincialLogDecider,
    parseEvent: parseProvincialLogEvent,
    retrySafe: () => true,
  });

const registry = commandServices(executeProvincialLogCommand);

export const registerProvincialLog = registry('RegisterProvincialLog');
export const rotateProvincialLogKey = registry('RotateProvincialLogKey');
export const moveProvincialLog = registry('MoveProvincialLog');
export const retireProvincialLog = registry('RetireProvincialLog');

export async function loadProvincialLogRegistry(store: EventStore): Promise<ProvincialLogRegistry> {
  const { state } = await loadStream(
    store,
    streams.provincialLogs(),
    provincialLogDecider,
    parseProvincialLogEvent,
  );
  return state;
}
