/** Refusals of the citizen decider; each class names one rule. */
import { AppError, DomainRuleError } from '../shared/errors.ts';

/** The same Idempotency-Key came back with a different request. */
export class IdempotencyKeyReusedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'idempotency-key-reused';
}

/** The case has ended (closed, expired, voided) or was never published: nothing can be sent about it. */
export class CaseNotOpenToCitizenError extends DomainRuleError {
  readonly code = 'case-not-open';
}

/** The legal period for a complaint or appeal (90 days from the decision) has run out. */
export class ComplaintPeriodEndedError extends DomainRuleError {
  readonly code = 'complaint-period-ended';
}

/** No penalty has been decided: there is nothing to pay yet. */
export class NothingToPayError extends DomainRuleError {
  readonly code = 'nothing-to-pay';
}

/** The fine has been paid already. */
export class AlreadyPaidError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'already-paid';
}

/** A bank confirmation names a payment this case never requested. */
export class PaymentNotRequestedError extends DomainRuleError {
  readonly code = 'payment-not-requested';
}

/** A bank confirmation's amount is not the amount requested. */
export class PaymentAmountMismatchError extends DomainRuleError {
  readonly code = 'payment-amount-mismatch';
}
