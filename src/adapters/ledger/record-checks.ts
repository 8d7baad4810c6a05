/**
 * The per-record checks of `ledger verify` (RECORD_*, CHAIN, and noting the evidence records name), run over
 * whole batches so they can run on a worker thread: hashing every stored text is the largest single cost of a
 * run, and off the main thread it overlaps the leaf, tree and subtree checks (src/adapters/ledger/verify.ts).
 *
 * `RecordChecks` keeps the state the checks carry from record to record (each stream's head, the evidence
 * named so far); `recordCheckThread` is the worker thread's entry, one `RecordChecks` per thread, fed batches
 * in feed order. The same class runs inline for small ledgers, so both paths give the same report.
 */
import type { StoredRecordText } from '../../ports/ledger-storage.ts';
import {
  checkRecord,
  type DestroyedEvidenceMap,
  type Discrepancy,
  type ReferencedEvidence,
  type StreamHeads,
  type WithheldEvidenceMap,
} from './verify-checks.ts';

/** What the record checks found in one batch. */
export interface CheckedRecordBatch {
  /** Each record's stored hash as bytes, 32 per record, at 32·i (zeros where `valid[i]` is 0). */
  hashes: Uint8Array;
  /** 1 where the record's stored hash is 64 hex digits (what its leaf must hold), 0 where it is not. */
  valid: Uint8Array;
  /** Discrepancies in the order found, each with the index in the batch of the record it concerns. */
  found: { at: number; discrepancy: Discrepancy }[];
}

/** What the record checks carry to the end of the run. */
export interface RecordCheckTotals {
  streams: number;
  referencedEvidence: ReferencedEvidence;
  destroyedEvidence: DestroyedEvidenceMap;
  withheldEvidence: WithheldEvidenceMap;
}

export class RecordChecks {
  private readonly streams: StreamHeads = new Map();
  private readonly referencedEvidence: ReferencedEvidence = new Map();
  private readonly destroyedEvidence: DestroyedEvidenceMap = new Map();
  private readonly withheldEvidence: WithheldEvidenceMap = new Map();

  constructor(private readonly strictCanonical: boolean) {}

  /** Checks the next records in feed order. */
  batch(records: readonly StoredRecordText[]): CheckedRecordBatch {
    const hashes = new Uint8Array(records.length * 32);
    const valid = new Uint8Array(records.length);
    const found: CheckedRecordBatch['found'] = [];
    for (let at = 0; at < records.length; at++) {
      const storedHash = checkRecord(
        records[at]!,
        this.streams,
        this.referencedEvidence,
        (discrepancy) => found.push({ at, discrepancy }),
        this.strictCanonical,
        this.destroyedEvidence,
        this.withheldEvidence,
      );
      if (storedHash) {
        hashes.set(storedHash, at * 32);
        valid[at] = 1;
      }
    }
    return { hashes, valid, found };
  }

  totals(): RecordCheckTotals {
    return {
      streams: this.streams.size,
      referencedEvidence: this.referencedEvidence,
      destroyedEvidence: this.destroyedEvidence,
      withheldEvidence: this.withheldEvidence,
    };
  }
}

export type RecordCheckRequest =
  { op: 'batch'; records: StoredRecordText[]; strictCanonical: boolean } | { op: 'totals' };

let threadChecks: RecordChecks | undefined;

/**
 * Worker-thread entry (through src/workers/queue/thread-task.ts, one thread, calls in order): batches in
 * feed order, then `totals` once. A thread serves one run.
 */
export function recordCheckThread(request: RecordCheckRequest): CheckedRecordBatch | RecordCheckTotals {
  if (request.op === 'totals') return (threadChecks ?? new RecordChecks(false)).totals();
  threadChecks ??= new RecordChecks(request.strictCanonical);
  return threadChecks.batch(request.records);
}
