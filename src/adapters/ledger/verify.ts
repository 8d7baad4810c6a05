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
 *
 * Built as a storage-only checker: `verifyLedgerStorage` walks a `LedgerStorageReader` (src/ports; the
 * PostgreSQL one is ./storage-reader.ts) and hands each record, leaf, subtree batch and checkpoint to the
 * small checks of ./verify-checks.ts, one per discrepancy family.
 */
import type pg from 'pg';
import { consistencyProofFromNodes } from '../../domain/integrity/index.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';
import type { LedgerStorageReader, StoredLeafHashes, StoredRecordText } from '../../ports/ledger-storage.ts';
import type { FeedSource } from './feed-source.ts';
import { Frontier } from './frontier.ts';
import { postgresLedgerStorage } from './storage-reader.ts';
import {
  RecordChecks,
  type CheckedRecordBatch,
  type RecordCheckRequest,
  type RecordCheckTotals,
} from './record-checks.ts';
import {
  packLeaves,
  TreeChecks,
  type CheckedLeafBatch,
  type PackedNodes,
  type TreeCheckRequest,
} from './tree-checks.ts';
import { createThreadTask } from '../../workers/queue/thread-task.ts';
import {
  checkBeyondTree,
  checkCheckpointRoot,
  checkConsistency,
  checkEvidence,
  checkLeaf,
  checkLedgerState,
  checkSubtreeCount,
  checkPackedSubtrees,
  openStoredCheckpoint,
  type CheckpointView,
  type Discrepancy,
  type DestroyedFinding,
  type PendingAtEdgeFinding,
} from './verify-checks.ts';

export {
  DISCREPANCY_CODES,
  scalarFields,
  type DestroyedFinding,
  type PendingAtEdgeFinding,
  type DiscrepancyCode,
  type Discrepancy,
  type RecordShape,
} from './verify-checks.ts';

/** How long an original may stay withheld at an edge node before `ledger verify` counts it missing. */
export const DEFAULT_MAX_PENDING_AT_EDGE_MS = 7 * 86_400_000;

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
  /**
   * Originals named by records whose blob was destroyed under a retention policy (an `EvidenceDestroyed`
   * record says so): reported as "destroyed under policy X at T", never as missing or tampered, and not a
   * discrepancy.
   */
  destroyed: DestroyedFinding[];
  /**
   * Originals not stored yet because the edge node that relayed the detection still holds them back
   * (`edge-withheld/v1`; docs/edge.md): "pending at edge <id> since <t>", a notice, not a discrepancy, until
   * older than `maxPendingAtEdgeMs`, when the original counts as missing.
   */
  pendingAtEdge: PendingAtEdgeFinding[];
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
  /**
   * Where the per-record checks run: `'thread'` on a worker thread (overlapping the leaf and tree checks),
   * `'inline'` on the caller's thread, `'auto'` (default) on a thread when the feed fills its first batch.
   * The report is the same either way.
   */
  recordChecks?: 'auto' | 'thread' | 'inline';
  onProgress?: (progress: { records: number; leaves: number }) => void;
  /** How long an original may stay withheld at an edge node before it counts as missing (default 7 days). */
  maxPendingAtEdgeMs?: number;
  /** The clock for that age (tests); default Date.now. */
  now?: () => number;
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

/** A record with what the record checks found: its stored hash as bytes, and its discrepancies in order. */
interface CheckedRecord {
  entry: StoredRecordText;
  storedHash: Buffer | undefined;
  found: Discrepancy[] | undefined;
}

/** A leaf with what the tree checks found. */
interface CheckedLeaf {
  leaf: StoredLeafHashes;
  leafHashMatches: boolean;
  /** The rebuilt root after this leaf, when the tree then has a stored checkpoint's size. */
  root: Uint8Array | undefined;
  /** On the last leaf of a batch: the subtrees the batch completed. */
  nodes: PackedNodes | undefined;
}

/** Checks run over batches, in order, inline or on a worker thread. */
interface BatchChecks<Request, Result> {
  run(request: Request): Promise<Result>;
  close(): Promise<void>;
}

function inlineChecks<Request, Result>(run: (request: Request) => Result): BatchChecks<Request, Result> {
  return { run: async (request) => run(request), close: async () => undefined };
}

/** One worker thread running `exportName` of ./<module>; a thread serves one run and is closed with it. */
function threadChecks<Request, Result>(module: string, exportName: string): BatchChecks<Request, Result> {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const task = createThreadTask<[Request], Result>(
    new URL(`./${module}.${ext}`, import.meta.url).href,
    exportName,
  );
  return { run: (request) => task.run(request), close: () => task.close() };
}

/**
 * Maps batches through `start`, keeping up to `depth` started ahead of the one the caller is working through,
 * so the checks (on their threads) and the caller overlap.
 */
async function* ahead<In, Out>(
  source: AsyncIterable<In>,
  start: (batch: In) => Promise<Out>,
  depth = 3,
): AsyncGenerator<Out> {
  const pending: Promise<Out>[] = [];
  try {
    for await (const batch of source) {
      const started = start(batch);
      started.catch(() => undefined); // surfaced when its turn comes
      pending.push(started);
      if (pending.length >= depth) yield await pending.shift()!;
    }
    while (pending.length > 0) yield await pending.shift()!;
  } finally {
    await Promise.all(pending.map((p) => p.catch(() => undefined)));
  }
}

/** Whether a run's checks go to worker threads, decided at the feed's first batch (`VerifyOptions.recordChecks`). */
function useThreads(mode: 'auto' | 'thread' | 'inline', firstBatch: number, batchSize: number): boolean {
  return mode === 'thread' || (mode === 'auto' && firstBatch >= batchSize);
}

function withRecordChecks(records: StoredRecordText[], checked: CheckedRecordBatch): CheckedRecord[] {
  const { hashes, valid, found } = checked;
  const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  const out: CheckedRecord[] = records.map((entry, i) => ({
    entry,
    storedHash: valid[i] === 1 ? bytes.subarray(i * 32, i * 32 + 32) : undefined,
    found: undefined,
  }));
  for (const { at, discrepancy } of found) (out[at]!.found ??= []).push(discrepancy);
  return out;
}

function withTreeChecks(leaves: StoredLeafHashes[], checked: CheckedLeafBatch): CheckedLeaf[] {
  let root = 0;
  return leaves.map((leaf, i) => {
    const at = checked.roots[root];
    const afterThis = at !== undefined && at.index === i;
    if (afterThis) root++;
    return {
      leaf,
      leafHashMatches: checked.leafHashMatches[i] === 1,
      root: afterThis ? at.root : undefined,
      nodes: i === leaves.length - 1 ? checked.nodes : undefined,
    };
  });
}

export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  return verifyLedgerStorage(postgresLedgerStorage(options.ledgerPool, options.feed), options);
}

/** `ledger verify` over any storage reader (the options' `ledgerPool` and `feed` are not used here). */
export async function verifyLedgerStorage(
  storage: LedgerStorageReader,
  options: Omit<VerifyOptions, 'ledgerPool' | 'feed'>,
): Promise<VerifyReport> {
  const started = performance.now();
  const batchSize = options.batchSize ?? 5000;
  const maxDiscrepancies = options.maxDiscrepancies ?? 10_000;
  const discrepancies: Discrepancy[] = [];
  let discrepancyCount = 0;
  const report = (d: Discrepancy): void => {
    discrepancyCount++;
    if (discrepancies.length < maxDiscrepancies) discrepancies.push(d);
  };

  let records = 0;
  let leaves = 0;
  let checkpointsSeen = 0;
  let subtreeHashes = 0;
  let unintegrated = 0;
  let unsealed = 0;
  const destroyed: DestroyedFinding[] = [];
  const pendingAtEdge: PendingAtEdgeFinding[] = [];
  const mode = options.recordChecks ?? 'auto';
  const strictCanonical = options.strictCanonical === true;
  let recordChecks: BatchChecks<RecordCheckRequest, CheckedRecordBatch | RecordCheckTotals> | undefined;
  let treeChecks: BatchChecks<TreeCheckRequest, CheckedLeafBatch> | undefined;
  let totals: RecordCheckTotals | undefined;
  try {
    await storage.read(async (snapshot) => {
      const checkpoints = await snapshot.checkpoints();
      const rootSizes = [...new Set(checkpoints.map((c) => c.treeSize))];
      const leafPuller = new Puller<CheckedLeaf>(
        ahead(snapshot.leaves(batchSize), async (batch) => {
          if (!treeChecks) {
            const local = new TreeChecks(rootSizes);
            treeChecks = useThreads(mode, batch.length, batchSize)
              ? threadChecks('tree-checks', 'treeCheckThread')
              : inlineChecks((request: TreeCheckRequest) => local.batch(request.leaves));
          }
          return withTreeChecks(batch, await treeChecks.run({ leaves: packLeaves(batch), rootSizes }));
        })[Symbol.asyncIterator](),
      );
      const feedPuller = new Puller<CheckedRecord>(
        ahead(snapshot.records(batchSize), async (batch) => {
          if (!recordChecks) {
            const local = new RecordChecks(strictCanonical);
            recordChecks = useThreads(mode, batch.length, batchSize)
              ? threadChecks('record-checks', 'recordCheckThread')
              : inlineChecks((request: RecordCheckRequest) =>
                  request.op === 'totals' ? local.totals() : local.batch(request.records),
                );
          }
          return withRecordChecks(
            batch,
            (await recordChecks.run({ op: 'batch', records: batch, strictCanonical })) as CheckedRecordBatch,
          );
        })[Symbol.asyncIterator](),
      );

      let nextCheckpoint = 0;
      /** The checkpoint before, by size. */
      let previousCheckpoint: CheckpointView | undefined;
      // Rebuilt subtree hashes of the current leaf pages, compared with the stored ones page by page.
      let pendingNodes: PackedNodes[] = [];
      let pendingCount = 0;
      let pendingFrom = 0;
      const proof = (from: number, to: number) =>
        snapshot.withSubtrees((get) => consistencyProofFromNodes(from, to, get));

      const checkCheckpointsAt = async (size: number, root: Uint8Array): Promise<void> => {
        while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === size) {
          const cp = checkpoints[nextCheckpoint++]!;
          checkpointsSeen++;
          const opened = openStoredCheckpoint(cp, options.verifierKeys, report);
          checkCheckpointRoot(cp, root, report);
          const claimedRoot = opened?.checkpoint.root ?? cp.root;
          const view: CheckpointView = {
            size: cp.treeSize,
            root: claimedRoot,
            // Signed for this size: a genuine note copied into another size's row proves nothing about that size.
            signed: opened !== undefined && opened.checkpoint.size === cp.treeSize,
            matchesLeaves: Buffer.compare(root, claimedRoot) === 0,
          };
          if (previousCheckpoint) await checkConsistency(previousCheckpoint, view, proof, report);
          previousCheckpoint = view;
        }
      };

      // Subtree checks run behind the main loop (their look-up queues behind the prefetches on the connection);
      // at most a few are in flight so memory stays bounded.
      const nodeChecks = new Set<Promise<void>>();
      const flushNodes = async (): Promise<void> => {
        if (pendingCount === 0) return;
        const nodes = pendingNodes;
        const from = pendingFrom;
        const to = leaves;
        pendingNodes = [];
        pendingCount = 0;
        pendingFrom = to;
        while (nodeChecks.size >= 4) await Promise.race(nodeChecks);
        const check = snapshot.subtreesCompletedIn(from, to).then((stored) => {
          for (const pack of nodes) subtreeHashes += checkPackedSubtrees(pack, stored, report);
        });
        const tracked = check.finally(() => nodeChecks.delete(tracked));
        nodeChecks.add(tracked);
      };

      await checkCheckpointsAt(0, Frontier.empty().root());
      for (;;) {
        if (!feedPuller.ready || !leafPuller.ready) await Promise.all([feedPuller.fill(), leafPuller.fill()]);
        const checked = feedPuller.take();
        const checkedLeaf = leafPuller.take();
        if (!checked && !checkedLeaf) break;
        const entry = checked?.entry;
        const storedHash = checked?.storedHash;
        if (checked) {
          records++;
          if (checked.found) for (const d of checked.found) report(d);
        }
        if (!checkedLeaf) {
          unintegrated++;
          continue;
        }
        const index = leaves;
        leaves++;
        checkLeaf(index, checkedLeaf.leaf, entry, storedHash, checkedLeaf.leafHashMatches, report);
        if (checkedLeaf.nodes && checkedLeaf.nodes.count > 0) {
          pendingNodes.push(checkedLeaf.nodes);
          pendingCount += checkedLeaf.nodes.count;
          if (pendingCount >= batchSize) await flushNodes();
        }
        if (
          checkedLeaf.root &&
          nextCheckpoint < checkpoints.length &&
          checkpoints[nextCheckpoint]!.treeSize === leaves
        ) {
          await checkCheckpointsAt(leaves, checkedLeaf.root);
        }
        if (options.onProgress && leaves % 100_000 === 0) options.onProgress({ records, leaves });
      }
      await flushNodes();
      await Promise.all(nodeChecks);
      await feedPuller.close();
      await leafPuller.close();
      for (const cp of checkpoints.slice(nextCheckpoint)) {
        checkpointsSeen++;
        checkBeyondTree(cp, leaves, report);
      }
      unsealed = leaves - (checkpoints.filter((c) => c.treeSize <= leaves).pop()?.treeSize ?? 0);
      checkLedgerState(snapshot.stateTreeSize, leaves, report);
      checkSubtreeCount(await snapshot.subtreeCount(), leaves, report);
    });
    recordChecks ??= inlineChecks(() => new RecordChecks(false).totals());
    totals = (await recordChecks.run({ op: 'totals' })) as RecordCheckTotals;
  } finally {
    await Promise.all([recordChecks?.close(), treeChecks?.close()]);
  }

  const blobs = options.evidence
    ? await checkEvidence(
        options.evidence,
        totals.referencedEvidence,
        report,
        totals.destroyedEvidence,
        destroyed,
        {
          withheld: totals.withheldEvidence,
          maxAgeMs: options.maxPendingAtEdgeMs ?? DEFAULT_MAX_PENDING_AT_EDGE_MS,
          now: (options.now ?? Date.now)(),
          found: pendingAtEdge,
        },
      )
    : 0;

  return {
    ok: discrepancyCount === 0,
    records,
    streams: totals.streams,
    leaves,
    checkpoints: checkpointsSeen,
    subtreeHashes,
    blobs,
    unintegrated,
    unsealed,
    discrepancies,
    destroyed,
    pendingAtEdge,
    discrepancyCount,
    durationMs: performance.now() - started,
  };
}
