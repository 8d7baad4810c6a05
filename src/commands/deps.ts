/**
 * What application services need from the outside: the event store, a clock and an id generator. Injected so
 * tests and replays control time and ids; domain code never reads either itself.
 */
import { v7 as uuidV7 } from 'uuid';
import type { EventStore } from '../ports/eventstore.ts';

export interface Clock {
  /** RFC 3339 UTC with milliseconds, e.g. 2026-11-24T09:00:00.123Z. */
  now(): string;
}

/** Returns a fresh lowercase UUID (v7: time-ordered, so ids sort roughly by creation). */
export type IdGenerator = () => string;

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
