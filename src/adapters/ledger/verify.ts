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
import { createThreadTask } from '../../workers/queue/thread-task.ts';
import {
  checkBeyondTree,
  checkCheckpointRoot,
  checkConsistency,
  checkEvidence,
  checkLeaf,
  checkLedgerState,
  checkSubtreeCount,
  checkSubtrees,
  openStoredCheckpoint,
  type CheckpointView,
  type Discrepancy,
  type DestroyedFinding,
} from './verify-checks.ts';

export {
  DISCREPANCY_CODES,
  scalarFields,
  type DestroyedFinding,
  type DiscrepancyCode,
  type Discrepancy,
  type RecordShape,
} from './verify-checks.ts';

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

/** The record checks over batches, inline or on a worker thread; `totals` once every batch is checked. */
interface RecordCheckRunner {
  check(records: StoredRecordText[]): Promise<CheckedRecordBatch>;
  totals(): Promise<RecordCheckTotals>;
  close(): Promise<void>;
}

function inlineRecordChecks(strictCanonical: boolean): RecordCheckRunner {
  const checks = new RecordChecks(strictCanonical);
  return {
    check: async (records) => checks.batch(records),
    totals: async () => checks.totals(),
    close: async () => undefined,
  };
}

function threadRecordChecks(strictCanonical: boolean): RecordCheckRunner {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const task = createThreadTask<[RecordCheckRequest], CheckedRecordBatch | RecordCheckTotals>(
    new URL(`./record-checks.${ext}`, import.meta.url).href,
    'recordCheckThread',
  );
  return {
    check: async (records) =>
      (await task.run({ op: 'batch', records, strictCanonical })) as CheckedRecordBatch,
    totals: async () => (await task.run({ op: 'totals' })) as RecordCheckTotals,
    close: () => task.close(),
  };
}

/**
 * Record batches from storage, checked (the next ones are handed to the checks while the caller works through
 * the current one). The runner is chosen at the first batch: see `VerifyOptions.recordChecks`.
 */
async function* checkedRecords(
  source: AsyncIterable<StoredRecordText[]>,
  batchSize: number,
  mode: 'auto' | 'thread' | 'inline',
  strictCanonical: boolean,
  runner: { current?: RecordCheckRunner },
): AsyncGenerator<CheckedRecord[]> {
  const pending: { records: StoredRecordText[]; checked: Promise<CheckedRecordBatch> }[] = [];
  const settle = async (next: {
    records: StoredRecordText[];
    checked: Promise<CheckedRecordBatch>;
  }): Promise<CheckedRecord[]> => {
    const { hashes, valid, found } = await next.checked;
    const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
    const out: CheckedRecord[] = next.records.map((entry, i) => ({
      entry,
      storedHash: valid[i] === 1 ? bytes.subarray(i * 32, i * 32 + 32) : undefined,
      found: undefined,
    }));
    for (const { at, discrepancy } of found) (out[at]!.found ??= []).push(discrepancy);
    return out;
  };
  try {
    for await (const records of source) {
      runner.current ??=
        mode === 'thread' || (mode === 'auto' && records.length >= batchSize)
          ? threadRecordChecks(strictCanonical)
          : inlineRecordChecks(strictCanonical);
      const checked = runner.current.check(records);
      checked.catch(() => undefined); // surfaced when its turn comes
      pending.push({ records, checked });
      if (pending.length >= 3) yield await settle(pending.shift()!);
    }
    while (pending.length > 0) yield await settle(pending.shift()!);
  } finally {
    await Promise.all(pending.map((p) => p.checked.catch(() => undefined)));
  }
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
  const runner: { current?: RecordCheckRunner } = {};
  let totals: RecordCheckTotals | undefined;
  try {
    await storage.read(async (snapshot) => {
      const leafPuller = new Puller<StoredLeafHashes>(snapshot.leaves(batchSize)[Symbol.asyncIterator]());
      const checkpoints = await snapshot.checkpoints();
      const feedPuller = new Puller<CheckedRecord>(
        checkedRecords(
          snapshot.records(batchSize),
          batchSize,
          options.recordChecks ?? 'auto',
          options.strictCanonical === true,
          runner,
        )[Symbol.asyncIterator](),
      );

      const frontier = Frontier.empty();
      let nextCheckpoint = 0;
      /** The checkpoint before, by size. */
      let previousCheckpoint: CheckpointView | undefined;
      // Rebuilt subtree hashes of the current leaf page, compared with the stored ones page by page.
      let pendingNodes: { level: number; index: number; hash: Uint8Array }[] = [];
      let pendingFrom = 0;
      const proof = (from: number, to: number) =>
        snapshot.withSubtrees((get) => consistencyProofFromNodes(from, to, get));

      const checkCheckpointsAt = async (size: number): Promise<void> => {
        while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.treeSize === size) {
          const cp = checkpoints[nextCheckpoint++]!;
          checkpointsSeen++;
          const opened = openStoredCheckpoint(cp, options.verifierKeys, report);
          const root = frontier.root();
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
        if (pendingNodes.length === 0) return;
        const nodes = pendingNodes;
        const from = pendingFrom;
        const to = frontier.size;
        pendingNodes = [];
        pendingFrom = to;
        while (nodeChecks.size >= 4) await Promise.race(nodeChecks);
        const check = snapshot.subtreesCompletedIn(from, to).then((stored) => {
          subtreeHashes += checkSubtrees(nodes, stored, report);
        });
        const tracked = check.finally(() => nodeChecks.delete(tracked));
        nodeChecks.add(tracked);
      };

      await checkCheckpointsAt(0);
      for (;;) {
        if (!feedPuller.ready || !leafPuller.ready) await Promise.all([feedPuller.fill(), leafPuller.fill()]);
        const checked = feedPuller.take();
        const leaf = leafPuller.take();
        if (!checked && !leaf) break;
        const entry = checked?.entry;
        const storedHash = checked?.storedHash;
        if (checked) {
          records++;
          if (checked.found) for (const d of checked.found) report(d);
        }
        if (!leaf) {
          unintegrated++;
          continue;
        }
        const index = leaves;
        leaves++;
        const rebuilt = frontier.appendRecordHash(leaf.recordHash);
        checkLeaf(index, leaf, entry, storedHash, rebuilt.leafHash, report);
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
        checkBeyondTree(cp, leaves, report);
      }
      unsealed = leaves - (checkpoints.filter((c) => c.treeSize <= leaves).pop()?.treeSize ?? 0);
      checkLedgerState(snapshot.stateTreeSize, leaves, report);
      checkSubtreeCount(await snapshot.subtreeCount(), leaves, report);
    });
    totals = await (runner.current ?? inlineRecordChecks(false)).totals();
  } finally {
    await runner.current?.close();
  }

  const blobs = options.evidence
    ? await checkEvidence(
        options.evidence,
        totals.referencedEvidence,
        report,
        totals.destroyedEvidence,
        destroyed,
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
    discrepancyCount,
    durationMs: performance.now() - started,
  };
}
