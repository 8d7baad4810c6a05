/** Typed errors of the ledger adapter (`SealTimeoutError`, which readers handle, is in src/ports/ledger.ts). */
import { AppError } from '../../domain/shared/errors.ts';

/**
 * A new checkpoint could not be proven consistent with the previous one, or the tree the sequencer holds
 * disagrees with the stored one. The log has forked or its storage was altered: an alarm, never a warning.
 * Nothing is stored when this is raised.
 */
export class LedgerForkAlarm extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'ledger-fork';
}

/** The feed delivered something the ledger cannot integrate (bad hash, duplicate record, out of order). */
export class LedgerIntegrationError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'ledger-integration';
}

/** A stored hash the ledger needs is missing or malformed (storage damaged or not yet written). */
export class LedgerStorageError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'ledger-storage';
}

/** A proof or leaf was asked for outside the integrated tree (or a size without a checkpoint). */
export class LedgerRangeError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'ledger-range';
}

/** Bad arguments (negative size, size1 > size2, not a UUID…). */
export class LedgerArgumentError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'ledger-argument';
}

/** The sequencer was stopped (or lost leadership) while a call was waiting on it. */
export class SequencerStoppedError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'sequencer-stopped';
}
