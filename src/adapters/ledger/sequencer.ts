/**
 * The ledger sequencer (integrity.md §5): the single writer that turns the global feed into Merkle leaves.
 *
 * One per node: it first takes a session-level PostgreSQL advisory lock on the ledger database and holds it
 * on a dedicated connection for its whole life; a second instance blocks on that lock and takes over when
 * the first stops or its connection dies. Every write (leaves, checkpoints) runs on that same connection,
 * so writes are fenced by the lock: once the session that holds it is gone, so is the only connection this
 * instance could write with, and a sequencer that lost the lock can never write beside its successor.
 *
 * Exactly once, in order, across crashes: it subscribes to the feed from the feed checkpoint stored in
 * `ledger_state`, and every batch of leaves, the subtree hashes they complete and the new feed checkpoint
 * are committed in ONE transaction that also checks the stored tree size. Killed at any instant, either the
 * whole batch and its feed checkpoint are stored or none of it is, and the restart resumes right behind
 * the last stored record: no leaf skipped, duplicated or reordered. Any failure while integrating stops
 * the sequencer (its `done` rejects) rather than continuing from a state it cannot trust.
 *
 * Sealing: after new leaves commit, a checkpoint is issued once `checkpointIntervalMs` has passed since
 * the previous one (default 500 ms, so a record is normally sealed well within the one second
 * integrity.md asks for, and checkpoints never come faster than that while data flows).
 */
import type pg from 'pg';
import { performance } from 'node:perf_hooks';
import type { EventStore, StoredRecord, Subscription } from '../../ports/eventstore.ts';
import { canonicalTextHash, fromLowerHex, rootFromNodes } from '../../domain/integrity/index.ts';
import { issueCheckpointAt, type CheckpointSigner } from './checkpoints.ts';
import { LedgerForkAlarm, LedgerIntegrationError, SequencerStoppedError } from './errors.ts';
import { Frontier, type CompletedNode } from './frontier.ts';
import { SEQUENCER_LOCK_KEY } from './schema.ts';
import {
  appendBatch,
  fetchNodes,
  latestCheckpoint,
  readState,
  withStoredNodes,
  type NewLeaf,
} from './store.ts';
import type { StoredCheckpoint } from '../../ports/ledger.ts';

export interface SequencerOptions {
  /** Pool on the ledger database; the sequencer holds one of its connections (lock and writes) while running. */
  pool: pg.Pool;
  eventStore: EventStore;
  signer: CheckpointSigner;
  /** Source of the checkpoint `time` line (and leaf `integrated_at`). */
  clock: () => Date;
  checkpointIntervalMs?: number;
  /** Most records integrated in one transaction. */
  maxBatch?: number;
  /** Called once when the sequencer stops because of an error (fork alarm, storage failure, lost lock). */
  onFailure?: (error: unknown) => void;
  /** Called after each checkpoint is stored. */
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
}

export type SequencerStatus = 'waiting' | 'leading' | 'stopped';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class LedgerSequencer {
  private statusValue: SequencerStatus = 'waiting';
  private lockClient: pg.PoolClient | undefined;
  /** The lock's own session once it leads: writes are fenced by the lock. */
  private writeClient: pg.PoolClient | undefined;
  private subscription: Subscription | undefined;
  private frontier = Frontier.empty();
  private latest: StoredCheckpoint | undefined;
  private buffer: StoredRecord[] = [];
  private flushScheduled = false;
  /** Every write (batch, checkpoint) runs on this chain, one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private checkpointTimer: NodeJS.Timeout | undefined;
  private lastCheckpointAt = -Infinity;
  private failure: unknown;
  private resolveDone!: () => void;
  private rejectDone!: (error: unknown) => void;
  private readonly interval: number;
  private readonly maxBatch: number;
  /** Resolves when the sequencer is stopped cleanly, rejects when it stops because of an error. */
  readonly done: Promise<void>;
  /** Resolves once this instance holds the lock and has subscribed. */
  readonly started: Promise<void>;

  constructor(private readonly options: SequencerOptions) {
    this.interval = options.checkpointIntervalMs ?? 500;
    this.maxBatch = options.maxBatch ?? 2000;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined); // observed through `done` by whoever cares
    this.started = this.run();
    this.started.catch(() => undefined);
  }

  /** Creates a sequencer and waits until it leads (blocks while another instance holds the lock). */
  static async start(options: SequencerOptions): Promise<LedgerSequencer> {
    const s = new LedgerSequencer(options);
    await s.started;
    return s;
  }

  get status(): SequencerStatus {
    return this.statusValue;
  }

  /** Leaves integrated and committed so far. */
  get treeSize(): number {
    return this.frontier.size;
  }

  get latestCheckpoint(): StoredCheckpoint | undefined {
    return this.latest;
  }

  private async run(): Promise<void> {
    const { pool } = this.options;
    const lockClient = await pool.connect();
    this.lockClient = lockClient;
    lockClient.on('error', (error) => this.fail(new SequencerStoppedError('lost the ledger lock connection', undefined, { cause: error })));
    try {
      // Blocks while another sequencer leads; `stop()` ends this connection to give up waiting.
      await lockClient.query('SELECT pg_advisory_lock($1)', [SEQUENCER_LOCK_KEY.toString()]);
    } catch (error) {
      if (this.statusValue === 'stopped') throw this.stoppedWhileWaiting();
      this.fail(error);
      throw error;
    }
    if (this.statusValue === 'stopped') throw this.stoppedWhileWaiting();
    this.statusValue = 'leading';
    try {
      // Writes go through the session that holds the lock (its 'error' listener above stops the sequencer).
      this.writeClient = lockClient;
      const state = await readState(this.writeClient);
      const positions = Frontier.positions(state.treeSize);
      const found = await fetchNodes(this.writeClient, positions);
      this.frontier = Frontier.fromNodes(state.treeSize, (level, index) => {
        const h = found.get(`${level}:${index}`);
        if (!h) throw new LedgerForkAlarm(`stored subtree (${level}, ${index}) of the frontier is missing`);
        return h;
      });
      if (state.treeSize > 0) {
        const stored = await withStoredNodes(this.writeClient, (get) => rootFromNodes(state.treeSize, get));
        if (Buffer.compare(stored, this.frontier.root()) !== 0) throw new LedgerForkAlarm('stored frontier does not give the stored root');
      }
      this.latest = await latestCheckpoint(this.writeClient);
      if (this.latest && this.latest.treeSize > state.treeSize) {
        throw new LedgerForkAlarm(`a checkpoint covers ${this.latest.treeSize} leaves but only ${state.treeSize} are stored`);
      }
      if (this.statusValue !== 'leading') {
        // stop() ran while we were starting: it could not release what we had not yet taken.
        this.releaseClients();
        throw new SequencerStoppedError('stopped while starting');
      }
      this.subscription = this.options.eventStore.subscribeToAll({
        after: state.feedCheckpoint,
        onRecord: (record) => this.onRecord(record),
      });
      this.subscription.done.then(
        () => {
          if (this.statusValue !== 'stopped') this.fail(new SequencerStoppedError('the feed subscription ended'));
        },
        (error) => this.fail(error),
      );
      this.scheduleCheckpoint();
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  /** stop() may have run before this connection existed: make sure it (and the lock) is let go. */
  private stoppedWhileWaiting(): SequencerStoppedError {
    this.lockClient?.release(true);
    this.lockClient = undefined;
    return new SequencerStoppedError('stopped while waiting for the ledger lock');
  }

  private async onRecord(record: StoredRecord): Promise<void> {
    if (this.statusValue !== 'leading') throw new SequencerStoppedError('sequencer is not leading');
    this.buffer.push(record);
    if (this.buffer.length >= this.maxBatch) {
      await this.enqueue(() => this.flush());
    } else if (!this.flushScheduled) {
      // Records of one feed page arrive back to back on microtasks; flushing on the next macrotask turns a
      // page into one transaction without holding a record back when the feed goes quiet.
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.enqueue(() => this.flush()).catch(() => undefined);
      });
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(() => {
      if (this.failure !== undefined) throw this.failure;
      return work();
    });
    this.chain = next.catch(() => undefined);
    return next.catch((error) => {
      this.fail(error);
      throw error;
    });
  }

  private async flush(): Promise<void> {
    const batch = this.buffer.splice(0);
    if (batch.length === 0 || !this.writeClient) return;
    const expectedSize = this.frontier.size;
    const next = this.frontier.clone();
    const leaves: NewLeaf[] = [];
    const nodes: CompletedNode[] = [];
    for (const stored of batch) {
      const hashBytes = fromLowerHex(stored.hash, 32);
      if (!hashBytes || canonicalTextHash(stored.canonical) !== stored.hash) {
        throw new LedgerIntegrationError(`record ${stored.record.id}: stored hash does not match its canonical text`, {
          recordId: stored.record.id,
        });
      }
      if (!UUID.test(stored.record.id)) throw new LedgerIntegrationError('record id is not a lowercase UUID');
      const { leafHash, completed } = next.appendRecordHash(hashBytes);
      leaves.push({ recordId: stored.record.id, recordHash: hashBytes, leafHash });
      nodes.push(...completed);
    }
    await appendBatch(this.writeClient, expectedSize, leaves, nodes, batch[batch.length - 1]!.checkpoint, this.options.clock());
    this.frontier = next;
    this.scheduleCheckpoint();
  }

  private scheduleCheckpoint(): void {
    if (this.statusValue !== 'leading' || this.checkpointTimer) return;
    if (this.latest && this.latest.treeSize >= this.frontier.size) return;
    const delay = Math.max(0, this.lastCheckpointAt + this.interval - performance.now());
    this.checkpointTimer = setTimeout(() => {
      this.checkpointTimer = undefined;
      this.enqueue(() => this.issueNow()).catch(() => undefined);
    }, delay);
  }

  /**
   * Issues a checkpoint of everything integrated so far (or returns the latest one when nothing new was
   * integrated since). Throws `LedgerForkAlarm` (and the sequencer stops) if it cannot be proven
   * consistent with the previous checkpoint.
   */
  issueCheckpoint(): Promise<StoredCheckpoint> {
    if (this.statusValue !== 'leading') return Promise.reject(new SequencerStoppedError('sequencer is not leading'));
    return this.enqueue(() => this.issueNow());
  }

  private async issueNow(): Promise<StoredCheckpoint> {
    const size = this.frontier.size;
    if (this.latest && this.latest.treeSize === size) return this.latest;
    const time = this.options.clock().toISOString();
    const checkpoint = await issueCheckpointAt(this.writeClient!, this.options.signer, size, this.frontier.root(), this.latest, time);
    this.latest = checkpoint;
    this.lastCheckpointAt = performance.now();
    this.options.onCheckpoint?.(checkpoint);
    this.scheduleCheckpoint();
    return checkpoint;
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined || this.statusValue === 'stopped') return;
    this.failure = error;
    this.options.onFailure?.(error);
    void this.shutdown().then(
      () => this.rejectDone(error),
      () => this.rejectDone(error),
    );
  }

  /** Stops cleanly: finishes the write in progress, releases the lock. Unflushed records are left to the next leader. */
  async stop(): Promise<void> {
    if (this.statusValue === 'stopped') return this.done.catch(() => undefined);
    await this.shutdown();
    this.resolveDone();
  }

  private async shutdown(): Promise<void> {
    const wasLeading = this.statusValue === 'leading';
    this.statusValue = 'stopped';
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (!wasLeading) {
      // Waiting on the lock: ending the connection is the only way to interrupt pg_advisory_lock.
      this.lockClient?.release(true);
      this.lockClient = undefined;
      return;
    }
    await this.subscription?.close().catch(() => undefined);
    await this.chain;
    this.buffer = [];
    this.releaseClients();
  }

  private releaseClients(): void {
    this.writeClient = undefined;
    // Destroying the session releases the advisory lock even if an unlock query could not run.
    this.lockClient?.release(true);
    this.lockClient = undefined;
  }
}
