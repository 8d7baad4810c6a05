/** Typed refusals of the catalog. Messages never echo caller input beyond a truncated code. */
import { DomainRuleError, ValidationError } from '../shared/errors.ts';
import type { VehicleClass } from './types.ts';

/** The code is not in any catalog version: a typo or a forged code. */
export class UnknownViolationCodeError extends ValidationError {
  constructor(code: string) {
    super('Unknown violation code', { violationCode: String(code).slice(0, 32) }, 'unknown-violation-code');
  }
}

export type NotApplicableReason = 'vehicle-class' | 'not-in-force' | 'no-catalog-in-force';

/** The code exists, but not for this vehicle class, or not on this date. */
export class ViolationNotApplicableError extends DomainRuleError {
  readonly code = 'violation-not-applicable';
  readonly reason: NotApplicableReason;
  constructor(
    reason: NotApplicableReason,
    message: string,
    details: { violationCode?: string; vehicleClass?: VehicleClass; onDate?: string } = {},
  ) {
    super(message, { reason, ...details });
    this.reason = reason;
  }
}

/** A date that is neither YYYY-MM-DD nor an RFC 3339 timestamp. */
export class InvalidCatalogDateError extends ValidationError {
  constructor() {
    super('Date must be YYYY-MM-DD or an RFC 3339 timestamp', undefined, 'invalid-catalog-date');
  }
}

/** No version of the authority table is in force on the date (before Decree 168 took effect). */
export class NoAuthorityInForceError extends DomainRuleError {
  readonly code = 'no-authority-in-force';
  constructor(onDate: string) {
    super('No authority table is in force on that date', { onDate });
  }
}
