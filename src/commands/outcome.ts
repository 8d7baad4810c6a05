/** What every application service returns, and the options every one accepts. */
import type { StoredRecord } from '../ports/eventstore.ts';
import type { Actor } from '../domain/record.ts';

/** Who acts and where: the part of a command the HTTP layer fills from the authenticated caller. */
export interface Caller {
  actor: Actor;
  /** Province the command acts in ("00" for national records). */
  province: string;
}

export interface CommandOptions {
  correlationId?: string;
  causationId?: string;
  /** The revision the caller last saw (HTTP If-Match); a mismatch is RevisionMismatchError. */
  expectedRevision?: bigint;
  /** Deterministic event ids (e.g. derived from a job id so a replayed job re-appends the same ids). */
  eventIds?: readonly string[];
}

export interface CommandOutcome<State> {
  stream: string;
  /** Records appended by this command; empty when it was already satisfied. */
  events: StoredRecord[];
  /** Revision of the stream's last record (−1n when the stream does not exist): the next If-Match. */
  nextExpectedRevision: bigint;
  state: State;
  /** True when `options.eventIds` were already in the stream: a replay of a command that took effect. */
  alreadyApplied: boolean;
}

/** A domain command's own fields: what a service takes besides the caller (`now` comes from the clock). */
export type CommandFields<C> = C extends unknown ? Omit<C, 'type' | 'now' | 'actor' | 'province'> : never;
