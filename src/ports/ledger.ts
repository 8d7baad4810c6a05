/**
 * The ledger as the application reads it (ledger.md, integrity.md §6): which leaf holds a record, inclusion
 * proofs, waiting until a signed checkpoint covers records, and the node key that signs bundle manifests. The
 * sequencer, storage and `ledger verify` are the adapter in src/adapters/ledger; `LedgerService` implements
 * this port.
 */
import { AppError } from '../domain/shared/errors.ts';

export interface LeafRow {
  leafIndex: number;
  recordId: string;
  /** Lowercase hex of the record hash. */
  recordHash: string;
  leafHash: Uint8Array;
  integratedAt: Date;
}

export interface StoredCheckpoint {
  treeSize: number;
  root: Uint8Array;
  /** The signed note, exactly as issued. */
  note: string;
  issuedAt: Date;
}

/** `waitUntilSealed` ran out of time; the records are durable but not yet covered by a checkpoint. */
export class SealTimeoutError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'seal-timeout';
}

export interface LedgerPort {
  readonly origin: string;
  /** The node key: its seed signs manifest.json. Never logged. */
  readonly key: { readonly seed: Uint8Array };
  verifierKey(): string;
  waitUntilSealed(recordIds: string[], timeoutMs: number): Promise<StoredCheckpoint>;
  leafForRecord(recordId: string): Promise<LeafRow | undefined>;
  inclusionProof(leafIndex: number, treeSize: number): Promise<Uint8Array[]>;
}
