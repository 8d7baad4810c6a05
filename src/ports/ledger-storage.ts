/**
 * What `ledger verify` reads (integrity.md §8): the stores as stored, with nothing in between that could
 * repair or reject what it reads. One consistent snapshot for the whole run; everything large comes in
 * batches (records in feed order and leaves in leaf order, side by side), so memory stays bounded however
 * large the ledger. The PostgreSQL implementation is `postgresLedgerStorage` in src/adapters/ledger.
 */
import type { NodeHashGetter } from '../domain/integrity/index.ts';

/** A record as the event store keeps it: its stored canonical text and the hash stored beside it. */
export interface StoredRecordText {
  /** The record id as the store indexes it (for the PostgreSQL store the `event_id` column). */
  recordId: string;
  /** The stored canonical text. */
  canonical: string;
  /** The stored record hash (hex). */
  hash: string;
}

/** A stored leaf: the record it names, the record hash it holds and its stored leaf hash. */
export interface StoredLeafHashes {
  leafIndex: number;
  recordId: string;
  recordHash: Uint8Array;
  leafHash: Uint8Array;
}

/** A stored checkpoint row: the columns and the signed note beside them. */
export interface StoredCheckpointNote {
  treeSize: number;
  root: Uint8Array;
  note: string;
}

/** One snapshot of the ledger and the records it seals. */
export interface LedgerSnapshot {
  /** The tree size the ledger's state row states; undefined when there is no state row. */
  readonly stateTreeSize: number | undefined;
  /** Every stored leaf in leaf order, `batchSize` at a time. */
  leaves(batchSize: number): AsyncIterable<StoredLeafHashes[]>;
  /** Every record in global feed order, `batchSize` at a time. */
  records(batchSize: number): AsyncIterable<StoredRecordText[]>;
  /** Every stored checkpoint, smallest first (deterministic even for two of one size). */
  checkpoints(): Promise<StoredCheckpointNote[]>;
  /** Stored subtree hashes (level ≥ 1) completed by leaves [from, to), keyed `level:index`. */
  subtreesCompletedIn(from: number, to: number): Promise<Map<string, Uint8Array>>;
  /** Runs `compute` over the stored subtree hashes it asks for (a missing one throws inside `compute`). */
  withSubtrees<T>(compute: (get: NodeHashGetter) => T): Promise<T>;
  /** How many subtree hashes are stored. */
  subtreeCount(): Promise<number>;
}

export interface LedgerStorageReader {
  /** Runs `read` over one consistent read-only snapshot, released afterwards whatever happens. */
  read<T>(read: (snapshot: LedgerSnapshot) => Promise<T>): Promise<T>;
}
