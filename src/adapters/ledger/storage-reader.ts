/**
 * `LedgerStorageReader` on PostgreSQL: the ledger tables read in one REPEATABLE READ READ ONLY snapshot on
 * one connection, taken before the feed's, so a running node can be verified (leaves integrated after the
 * snapshot are not looked at; records durable but not yet integrated have no leaf yet).
 *
 * The leaf cursor, the feed cursor (when the event store shares the database) and the subtree look-ups
 * share that one connection; their queries are queued in call order rather than handed to pg concurrently.
 */
import type pg from 'pg';
import type { LedgerSnapshot, LedgerStorageReader, StoredCheckpointNote, StoredLeafHashes } from '../../ports/ledger-storage.ts';
import { readEventRecords, type FeedSource } from './feed-source.ts';
import { withStoredNodes, type Queryable } from './store.ts';

/** A view of one client whose queries run one after another, in call order. */
function serialized(client: pg.PoolClient): Queryable {
  let tail: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]): Promise<unknown> => {
    const run = tail.then(() => (client.query as (...a: unknown[]) => Promise<unknown>)(...args));
    tail = run.catch(() => undefined);
    return run;
  };
  return { query } as unknown as Queryable;
}

/**
 * @param ledgerPool pool on the ledger database.
 * @param feed where the records come from; `'same-database'` reads the PostgreSQL event store's table in
 *   the ledger's own transaction (one snapshot, one connection).
 */
export function postgresLedgerStorage(ledgerPool: pg.Pool, feed: FeedSource | 'same-database'): LedgerStorageReader {
  return {
    async read(read) {
      const client = await ledgerPool.connect();
      const ledger = serialized(client);
      let ok = false;
      try {
        // The ledger snapshot first: every leaf in it was integrated from a record committed before it, so
        // the feed snapshot taken next holds all of them.
        await ledger.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const stateRow = (await ledger.query<{ tree_size: string }>('SELECT tree_size FROM ledger_state WHERE id = 1')).rows[0];
        const snapshot: LedgerSnapshot = {
          stateTreeSize: stateRow ? Number(stateRow.tree_size) : undefined,
          leaves: (batchSize) => readLeaves(ledger, batchSize),
          records: (batchSize) => (feed === 'same-database' ? readEventRecords(ledger, batchSize) : feed.batches(batchSize)),
          checkpoints: () => loadCheckpoints(ledger),
          subtreesCompletedIn: (from, to) => storedNodesCompletedIn(ledger, from, to),
          withSubtrees: (compute) => withStoredNodes(ledger, compute),
          subtreeCount: async () => Number((await ledger.query<{ n: string }>('SELECT count(*) AS n FROM ledger_nodes')).rows[0]!.n),
        };
        const result = await read(snapshot);
        await ledger.query('COMMIT');
        ok = true;
        return result;
      } finally {
        if (!ok) await ledger.query('ROLLBACK').catch(() => undefined);
        client.release(!ok);
      }
    },
  };
}

async function* readLeaves(ledger: Queryable, batchSize: number): AsyncGenerator<StoredLeafHashes[]> {
  await ledger.query(
    `DECLARE tec_verify_leaves NO SCROLL CURSOR FOR
     SELECT leaf_index, record_id::text AS record_id, record_hash, leaf_hash FROM ledger_leaves ORDER BY leaf_index`,
  );
  for (;;) {
    const { rows } = await ledger.query<{ leaf_index: string; record_id: string; record_hash: Buffer; leaf_hash: Buffer }>(
      `FETCH ${batchSize} FROM tec_verify_leaves`,
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({ leafIndex: Number(r.leaf_index), recordId: r.record_id, recordHash: r.record_hash, leafHash: r.leaf_hash }));
  }
}

/**
 * All stored checkpoints, smallest first (one row per size; a few hundred bytes each). The primary key on
 * `tree_size` keeps one per size, but verify reads whatever is stored: someone with database access who
 * dropped the key can plant a second one, and the order then stays deterministic.
 */
async function loadCheckpoints(ledger: Queryable): Promise<StoredCheckpointNote[]> {
  const { rows } = await ledger.query<{ tree_size: string; root_hash: Buffer; note: string }>(
    'SELECT tree_size, root_hash, note FROM ledger_checkpoints ORDER BY tree_size, issued_at, note',
  );
  return rows.map((r) => ({ treeSize: Number(r.tree_size), root: r.root_hash, note: r.note }));
}

/** Stored subtree hashes (level ≥ 1) completed by leaves [from, to): node (L, j) is completed by leaf (j+1)·2^L − 1. */
async function storedNodesCompletedIn(ledger: Queryable, from: number, to: number): Promise<Map<string, Uint8Array>> {
  // Node (L, j) with (j+1)·2^L − 1 in [from, to).
  const levels: number[] = [];
  const lows: string[] = [];
  const highs: string[] = [];
  for (let level = 1; 2 ** level <= to; level++) {
    const width = 2 ** level;
    const lo = Math.ceil((from + 1) / width) - 1;
    const hi = Math.floor(to / width) - 1;
    if (hi >= lo) {
      levels.push(level);
      lows.push(String(lo));
      highs.push(String(hi));
    }
  }
  const out = new Map<string, Uint8Array>();
  if (levels.length === 0) return out;
  const { rows } = await ledger.query<{ level: number; node_index: string; hash: Buffer }>(
    // LATERAL … OFFSET 0 keeps this an index range scan per level: as a plain join on a large table the
    // planner picks a sequential scan and a hash join (seconds per call at a million leaves).
    `SELECT n.level, n.node_index, n.hash FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(lv, lo, hi)
     CROSS JOIN LATERAL (
       SELECT level, node_index, hash FROM ledger_nodes WHERE level = r.lv AND node_index BETWEEN r.lo AND r.hi OFFSET 0
     ) n`,
    [levels, lows, highs],
  );
  for (const r of rows) out.set(`${r.level}:${r.node_index}`, r.hash);
  return out;
}
