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
import { StreamNotFoundError, type EventStore } from '../ports/eventstore.ts';
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

/**
 * The registry as of now, for the witness's every request, without folding the stream each time: each call
 * reads the stream's newest record (one indexed query, backwards, one record). While its revision is the one
 * folded, the folded state is the registry; when it is not (a log registered, a key rotated, a log retired),
 * the stream is folded again. A rotation or retirement is therefore seen by the first call that starts after
 * its append committed, exactly as a full fold per call would see it, and a rotated-out key is never
 * trusted from the cache.
 */
export function provincialLogRegistryReader(store: EventStore): () => Promise<ProvincialLogRegistry> {
  let folded: { revision: bigint; state: ProvincialLogRegistry } | undefined;
  return async () => {
    let newest: bigint;
    try {
      const [head] = await store.readStream(streams.provincialLogs(), { direction: 'backwards', maxCount: 1 });
      newest = head === undefined ? -1n : BigInt(head.record.revision);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return provincialLogDecider.initialState();
      throw error;
    }
    if (folded?.revision === newest) return folded.state;
    const { state, revision } = await loadStream(store, streams.provincialLogs(), provincialLogDecider, parseProvincialLogEvent);
    if (!folded || revision > folded.revision) folded = { revision, state };
    return state;
  };
}
