/**
 * One mirrored provincial log as a projection feed (`FeedSource`, src/projections/runner.ts): the verbatim
 * records in `mirror_records`, in provincial leaf order, which is the province's own feed order (its sequencer
 * integrates the feed into the log in order). A record's checkpoint is its leaf index in decimal, so the
 * provincial projections run over it unchanged (src/adapters/witness/national-projections.ts).
 *
 * Only verified records are ever in `mirror_records` (src/adapters/witness/mirror.ts), and the table is
 * append-only and gap-free per origin (the mirror's cursor moves only with the leaves up to it), so a reader
 * never sees a later leaf before an earlier one.
 */
import type { EventRecord } from '../../domain/record.ts';
import type { ReadAllOptions, StoredRecord } from '../../ports/eventstore.ts';
import type { FeedSource } from '../../projections/runner.ts';
import type { Queryable } from '../ledger/store.ts';

const LEAF = /^(0|[1-9][0-9]{0,18})$/;

export class MirroredFeed implements FeedSource {
  constructor(
    private readonly db: Queryable,
    readonly origin: string,
  ) {}

  async readAll(options: ReadAllOptions = {}): Promise<StoredRecord[]> {
    if (options.after !== undefined && !LEAF.test(options.after)) throw new RangeError(`Not a mirrored leaf checkpoint: ${options.after}`);
    // Ordered by the bigint column (an output column named `leaf_index` of type text would sort as text).
    const { rows } = await this.db.query<{ leaf: string; record: string; hash: string }>(
      `SELECT leaf_index::text AS leaf, record, encode(record_hash, 'hex') AS hash FROM mirror_records
        WHERE origin = $1 AND leaf_index > $2::bigint ORDER BY leaf_index LIMIT $3`,
      [this.origin, options.after ?? '-1', Math.min(options.maxCount ?? 1000, 10_000)],
    );
    return rows.map((r) => ({
      record: JSON.parse(r.record) as EventRecord,
      canonical: r.record,
      hash: r.hash,
      checkpoint: r.leaf,
    }));
  }

  async headCheckpoint(): Promise<string | undefined> {
    const { rows } = await this.db.query<{ head: string | null }>(
      'SELECT max(leaf_index)::text AS head FROM mirror_records WHERE origin = $1',
      [this.origin],
    );
    return rows[0]?.head ?? undefined;
  }
}
