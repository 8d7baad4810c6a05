import { AppError, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';

export class OfficerAlreadyEnrolledError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'officer-already-enrolled';
}

/** No such officer, or the acting officer has no enrolment. */
export class OfficerNotEnrolledError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-not-enrolled';
}

export class OfficerNotActiveError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-not-active';
}

export class OfficerNotSuspendedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'officer-not-suspended';
}

/** The officer lacks the role the command needs (reviewer, decider…). */
export class OfficerLacksRoleError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-lacks-role';
}

/** Provincial staff act only in their own province. */
export class OfficerOutsideProvinceError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-outside-province';
}

/** The acting officer is not the one the context describes (acting on another officer's behalf). */
export class OfficerIdentityMismatchError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-identity-mismatch';
}

/** The sign-off names a key that is unknown, revoked, or was not in force at `signedAt`. */
export class OfficerKeyNotInForceError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'officer-key-not-in-force';
}

/** The title is not one the legal catalog knows. */
export class InvalidOfficerTitleError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-officer-title';
}

export class OfficerAlreadySuspendedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'officer-already-suspended';
}
