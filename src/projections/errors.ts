/** Typed errors of the read side. */
import { AppError } from '../domain/shared/errors.ts';

/** A projection name nobody declared (a bad argument, hence `validation`). */
export class UnknownProjectionError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'unknown-projection';
  constructor(name: string, known: readonly string[]) {
    super(`Unknown projection "${name}"; known: ${known.join(', ')}`, { name });
  }
}

/** Another runner moved the projection's checkpoint since this one read it (two leaders must never both write). */
export class StaleCheckpointError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'stale-projection-checkpoint';
  constructor(name: string) {
    super(`Projection ${name}: the stored checkpoint moved under this runner`, { name });
  }
}

/** `tec replay` could not bring the shadow to the live checkpoint (the live checkpoint is not in the feed). */
export class ReplayTargetError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'replay-target-not-found';
}

export class InvalidQueryError extends AppError {
  readonly category = 'validation' as const;
  readonly code: string;
  constructor(message: string, code = 'invalid-read-query', details?: Record<string, unknown>) {
    super(message, details);
    this.code = code;
  }
}
