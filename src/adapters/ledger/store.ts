/**
 * SQL access to the ledger tables (./schema.ts). Only the sequencer writes; everything here that writes does
 * so in one transaction and checks the tree size it expects, so even two writers could never interleave
 * leaves (the second one's transaction fails and nothing of it is stored).
 *
 * Hashes are `bytea` in the database and `Uint8Array` here; tree sizes and leaf indexes are JavaScript
 * numbers (safe integers: a tree never reaches 2^53 leaves) and `bigint` in SQL.
 */
import type pg from 'pg';
import type { NodeHashGetter } from '../../domain/integrity/index.ts';
import type { LeafRow, StoredCheckpoint } from '../../ports/ledger.ts';
import { LedgerIntegrationError, LedgerStorageError } from './errors.ts';
import type { CompletedNode } from './frontier.ts';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient | pg.Client;

export interface LedgerState {
  treeSize: number;
  /** The global-feed checkpoint of the last integrated record, or undefined when none is. */
  feedCheckpoint: string | undefined;
}

export interface NewLeaf {
  recordId: string;
  recordHash: Uint8Array;
  leafHash: Uint8Array;
}

function toSafeNumber(value: string | number, what: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new LedgerStorageError(`${what} ${String(value)} is not a safe integer`);
  return n;
}

function bytes(value: Buffer): Uint8Array {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

export async function readState(db: Queryable, forUpdate = false): Promise<LedgerState> {
  const { rows } = await db.query<{ tree_size: string; feed_checkpoint: string | null }>(
    `SELECT tree_size, feed_checkpoint FROM ledger_state WHERE id = 1${forUpdate ? ' FOR UPDATE' : ''}`,
  );
  const row = rows[0];
  if (!row) throw new LedgerStorageError('ledger_state has no row: is the ledger migration applied?');
  return { treeSize: toSafeNumber(row.tree_size, 'tree size'), feedCheckpoint: row.feed_checkpoint ?? undefined };
}

/**
 * Integrates a batch: inserts its leaves at `expectedSize…`, the subtree hashes they complete, and moves the
 * feed checkpoint, all in one statement (`ledger_append`, one transaction, one round trip). Throws
 * `LedgerIntegrationError` (and stores nothing) when the stored tree size is not `expectedSize` or a record
 * id is already a leaf.
 */
export async function appendBatch(
  db: Queryable,
  expectedSize: number,
  leaves: NewLeaf[],
  nodes: CompletedNode[],
  feedCheckpoint: string,
  integratedAt: Date,
): Promise<void> {
  const interior = nodes.filter((n) => n.level > 0);
  let found: string;
  try {
    const { rows } = await db.query<{ size: string }>(
      'SELECT ledger_append($1, $2::uuid[], $3::bytea[], $4::bytea[], $5::smallint[], $6::bigint[], $7::bytea[], $8, $9) AS size',
      [
        String(expectedSize),
        leaves.map((l) => l.recordId),
        leaves.map((l) => Buffer.from(l.recordHash)),
        leaves.map((l) => Buffer.from(l.leafHash)),
        interior.map((n) => n.level),
        interior.map((n) => String(n.index)),
        interior.map((n) => Buffer.from(n.hash)),
        feedCheckpoint,
        integratedAt,
      ],
    );
    found = rows[0]!.size;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new LedgerIntegrationError('a record of this batch is already a leaf: the feed delivered it twice', undefined, { cause: error });
    }
    throw error;
  }
  if (found !== String(expectedSize)) {
    throw new LedgerIntegrationError(`ledger holds ${found} leaves, the sequencer expected ${expectedSize}: another writer?`);
  }
}

const nodeKey = (level: number, index: number): string => `${level}:${index}`;

/**
 * Fetches stored subtree hashes (level 0 = leaf hashes) in one query. Missing ones are absent from the map.
 * The LATERAL … OFFSET 0 form keeps one primary-key probe per wanted node on a table of any size.
 */
export async function fetchNodes(db: Queryable, wanted: { level: number; index: number }[]): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (wanted.length === 0) return found;
  const { rows } = await db.query<{ level: number; node_index: string; hash: Buffer }>(
    `SELECT 0 AS level, l.leaf_index AS node_index, l.leaf_hash AS hash
       FROM ledger_leaves l WHERE l.leaf_index = ANY($1::bigint[])
     UNION ALL
     SELECT n.level, n.node_index, n.hash FROM unnest($2::smallint[], $3::bigint[]) AS w(lv, ix)
       CROSS JOIN LATERAL (SELECT level, node_index, hash FROM ledger_nodes WHERE level = w.lv AND node_index = w.ix OFFSET 0) n`,
    [
      wanted.filter((w) => w.level === 0).map((w) => String(w.index)),
      wanted.filter((w) => w.level > 0).map((w) => w.level),
      wanted.filter((w) => w.level > 0).map((w) => String(w.index)),
    ],
  );
  for (const r of rows) found.set(nodeKey(r.level, Number(r.node_index)), bytes(r.hash));
  return found;
}

/**
 * Runs a Merkle computation that takes a synchronous node-hash getter (the integrity kernel's contract)
 * over stored hashes. The kernel's access pattern depends only on sizes and indexes, never on hash values,
 * so a first dry run with placeholder hashes names every node needed; they are fetched in one round trip
 * and the computation runs again on the real hashes.
 */
export async function withStoredNodes<T>(db: Queryable, compute: (get: NodeHashGetter) => T): Promise<T> {
  const wanted = new Map<string, { level: number; index: number }>();
  const placeholder = new Uint8Array(32);
  compute((level, index) => {
    wanted.set(nodeKey(level, index), { level, index });
    return placeholder;
  });
  const found = await fetchNodes(db, [...wanted.values()]);
  return compute((level, index) => {
    const h = found.get(nodeKey(level, index));
    if (!h) throw new LedgerStorageError(`stored subtree (${level}, ${index}) is missing`, { level, index });
    return h;
  });
}

function toLeaf(r: { leaf_index: string; record_id: string; record_hash: Buffer; leaf_hash: Buffer; integrated_at: Date }): LeafRow {
  return {
    leafIndex: toSafeNumber(r.leaf_index, 'leaf index'),
    recordId: r.record_id,
    recordHash: r.record_hash.toString('hex'),
    leafHash: bytes(r.leaf_hash),
    integratedAt: r.integrated_at,
  };
}

const LEAF_COLUMNS = 'leaf_index, record_id, record_hash, leaf_hash, integrated_at';

export async function leafByRecordId(db: Queryable, recordId: string): Promise<LeafRow | undefined> {
  const { rows } = await db.query(`SELECT ${LEAF_COLUMNS} FROM ledger_leaves WHERE record_id = $1`, [recordId]);
  return rows[0] ? toLeaf(rows[0]) : undefined;
}

export async function leavesByRecordIds(db: Queryable, recordIds: string[]): Promise<LeafRow[]> {
  const { rows } = await db.query(`SELECT ${LEAF_COLUMNS} FROM ledger_leaves WHERE record_id = ANY($1::uuid[])`, [recordIds]);
  return rows.map(toLeaf);
}

export async function leafAt(db: Queryable, leafIndex: number): Promise<LeafRow | undefined> {
  const { rows } = await db.query(`SELECT ${LEAF_COLUMNS} FROM ledger_leaves WHERE leaf_index = $1`, [String(leafIndex)]);
  return rows[0] ? toLeaf(rows[0]) : undefined;
}

/** Leaves [from, from + limit) in index order (keyset page: streams without loading the table). */
export async function leavesFrom(db: Queryable, from: number, limit: number): Promise<LeafRow[]> {
  const { rows } = await db.query(
    `SELECT ${LEAF_COLUMNS} FROM ledger_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2`,
    [String(from), limit],
  );
  return rows.map(toLeaf);
}

function toCheckpoint(r: { tree_size: string; root_hash: Buffer; note: string; issued_at: Date }): StoredCheckpoint {
  return { treeSize: toSafeNumber(r.tree_size, 'tree size'), root: bytes(r.root_hash), note: r.note, issuedAt: r.issued_at };
}

const CHECKPOINT_COLUMNS = 'tree_size, root_hash, note, issued_at';

export async function latestCheckpoint(db: Queryable): Promise<StoredCheckpoint | undefined> {
  const { rows } = await db.query(`SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1`);
  return rows[0] ? toCheckpoint(rows[0]) : undefined;
}

export async function checkpointAtOrAfter(db: Queryable, size: number): Promise<StoredCheckpoint | undefined> {
  const { rows } = await db.query(
    `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT 1`,
    [String(size)],
  );
  return rows[0] ? toCheckpoint(rows[0]) : undefined;
}

/** Checkpoints with tree size > `after`, smallest first (keyset page). */
export async function checkpointsAfter(db: Queryable, after: number, limit: number): Promise<StoredCheckpoint[]> {
  const { rows } = await db.query(
    `SELECT ${CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2`,
    [String(after), limit],
  );
  return rows.map(toCheckpoint);
}

export async function insertCheckpoint(db: Queryable, c: StoredCheckpoint): Promise<void> {
  await db.query('INSERT INTO ledger_checkpoints (tree_size, root_hash, note, issued_at) VALUES ($1, $2, $3, $4)', [
    String(c.treeSize),
    Buffer.from(c.root),
    c.note,
    c.issuedAt,
  ]);
}
