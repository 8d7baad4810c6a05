import { AppError, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';

/** Destruction refused: a legal hold (placed, or automatic: open case, pending appeal) covers the case. */
export class EvidenceUnderHoldError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'evidence-under-hold';
}

/** Destruction refused: the policy's period has not run out yet. */
export class RetentionNotDueError extends DomainRuleError {
  readonly code = 'retention-not-due';
}

/** Destruction refused: the digest is not evidence of this case, or the policy does not cover it. */
export class RetentionNotApplicableError extends DomainRuleError {
  readonly code = 'retention-not-applicable';
}

export class LegalHoldAlreadyPlacedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'legal-hold-already-placed';
}

export class LegalHoldNotFoundError extends DomainRuleError {
  override readonly category: ErrorCategory = 'not_found';
  readonly code = 'legal-hold-not-found';
}

/** A hold placed or lifted by an officer without a valid `hold/v1` sign-off, or a court request under authority `officer`. */
export class HoldOrderInvalidError extends DomainRuleError {
  readonly code = 'hold-order-invalid';
}

/** A hold a court ordered is lifted only under the authority of a court (a court's request or an officer recording a court's order). */
export class CourtHoldLiftError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'court-hold-lift';
}
