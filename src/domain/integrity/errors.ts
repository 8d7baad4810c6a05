/**
 * Typed errors of the integrity kernel. Verification functions return `false` (or a report) for data that
 * does not verify; these errors are for arguments that are not even well-formed (a proof asked for a leaf
 * outside the tree, a verifier key that does not parse, a checkpoint that is not a checkpoint).
 */
import { AppError } from '../shared/errors.ts';

/** A Merkle computation was asked for something that does not exist (index ≥ size, bad hash length…). */
export class MerkleArgumentError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'merkle-argument';
}

export const CHECKPOINT_ERROR_CODES = [
  'malformed-note', // not a signed note: bad UTF-8, control characters, no blank line, bad signature line
  'malformed-checkpoint', // the note text is not a v1 checkpoint (origin, size, root, one time line)
  'malformed-key', // a verifier key or key name that does not parse
  'bad-signature', // a signature by a known key that does not verify (the whole note is rejected)
  'unverified', // no signature by a known log key verifies
] as const;
export type CheckpointErrorCode = (typeof CHECKPOINT_ERROR_CODES)[number];

/** A signed note, checkpoint or verifier key that cannot be accepted. `code` says why. */
export class CheckpointError extends AppError {
  readonly category;
  readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string, details?: Record<string, unknown>) {
    super(message, details);
    this.code = code;
    this.category =
      code === 'bad-signature' || code === 'unverified'
        ? ('unauthenticated' as const)
        : ('validation' as const);
  }
}

/** A seed or key of the wrong size handed to a signing function. */
export class KeyMaterialError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'key-material';
}
