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

/**
 * Original evidence of the case was destroyed under a retention policy (docs/data-protection.md): a v1 bundle
 * must carry every original (bundle.md, check 6), so none is made. The details name each destroyed digest with
 * its policy and time; the records themselves stay in the ledger (`tec ledger verify`, the published log).
 */
export class BundleEvidenceDestroyedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'bundle-evidence-destroyed';
  constructor(
    readonly caseId: string,
    readonly destroyed: { digest: string; policy: string; at: string }[],
  ) {
    super('Original evidence of this case was destroyed under a retention policy; no court bundle can be made', {
      caseId,
      destroyed,
    });
  }
}
