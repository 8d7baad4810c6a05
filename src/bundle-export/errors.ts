/** Typed errors of the bundle export. */
import { AppError } from '../domain/shared/errors.ts';

/**
 * The case's records are durable but no signed checkpoint covers them yet. Nothing is wrong: ask again in
 * `retryAfterSeconds` (the HTTP layer sends it as Retry-After with 409).
 */
export class BundleNotSealedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'bundle-not-sealed';
  constructor(
    readonly caseId: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(
      'The case records are not yet covered by a signed checkpoint; retry shortly',
      { caseId, retryAfterSeconds },
      options,
    );
  }
}

export class CaseNotFoundForExportError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'case-not-found';
  constructor(readonly caseId: string) {
    super('No such case', { caseId });
  }
}

/**
 * The bundle the node assembled does not verify (bundle.md checks): the node's own stores disagree with its
 * ledger, or evidence is damaged. Nothing is handed out; this is an integrity alarm, never retried blindly.
 */
export class BundleIntegrityError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'bundle-integrity';
}

