/**
 * Time and ids come in from outside: application services never read either themselves, so tests and
 * replays control both. Implementations (`systemClock`, `fixedClock`, `uuidV7Ids`) are in
 * src/commands/deps.ts.
 */
export interface Clock {
  /** RFC 3339 UTC with milliseconds, e.g. 2026-11-24T09:00:00.123Z. */
  now(): string;
}

/** Returns a fresh lowercase UUID (v7: time-ordered, so ids sort roughly by creation). */
export type IdGenerator = () => string;
