/**
 * `LedgerStorageReader` on PostgreSQL: the ledger tables read in one REPEATABLE READ READ ONLY snapshot on
 * one connection, taken before the feed's, so a running node can be verified (leaves integrated after the
 * snapshot are not looked at; records durable but not yet integrated have no leaf yet).
 *
 * The leaf cursor, the feed cursor (when the event store shares the database) and the subtree look-ups
 * share that one connection; their queries are queued in call order rather than handed to pg concurrently.
 */
import type pg from 'pg';
import type { LedgerSnapshot, LedgerStorageReader, StoredCheckpointNote, StoredLeafHashes, StoredRecordText } from '../../ports/ledger-storage.ts';
import { copyOutRows, uuidText, type TupleFields } from './copy-out.ts';
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
      let feedClient: pg.PoolClient | undefined;
      let leafClient: pg.PoolClient | undefined;
      let ok = false;
      try {
        // The ledger snapshot first: every leaf in it was integrated from a record committed before it, so
        // the feed snapshot taken next holds all of them.
        await ledger.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const stateRow = (await ledger.query<{ tree_size: string }>('SELECT tree_size FROM ledger_state WHERE id = 1')).rows[0];
        // Up to two more connections in this snapshot: the feed and the leaves each stream by binary COPY on
        // their own, while the subtree look-ups and checkpoints use this one.
        const snapshotId = await exportSnapshot(ledgerPool, client, feed === 'same-database' ? 2 : 1);
        if (snapshotId && feed === 'same-database') feedClient = await snapshotConnection(ledgerPool, snapshotId);
        if (snapshotId) leafClient = await snapshotConnection(ledgerPool, snapshotId);
        const snapshot: LedgerSnapshot = {
          stateTreeSize: stateRow ? Number(stateRow.tree_size) : undefined,
          leaves: (batchSize) => (leafClient ? copyLeaves(leafClient, batchSize) : readLeaves(ledger, batchSize)),
          records: (batchSize) =>
            feed !== 'same-database' ? feed.batches(batchSize) : feedClient ? copyEventRecords(feedClient, batchSize) : readEventRecords(ledger, batchSize),
          checkpoints: () => loadCheckpoints(ledger),
          subtreesCompletedIn: (from, to) => storedNodesCompletedIn(ledger, from, to),
          withSubtrees: (compute) => withStoredNodes(ledger, compute),
          subtreeCount: async () => Number((await ledger.query<{ n: string }>('SELECT count(*) AS n FROM ledger_nodes')).rows[0]!.n),
        };
        const result = await read(snapshot);
        for (const c of [feedClient, leafClient]) if (c) await c.query('COMMIT');
        await ledger.query('COMMIT');
        ok = true;
        return result;
      } finally {
        if (!ok) {
          for (const c of [feedClient, leafClient]) if (c) await c.query('ROLLBACK').catch(() => undefined);
          await ledger.query('ROLLBACK').catch(() => undefined);
        }
        feedClient?.release(!ok);
        leafClient?.release(!ok);
        client.release(!ok);
      }
    },
  };
}

/**
 * The ledger connection's snapshot, exported (pg_export_snapshot) so `extra` more connections can read in it;
 * undefined when the pool cannot give that many more (an embedded single-session database cannot), and
 * everything is then read on the ledger's own connection with cursors, as before.
 */
async function exportSnapshot(pool: pg.Pool, ledger: pg.PoolClient, extra: number): Promise<string | undefined> {
  if ((pool.options.max ?? 10) < 1 + extra) return undefined;
  try {
    await ledger.query('SAVEPOINT tec_verify_export');
    const id = (await ledger.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
    await ledger.query('RELEASE SAVEPOINT tec_verify_export');
    return id;
  } catch {
    await ledger.query('ROLLBACK TO SAVEPOINT tec_verify_export');
    return undefined;
  }
}

/** Another connection in transaction snapshot `snapshotId`. */
async function snapshotConnection(pool: pg.Pool, snapshotId: string): Promise<pg.PoolClient> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshotId.replace(/[^0-9A-Fa-f-]/g, '')}'`);
    return client;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw error;
  }
}

/** The stored text of a uuid or text id column (binary COPY gives a uuid as its 16 bytes). */
function idText(t: TupleFields, i: number): string {
  const start = t.start[i]!;
  const end = t.end[i]!;
  return end - start === 16 ? uuidText(t.buffer, start) : t.buffer.toString('utf8', start, end);
}

/** `event_records` in feed order by binary COPY (the cursor reader is feed-source.ts's `readEventRecords`). */
function copyEventRecords(client: pg.PoolClient, batchSize: number): AsyncGenerator<StoredRecordText[]> {
  return copyOutRows(
    client,
    'SELECT event_id, record, hash FROM event_records ORDER BY transaction_id, global_position',
    3,
    (t) => ({ recordId: idText(t, 0), canonical: t.buffer.toString('utf8', t.start[1], t.end[1]), hash: t.buffer.toString('utf8', t.start[2], t.end[2]) }),
    batchSize,
  );
}

/** `ledger_leaves` in leaf order by binary COPY. */
function copyLeaves(client: pg.PoolClient, batchSize: number): AsyncGenerator<StoredLeafHashes[]> {
  return copyOutRows(
    client,
    'SELECT leaf_index, record_id, record_hash, leaf_hash FROM ledger_leaves ORDER BY leaf_index',
    4,
    (t) => ({
      leafIndex: Number(t.buffer.readBigInt64BE(t.start[0])),
      recordId: idText(t, 1),
      recordHash: Buffer.from(t.buffer.subarray(t.start[2], t.end[2])),
      leafHash: Buffer.from(t.buffer.subarray(t.start[3], t.end[3])),
    }),
    batchSize,
  );
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
