/** The ledger: sequencer, Merkle storage, signed checkpoints, read API and `ledger verify` (docs/ledger.md). */
export { startLedger, LedgerService, type LedgerServiceOptions } from './service.ts';
export { LedgerReader, type SealingLag } from './reader.ts';
export { LedgerSequencer, type SequencerOptions, type SequencerStatus } from './sequencer.ts';
export type { LedgerState } from './store.ts';
export { SealTimeoutError, type StoredCheckpoint, type LeafRow, type LedgerPort } from '../../ports/ledger.ts';
export { SEQUENCER_LOCK_KEY } from './schema.ts';
export * from './errors.ts';
