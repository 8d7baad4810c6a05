/**
 * What a projection is: a name, the event types it handles, the tables it owns, and a batch handler that
 * writes its read model inside the runner's transaction. The runner stores the projection's checkpoint in the
 * same transaction, so a batch's effect is applied exactly once across crashes (docs/read-models.md).
 *
 * A handler MUST write only through the given `EntityManager` (the transaction), MUST be deterministic in
 * the records it gets (no wall clock, no random ids: a replay from zero must produce identical rows), and
 * MUST use unqualified table names (the runner sets `search_path` to the live or the shadow schema).
 * Throwing stops the projection at the first record that fails; the error is recorded, never skipped.
 */
import type { EntityManager } from 'typeorm';
import type { StoredRecord } from '../ports/eventstore.ts';

export interface Projection {
  /** Stable name, the key of its `projection_status` row: lowercase words joined by dashes. */
  readonly name: string;
  /** Record types this projection handles; other records only advance its checkpoint. */
  readonly eventTypes: readonly string[];
  /** The tables it owns (and only it writes): what `tec replay` rebuilds, compares and swaps. */
  readonly tables: readonly string[];
  /** Applies records (already filtered to `eventTypes`, in global order) inside the runner's transaction. */
  handle(batch: readonly StoredRecord[], manager: EntityManager): Promise<void>;
}

export const PROJECTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
