/**
 * What application services need from the outside: the event store, a clock and an id generator. Injected so
 * tests and replays control time and ids; domain code never reads either itself.
 */
import { v7 as uuidV7 } from 'uuid';
import type { Clock, IdGenerator } from '../ports/clock.ts';
import type { EventStore } from '../ports/eventstore.ts';

export type { Clock, IdGenerator };

export interface CommandDeps {
  store: EventStore;
  clock: Clock;
  ids: IdGenerator;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

export const uuidV7Ids: IdGenerator = () => uuidV7();

/** A clock pinned to one instant, for tests and replays. */
export function fixedClock(at: string): Clock {
  return { now: () => at };
}
