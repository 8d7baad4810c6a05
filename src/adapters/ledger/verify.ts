/**
 * `ledger verify` (integrity.md §8): a node checks itself from its stores alone, and names every
 * discrepancy by record id, leaf index, tree size or evidence digest.
 *
 * In one streaming pass over the feed and the leaves, side by side, a batch at a time:
 * - every record hash is recomputed from the stored canonical text, the text is re-parsed, its id must be
 *   the id the store indexes it by (and, with `strictCanonical`, it must be its own RFC 8785 form);
 * - every stream's revisions run 0, 1, 2… and each `prev` is the stored hash of the revision before;
 * - leaf i maps to the i-th record of the global feed (id and hash), and its stored leaf hash is
 *   SHA-256(0x00 ‖ record hash);
 * - the tree is rebuilt from the leaves alone (a compact range, O(log n) memory), every stored subtree hash
 *   is compared with the rebuilt one, and at each stored checkpoint's size the rebuilt root is compared
 *   with the checkpoint's root;
 * - every checkpoint's signature is verified under the trusted log key, its size and root lines must equal
 *   the columns beside it, and each is proven consistent with the one before by an RFC 9162 proof built
 *   from the stored subtree hashes; two checkpoints that both verify under the trusted key and cannot both be
 *   true (one size, two roots; or a later one that agrees with the leaves and an earlier one that does not)
 *   are reported as a fork, `CHECKPOINT_FORK`;
 * then every evidence blob is re-hashed and every original evidence item the records name must be stored.
 *
 * The ledger tables are read in one REPEATABLE READ snapshot taken before the feed's, so a running node
 * can be verified: leaves integrated after the snapshot are simply not looked at, and records durable but
 * not yet integrated are counted as `unintegrated`, not as discrepancies.
 */
import type pg from 'pg';
import { hash } from 'node:crypto';
import {
  bytesEqual,
  canonicalize,
  consistencyProofFromNodes,
  openCheckpoint,
  toBase64,
  verifyConsistency,
  type OpenedCheckpoint,
} from '../../domain/integrity/index.ts';
import { GENESIS_PREV } from '../../domain/record.ts';
import { carriesOriginals, originalEvidenceOf } from '../../domain/case/originals.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';
import { readEventRecords, type FeedEntry, type FeedSource } from './feed-source.ts';
import { Frontier } from './frontier.ts';
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

export const DISCREPANCY_CODES = [
  'RECORD_HASH', // stored hash ≠ SHA-256 of the stored canonical text
  'RECORD_MALFORMED', // the stored text is not a JSON record of the expected shape
  'RECORD_NOT_CANONICAL', // the stored text is not its own RFC 8785 form (with `strictCanonical`)
  'RECORD_ID', // the record's id differs from the id the store indexes it by
  'CHAIN', // a revision out of sequence or a `prev` that is not the previous record's hash
  'LEAF_RECORD', // leaf i is not the i-th record of the feed
  'LEAF_HASH', // stored leaf hash ≠ SHA-256(0x00 ‖ record hash)
  'LEAF_WITHOUT_RECORD', // more leaves than records, or a gap in leaf indexes
  'NODE_HASH', // a stored subtree hash differs from the one rebuilt from the leaves
  'NODE_MISSING',
  'NODE_EXTRA',
  'LEDGER_STATE', // ledger_state's tree size is not the number of leaves
  'CHECKPOINT_SIGNATURE', // the note does not parse or does not verify under the trusted key
  'CHECKPOINT_FIELDS', // size/root lines differ from the stored columns
  'CHECKPOINT_ROOT', // the root differs from the root rebuilt from the leaves
  'CHECKPOINT_BEYOND_TREE', // a checkpoint covers more leaves than are stored
  'CHECKPOINT_CONSISTENCY', // no valid consistency proof from the previous checkpoint
  'CHECKPOINT_FORK', // two checkpoints signed under the trusted key that cannot both be true (integrity.md §6, §10)
  'EVIDENCE_DIGEST', // a blob whose bytes do not hash to its name
  'EVIDENCE_MISSING', // an original evidence item a record names is not stored
] as const;
export type DiscrepancyCode = (typeof DISCREPANCY_CODES)[number];

export interface Discrepancy {
  code: DiscrepancyCode;
  message: string;
  recordId?: string;
  stream?: string;
  leafIndex?: number;
  treeSize?: number;
  digest?: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  streams: number;
  leaves: number;
  checkpoints: number;
  subtreeHashes: number;
  blobs: number;
  /** Durable records not yet integrated (behind the sequencer); not a discrepancy. */
  unintegrated: number;
  /** Leaves not yet covered by a checkpoint; not a discrepancy. */
  unsealed: number;
  discrepancies: Discrepancy[];
  /** Total found; `discrepancies` holds at most `maxDiscrepancies` of them. */
  discrepancyCount: number;
  durationMs: number;
}

export interface VerifyOptions {
  /** Pool on the ledger database. */
  ledgerPool: pg.Pool;
  /**
   * Where the records come from; `'same-database'` reads the PostgreSQL event store's table in the ledger's
   * own transaction (one snapshot, one connection).
   */
  feed: FeedSource | 'same-database';
  evidence?: EvidenceStore;
  /** Trusted log verifier key(s); every checkpoint MUST verify under one of them. */
  verifierKeys: string[];
  batchSize?: number;
  /**
   * Also re-canonicalize every record and require the stored text to be its own RFC 8785 form (about a
   * third of the run time). Off by default: a text that is not canonical but hashes to its stored hash can
   * only come from a bug or from someone rewriting text and hash together, and the latter breaks the chain,
   * the leaf and every later checkpoint, which are always checked.
   */
  strictCanonical?: boolean;
  maxDiscrepancies?: number;
  onProgress?: (progress: { records: number; leaves: number }) => void;
}

/**
 * Pulls items one at a time from an async iterable of batches, fetching the next batch while the current
 * one is being checked (the database and the hashing overlap instead of taking turns).
 */
class Puller<T> {
  private batch: T[] = [];
  private position = 0;
  private pending: Promise<IteratorResult<T[]>> | undefined;
  private finished = false;
  constructor(private readonly iterator: AsyncIterator<T[]>) {}

  /** True when `take()` can answer without waiting (an item is buffered, or the source is exhausted). */
  get ready(): boolean {
    return this.position < this.batch.length || this.finished;
  }

  /** Waits until `ready`. */
  async fill(): Promise<void> {
    while (!this.ready) {
      const step = await (this.pending ?? this.iterator.next());
      this.pending = undefined;
      if (step.done) {
        this.finished = true;
        return;
      }
      this.batch = step.value;
      this.position = 0;
      this.pending = this.iterator.next();
      this.pending.catch(() => undefined); // surfaced by the next `fill()`
    }
  }

  /** The next item, or undefined when exhausted. MUST only be called when `ready`. */
  take(): T | undefined {
    return this.position < this.batch.length ? this.batch[this.position++] : undefined;
  }

  async close(): Promise<void> {
    if (this.pending) await this.pending.catch(() => undefined);
    await this.iterator.return?.();
  }
}

interface RawLeaf {
  leafIndex: number;
  recordId: string;
  recordHash: Buffer;
  leafHash: Buffer;
}

interface RawCheckpoint {
  treeSize: number;
  root: Buffer;
  note: string;
}

export interface RecordShape {
  v?: unknown;
  id?: unknown;
  stream?: unknown;
  revision?: unknown;
  type?: unknown;
  prev?: unknown;
  data?: unknown;
}

export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  const maxDiscrepancies = options.maxDiscrepancies ?? 10_000;
  const discrepancies: Discrepancy[] = [];
  let discrepancyCount = 0;
  const report = (d: Discrepancy): void => {
    discrepancyCount++;
    if (discrepancies.length < maxDiscrepancies) discrepancies.push(d);
  };

  const ledgerClient = await options.ledgerPool.connect();
  // Two cursors and the subtree look-ups share this one connection (one snapshot); their queries are queued
  // here rather than handed to pg concurrently.
  const ledger = serialized(ledgerClient);
  let ledgerOk = false;
  let records = 0;
  let leaves = 0;
  let checkpointsSeen = 0;
  let subtreeHashes = 0;
  let unintegrated = 0;
  let unsealed = 0;
  const streams = new Map<string, { revision: number; hash: string }>();
  const referencedEvidence = new Map<string, { size: number | undefined; recordId: string }>();
  try {
    // The ledger snapshot first: every leaf in it was integrated from a record committed before it, so the
    // feed snapshot taken next holds all of them.
    await ledger.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const stateRow = (await ledger.query<{ tree_size: string }>('SELECT tree_size FROM ledger_state WHERE id = 1')).rows[0];
    await ledger.query(
      `DECLARE tec_verify_leaves NO SCROLL CURSOR FOR
       SELECT leaf_index, record_id::text AS record_id, record_hash, leaf_hash FROM ledger_leaves ORDER BY leaf_index`,
    );
    const leafPuller = new Puller<RawLeaf>(
      (async function* () {
        for (;;) {
          const { rows } = await ledger.query<{ leaf_index: string; record_id: string; record_hash: Buffer; leaf_hash: Buffer }>(
            `FETCH ${batchSize} FROM tec_verify_leaves`,
          );
          if (rows.length === 0) return;
          yield rows.map((r) => ({ leafIndex: Number(r.leaf_index), recordId: r.record_id, recordHash: r.record_hash, leafHash: r.leaf_hash }));
        }
      })(),
    );
    const checkpoints = await loadCheckpoints(ledger);
    const feedBatches = options.feed === 'same-database' ? readEventRecords(ledger, batchSize) : options.feed.batches(batchSize);
    const feedPuller = new Puller<FeedEntry>(feedBatches[Symbol.asyncIterator]());

    const frontier = Frontier.empty();
    let nextCheckpoint = 0;
    /** The checkpoint before, by size: its signed root, whether it opened under a trusted key, whether the leaves give its root. */
    let previousCheckpoint: { size: number; root: Uint8Array; signed: boolean; matchesLeaves: boolean } | undefined;
    // Rebuilt subtree hashes of the current leaf page, compared with the stored ones page by page.
    let pendingNodes: { level: number; index: number; hash: Uint8Array }[] = [];
    let pendingFrom = 0;

    const checkCheckpointsAt = async (size: number): Promise<void> => {
      while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === size) {
        const cp = checkpoints[nextCheckpoint++]!;
        checkpointsSeen++;
        const opened = openStoredCheckpoint(cp, options.verifierKeys, report);
        const root = frontier.root();
        if (!bytesEqual(root, cp.root)) {
          report({
            code: 'CHECKPOINT_ROOT',
            treeSize: cp.treeSize,
            message: `checkpoint of size ${cp.treeSize} has root ${toBase64(cp.root)}, the leaves give ${toBase64(root)}`,
          });
        }
        const claimedRoot = opened?.checkpoint.root ?? cp.root;
        const matchesLeaves = bytesEqual(root, claimedRoot);
        // Signed for this size: a genuine note copied into another size's row proves nothing about that size.
        const signed = opened !== undefined && opened.checkpoint.size === cp.treeSize;
        if (previousCheckpoint) {
          const prev = previousCheckpoint;
          let consistent = false;
          try {
            const proof =
              prev.size === 0 || prev.size === cp.treeSize
                ? []
                : await withStoredNodes(ledger, (get) => consistencyProofFromNodes(prev.size, cp.treeSize, get));
            consistent = verifyConsistency(prev.size, cp.treeSize, prev.root, claimedRoot, proof);
          } catch {
            consistent = false;
          }
          // Both signed, and provably not both true: one size with two roots, or the later one agrees with the
          // leaves (which then fix every earlier root) while the earlier one does not. A proof that fails only
          // because stored subtree hashes were damaged is not a fork: that stays CHECKPOINT_CONSISTENCY.
          const fork =
            !consistent &&
            signed &&
            prev.signed &&
            (prev.size === cp.treeSize || (matchesLeaves && !prev.matchesLeaves));
          if (fork) {
            report({
              code: 'CHECKPOINT_FORK',
              treeSize: cp.treeSize,
              message:
                prev.size === cp.treeSize
                  ? `fork: two signed checkpoints of size ${cp.treeSize} with different roots (${toBase64(prev.root)}, ${toBase64(claimedRoot)})`
                  : `fork: the signed checkpoint of size ${cp.treeSize} agrees with the leaves, the signed checkpoint of size ${prev.size} does not; they cannot both be true`,
            });
          } else if (!consistent) {
            report({
              code: 'CHECKPOINT_CONSISTENCY',
              treeSize: cp.treeSize,
              message: `checkpoint of size ${cp.treeSize} is not proven consistent with the checkpoint of size ${prev.size}`,
            });
          }
        }
        previousCheckpoint = { size: cp.treeSize, root: claimedRoot, signed, matchesLeaves };
      }
    };

    // Subtree checks run behind the main loop (their look-up queues behind the prefetches on the connection);
    // at most a few are in flight so memory stays bounded.
    const nodeChecks = new Set<Promise<void>>();
    const flushNodes = async (): Promise<void> => {
      if (pendingNodes.length === 0) return;
      const nodes = pendingNodes;
      const from = pendingFrom;
      const to = frontier.size;
      pendingNodes = [];
      pendingFrom = to;
      while (nodeChecks.size >= 4) await Promise.race(nodeChecks);
      const check = storedNodesCompletedIn(ledger, from, to).then((stored) => {
        for (const n of nodes) {
          const key = `${n.level}:${n.index}`;
          const s = stored.get(key);
          subtreeHashes++;
          if (!s) {
            report({ code: 'NODE_MISSING', leafIndex: (n.index + 1) * 2 ** n.level - 1, message: `subtree hash (${key}) is not stored` });
          } else if (!s.equals(n.hash)) {
            report({ code: 'NODE_HASH', leafIndex: (n.index + 1) * 2 ** n.level - 1, message: `stored subtree hash (${key}) differs from the leaves` });
          }
        }
      });
      const tracked = check.finally(() => nodeChecks.delete(tracked));
      nodeChecks.add(tracked);
    };

    await checkCheckpointsAt(0);
    for (;;) {
      if (!feedPuller.ready || !leafPuller.ready) await Promise.all([feedPuller.fill(), leafPuller.fill()]);
      const entry = feedPuller.take();
      const leaf = leafPuller.take();
      if (!entry && !leaf) break;
      let storedHash: Buffer | undefined;
      if (entry) {
        records++;
        storedHash = checkRecord(entry, streams, referencedEvidence, report, options.strictCanonical === true);
      }
      if (!leaf) {
        unintegrated++;
        continue;
      }
      const index = leaves;
      leaves++;
      if (leaf.leafIndex !== index) {
        report({ code: 'LEAF_WITHOUT_RECORD', leafIndex: leaf.leafIndex, message: `leaf indexes jump from ${index - 1} to ${leaf.leafIndex}` });
      }
      if (!entry) {
        report({ code: 'LEAF_WITHOUT_RECORD', leafIndex: index, recordId: leaf.recordId, message: `leaf ${index} has no record at that feed position` });
      } else if (leaf.recordId !== entry.recordId || !storedHash || !storedHash.equals(leaf.recordHash)) {
        report({
          code: 'LEAF_RECORD',
          leafIndex: index,
          recordId: entry.recordId,
          message: `leaf ${index} holds record ${leaf.recordId} (${leaf.recordHash.toString('hex')}), feed position ${index} is record ${entry.recordId}`,
        });
      }
      const rebuilt = frontier.appendRecordHash(leaf.recordHash);
      if (!leaf.leafHash.equals(rebuilt.leafHash)) {
        report({ code: 'LEAF_HASH', leafIndex: index, recordId: leaf.recordId, message: `leaf ${index}: stored leaf hash is not SHA-256(0x00 ‖ record hash)` });
      }
      for (const n of rebuilt.completed) if (n.level > 0) pendingNodes.push(n);
      if (pendingNodes.length >= batchSize) await flushNodes();
      if (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === frontier.size) {
        await checkCheckpointsAt(frontier.size);
      }
      if (options.onProgress && leaves % 100_000 === 0) options.onProgress({ records, leaves });
    }
    await flushNodes();
    await Promise.all(nodeChecks);
    await feedPuller.close();
    await leafPuller.close();
    for (const cp of checkpoints.slice(nextCheckpoint)) {
      checkpointsSeen++;
      report({ code: 'CHECKPOINT_BEYOND_TREE', treeSize: cp.treeSize, message: `checkpoint of size ${cp.treeSize} covers more than the ${leaves} leaves stored` });
    }
    unsealed = leaves - (checkpoints.filter((c) => c.treeSize <= leaves).pop()?.treeSize ?? 0);
    const stateSize = stateRow ? Number(stateRow.tree_size) : undefined;
    if (stateSize !== leaves) {
      report({ code: 'LEDGER_STATE', treeSize: stateSize, message: `ledger_state says ${String(stateSize)} leaves, ${leaves} are stored` });
    }
    const nodeCount = Number((await ledger.query<{ n: string }>('SELECT count(*) AS n FROM ledger_nodes')).rows[0]!.n);
    const expectedNodes = leaves - popcount(leaves);
    if (nodeCount > expectedNodes) {
      report({ code: 'NODE_EXTRA', treeSize: leaves, message: `${nodeCount} subtree hashes stored, a tree of ${leaves} leaves has ${expectedNodes}` });
    }
    await ledger.query('COMMIT');
    ledgerOk = true;
  } finally {
    if (!ledgerOk) await ledger.query('ROLLBACK').catch(() => undefined);
    ledgerClient.release(!ledgerOk);
  }

  let blobs = 0;
  if (options.evidence) {
    const stored = new Set<string>();
    for await (const blob of options.evidence.list()) {
      blobs++;
      stored.add(blob.digest);
      const result = await options.evidence.verify(blob.digest);
      if (!result.ok) report({ code: 'EVIDENCE_DIGEST', digest: blob.digest, message: `blob ${blob.digest}: ${result.detail}` });
    }
    for (const [digest, ref] of referencedEvidence) {
      if (!stored.has(digest)) {
        report({ code: 'EVIDENCE_MISSING', digest, recordId: ref.recordId, message: `record ${ref.recordId} names evidence ${digest}, which is not stored` });
      }
    }
  }

  return {
    ok: discrepancyCount === 0,
    records,
    streams: streams.size,
    leaves,
    checkpoints: checkpointsSeen,
    subtreeHashes,
    blobs,
    unintegrated,
    unsealed,
    discrepancies,
    discrepancyCount,
    durationMs: performance.now() - started,
  };
}

function popcount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = Math.floor(n / 2);
  }
  return count;
}

/**
 * All stored checkpoints, smallest first (one row per size; a few hundred bytes each). The primary key on
 * `tree_size` keeps one per size, but verify reads whatever is stored: someone with database access who
 * dropped the key can plant a second one, and the order then stays deterministic.
 */
async function loadCheckpoints(ledger: Queryable): Promise<RawCheckpoint[]> {
  const { rows } = await ledger.query<{ tree_size: string; root_hash: Buffer; note: string }>(
    'SELECT tree_size, root_hash, note FROM ledger_checkpoints ORDER BY tree_size, issued_at, note',
  );
  return rows.map((r) => ({ treeSize: Number(r.tree_size), root: r.root_hash, note: r.note }));
}

/** Stored subtree hashes (level ≥ 1) completed by leaves [from, to): node (L, j) is completed by leaf (j+1)·2^L − 1. */
async function storedNodesCompletedIn(ledger: Queryable, from: number, to: number): Promise<Map<string, Buffer>> {
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
  const out = new Map<string, Buffer>();
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

function openStoredCheckpoint(cp: RawCheckpoint, verifierKeys: string[], report: (d: Discrepancy) => void): OpenedCheckpoint | undefined {
  let opened: OpenedCheckpoint;
  try {
    opened = openCheckpoint(cp.note, verifierKeys);
  } catch (error) {
    report({ code: 'CHECKPOINT_SIGNATURE', treeSize: cp.treeSize, message: `checkpoint of size ${cp.treeSize}: ${(error as Error).message}` });
    return undefined;
  }
  if (opened.checkpoint.size !== cp.treeSize || !bytesEqual(opened.checkpoint.root, cp.root)) {
    report({
      code: 'CHECKPOINT_FIELDS',
      treeSize: cp.treeSize,
      message: `checkpoint of size ${cp.treeSize}: the signed note says size ${opened.checkpoint.size}, root ${toBase64(opened.checkpoint.root)}`,
    });
  }
  return opened;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks one record; returns its stored hash as bytes (what the leaf must hold), or undefined if malformed. */
function checkRecord(
  entry: FeedEntry,
  streams: Map<string, { revision: number; hash: string }>,
  referencedEvidence: Map<string, { size: number | undefined; recordId: string }>,
  report: (d: Discrepancy) => void,
  strictCanonical: boolean,
): Buffer | undefined {
  const id = entry.recordId;
  const storedHash = HEX64.test(entry.hash) ? Buffer.from(entry.hash, 'hex') : undefined;
  if (!storedHash || hash('sha256', entry.canonical, 'hex') !== entry.hash) {
    report({ code: 'RECORD_HASH', recordId: id, message: `record ${id}: stored hash does not match the stored text` });
  }
  // The chain needs only the scalar fields at the end of the canonical text; reading them there spares a
  // full parse of every record (a fifth of the run). Anything unexpected falls back to JSON.parse.
  let record: RecordShape | undefined = strictCanonical ? undefined : scalarFields(entry.canonical);
  const parsedFully = record === undefined;
  if (!record) {
    try {
      record = JSON.parse(entry.canonical) as RecordShape;
    } catch {
      report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: stored text is not JSON` });
      return storedHash;
    }
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: stored text is not a JSON object` });
    return storedHash;
  }
  if (strictCanonical) {
    let canonical: string | undefined;
    try {
      canonical = canonicalize(record);
    } catch {
      canonical = undefined;
    }
    if (canonical !== entry.canonical) {
      report({ code: 'RECORD_NOT_CANONICAL', recordId: id, message: `record ${id}: stored text is not in RFC 8785 canonical form` });
    }
  }
  if (record.id !== id) {
    report({ code: 'RECORD_ID', recordId: id, message: `record stored as ${id} says its id is ${String(record.id)}` });
  }
  if (record.v !== 1 || typeof record.stream !== 'string' || !Number.isSafeInteger(record.revision) || typeof record.prev !== 'string') {
    report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: not a v1 record (v, stream, revision, prev)` });
    return storedHash;
  }
  const stream = record.stream;
  const revision = record.revision as number;
  const last = streams.get(stream);
  const expectedRevision = last ? last.revision + 1 : 0;
  const expectedPrev = last ? last.hash : GENESIS_PREV;
  if (revision !== expectedRevision) {
    report({ code: 'CHAIN', recordId: id, stream, message: `record ${id}: stream ${stream} revision ${revision}, expected ${expectedRevision}` });
  } else if (record.prev !== expectedPrev) {
    report({ code: 'CHAIN', recordId: id, stream, message: `record ${id}: prev is not the hash of ${stream} revision ${revision - 1}` });
  }
  streams.set(stream, { revision, hash: entry.hash });
  if (carriesOriginals(record.type) && entry.canonical.includes('"sha256:')) {
    let full: RecordShape | undefined = record;
    if (!parsedFully) {
      try {
        full = JSON.parse(entry.canonical) as RecordShape;
      } catch {
        full = undefined;
      }
    }
    if (full) collectOriginalEvidence(full, id, referencedEvidence);
  }
  return storedHash;
}

// The canonical text ends with the record's scalar members in key order (integrity.md §2, RFC 8785):
// …,"id":"<uuid>","meta":{…},"prev":"<hex>","revision":<n>,"stream":"…","type":"…","v":<n>}
// Quotes inside JSON strings are escaped, and nothing after the top-level `"prev":"` is an object, so its
// last occurrence is the top-level key; `meta` holds no nested `"meta"` key, so its last occurrence before
// `prev` is the top-level one, and `id` sits right before it.
const SCALAR_TAIL = /^"prev":"([^"\\]*)","revision":(0|[1-9][0-9]{0,15}),"stream":"([^"\\]*)","type":"([^"\\]*)","v":([0-9]{1,3})}$/;
const ID_BEFORE_META = /^,"id":"([0-9a-f-]{36})"$/;

/** The scalar members read from the end of a canonical record text, or undefined when it does not have that shape. */
export function scalarFields(text: string): RecordShape | undefined {
  const prevAt = text.lastIndexOf('"prev":"');
  if (prevAt < 0) return undefined;
  const tail = SCALAR_TAIL.exec(text.slice(prevAt));
  if (!tail) return undefined;
  const metaAt = text.lastIndexOf(',"meta":{', prevAt);
  if (metaAt < 44) return undefined;
  const idMatch = ID_BEFORE_META.exec(text.slice(metaAt - 44, metaAt));
  if (!idMatch) return undefined;
  return { v: Number(tail[5]), id: idMatch[1], prev: tail[1], revision: Number(tail[2]), stream: tail[3], type: tail[4] };
}

/** Originals as bundle.md defines them (src/domain/case/originals.ts). */
function collectOriginalEvidence(
  record: RecordShape,
  recordId: string,
  out: Map<string, { size: number | undefined; recordId: string }>,
): void {
  for (const item of originalEvidenceOf([record])) {
    if (!out.has(item.digest)) out.set(item.digest, { size: typeof item.size === 'number' ? item.size : undefined, recordId });
  }
}
