/**
 * The ledger's read API for the HTTP API, bundle export and auditors. Any process may use it (it only
 * reads the ledger database); proofs come from stored subtree hashes in O(log n) look-ups.
 *
 * Durable vs sealed (integrity.md §5): a record is durable once its append commits to the event store; it
 * is sealed once a signed checkpoint whose tree size is greater than its leaf index is stored here.
 */
import type pg from 'pg';
import { consistencyProofFromNodes, inclusionProofFromNodes } from '../../domain/integrity/index.ts';
import type { EventStore } from '../../ports/eventstore.ts';
import { SealTimeoutError, type LeafRow, type StoredCheckpoint } from '../../ports/ledger.ts';
import { LedgerArgumentError, LedgerRangeError } from './errors.ts';
import {
  checkpointAtOrAfter,
  latestCheckpoint,
  leafAt,
  leafByRecordId,
  leavesByRecordIds,
  readState,
  withStoredNodes,
} from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SealingLag {
  /** Records durable in the feed or integrated as leaves but not yet covered by a checkpoint. */
  records: number;
  /** Seconds since the oldest uncovered record was integrated (0 when everything is sealed). */
  seconds: number;
  /** True when `records` stopped counting at the feed look-ahead cap. */
  atLeast: boolean;
}

function assertSize(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new LedgerArgumentError(`${what} must be a non-negative integer`, { [what]: value });
}

export class LedgerReader {
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly options: { eventStore?: EventStore; clock?: () => Date; pollMs?: number } = {},
  ) {}

  /** Leaves integrated so far (some possibly not yet sealed). */
  async treeSize(): Promise<number> {
    return (await readState(this.pool)).treeSize;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return latestCheckpoint(this.pool);
  }

  /** The smallest stored checkpoint covering at least `size` leaves, or undefined if none does yet. */
  checkpointAtOrAfter(size: number): Promise<StoredCheckpoint | undefined> {
    assertSize(size, 'size');
    return checkpointAtOrAfter(this.pool, size);
  }

  async leafForRecord(recordId: string): Promise<LeafRow | undefined> {
    if (typeof recordId !== 'string' || !UUID.test(recordId)) throw new LedgerArgumentError('record id must be a lowercase UUID');
    return leafByRecordId(this.pool, recordId);
  }

  leaf(leafIndex: number): Promise<LeafRow | undefined> {
    assertSize(leafIndex, 'leafIndex');
    return leafAt(this.pool, leafIndex);
  }

  /** RFC 9162 §2.1.3 audit path of `leafIndex` in the tree of the first `treeSize` leaves (leaf-up order). */
  async inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]> {
    assertSize(leafIndex, 'leafIndex');
    assertSize(treeSize, 'treeSize');
    if (leafIndex >= treeSize) throw new LedgerRangeError(`leaf ${leafIndex} is not in a tree of size ${treeSize}`);
    await this.assertIntegrated(treeSize);
    return withStoredNodes(this.pool, (get) => inclusionProofFromNodes(leafIndex, treeSize, get));
  }

  /** RFC 9162 §2.1.4 consistency proof from the tree of `size1` leaves to the tree of `size2`. */
  async consistencyProof(size1: number, size2: number): Promise<Uint8Array[]> {
    assertSize(size1, 'size1');
    assertSize(size2, 'size2');
    if (size1 > size2) throw new LedgerArgumentError('size1 must not exceed size2', { size1, size2 });
    await this.assertIntegrated(size2);
    return withStoredNodes(this.pool, (get) => consistencyProofFromNodes(size1, size2, get));
  }

  private async assertIntegrated(size: number): Promise<void> {
    const { treeSize } = await readState(this.pool);
    if (size > treeSize) throw new LedgerRangeError(`the ledger holds ${treeSize} leaves, not ${size}`, { treeSize });
  }

  /**
   * Resolves with the first checkpoint covering the given records (every one of them) or leaf index, once
   * it is stored. Throws `SealTimeoutError` after `timeoutMs`.
   */
  async waitUntilSealed(target: string[] | number, timeoutMs: number): Promise<StoredCheckpoint> {
    if (typeof target === 'number') assertSize(target, 'leafIndex');
    else if (!Array.isArray(target) || target.length === 0 || !target.every((id) => typeof id === 'string' && UUID.test(id))) {
      throw new LedgerArgumentError('waitUntilSealed takes a leaf index or a non-empty list of lowercase UUIDs');
    }
    const deadline = performanceNow() + timeoutMs;
    const pollMs = this.options.pollMs ?? 20;
    let needed = typeof target === 'number' ? target + 1 : undefined;
    for (;;) {
      if (needed === undefined && Array.isArray(target)) {
        const leaves = await leavesByRecordIds(this.pool, target);
        if (leaves.length === new Set(target).size) needed = Math.max(...leaves.map((l) => l.leafIndex)) + 1;
      }
      if (needed !== undefined) {
        const covering = await checkpointAtOrAfter(this.pool, needed);
        if (covering) return covering;
      }
      if (performanceNow() >= deadline) {
        throw new SealTimeoutError(`not sealed within ${timeoutMs} ms`, { timeoutMs });
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * How far sealing lags: leaves integrated but not covered by the latest checkpoint, plus records in the
   * feed behind the sequencer's feed checkpoint (counted up to `feedLookahead` when an event store is given).
   */
  async sealingLag(feedLookahead = 10_000): Promise<SealingLag> {
    const state = await readState(this.pool);
    const latest = await latestCheckpoint(this.pool);
    const covered = latest?.treeSize ?? 0;
    let records = state.treeSize - covered;
    let atLeast = false;
    let oldest: Date | undefined;
    if (records > 0) oldest = (await leafAt(this.pool, covered))?.integratedAt;
    if (this.options.eventStore) {
      const pending = await this.options.eventStore.readAll({ after: state.feedCheckpoint, maxCount: feedLookahead });
      records += pending.length;
      atLeast = pending.length === feedLookahead;
      const first = pending[0]?.record.meta.recordedAt;
      if (!oldest && first) oldest = new Date(first);
    }
    const now = (this.options.clock ?? (() => new Date()))();
    const seconds = oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0;
    return { records, seconds, atLeast };
  }
}

function performanceNow(): number {
  return globalThis.performance.now();
}
