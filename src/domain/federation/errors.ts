import { AppError } from '../shared/errors.ts';
import { DomainRuleError } from '../shared/errors.ts';

export class ProvincialLogAlreadyRegisteredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'provincial-log-already-registered';
}

/** The province already has an active log: retire it first. */
export class ProvinceHasActiveLogError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'province-has-active-log';
}

export class ProvincialLogNotRegisteredError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'provincial-log-not-registered';
}

export class ProvincialLogRetiredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'provincial-log-retired';
}

/** A verifier key that does not parse, is not a log key (type 0x01), or is not named like the origin. */
export class InvalidLogVerifierKeyError extends DomainRuleError {
  readonly code = 'invalid-log-verifier-key';
}
